"""Recording student activity for creator analytics: one call per event, rolled up as it happens.

Every rollup is keyed by the creator's reporting time zone (creators.settings "timezone", IANA name,
default UTC) as it was when the event happened: changing the zone applies from then on. Each
function takes an explicit `at` (an aware datetime) so tests and the benchmark can build history.
record_watch runs inside the caller's transaction (the heartbeat's); the others use their own, which
joins the caller's when one is open (db.transaction).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date as Date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chronos.db import Connection, transaction
from chronos.models.states import LiveKind, LogKind, MessageRole
from chronos.timefmt import iso_utc

DEFAULT_ZONE = "UTC"
RETENTION_DAYS = 30
AWAY = timedelta(minutes=30)  # a Whop iframe visit after this long unseen is a new sign-in


ZONE_MAX = 64  # the longest IANA name is 32 characters ("America/Argentina/ComodRivadavia")


class ZoneError(ValueError):
    """A time zone name that is not an IANA zone."""


def parse_zone(name: str) -> ZoneInfo:
    """The zone called `name`, or ZoneError with a message a creator can act on."""
    name = str(name)
    try:
        if len(name) > ZONE_MAX:
            raise ValueError(name)
        return ZoneInfo(name)
    # ZoneInfo opens a file of that name: a name too long for one, or a folder, is an OSError.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise ZoneError(f"Unknown time zone {shown!r}: use an IANA name such as "
                        "'Europe/Paris' or 'America/New_York'.") from None


def zone_name(conn: Connection, creator_id: int) -> str:
    """The creator's reporting time zone (IANA name)."""
    row = conn.execute("SELECT settings FROM creators WHERE id = ?", (creator_id,)).fetchone()
    return _zone_in(row["settings"] if row else None)


def _zone_in(settings: str | None) -> str:
    """The time zone named in a creators.settings JSON text."""
    return json.loads(settings or "{}").get("timezone") or DEFAULT_ZONE


def set_zone(conn: Connection, creator_id: int, name: str) -> str:
    """Change the reporting time zone; events already rolled up keep their dates."""
    parse_zone(name)
    with transaction(conn):
        row = conn.execute("SELECT settings FROM creators WHERE id = ?", (creator_id,)).fetchone()
        settings = json.loads(row["settings"] or "{}") | {"timezone": name}
        conn.execute("UPDATE creators SET settings = ? WHERE id = ?", (json.dumps(settings), creator_id))
    return name


def local_date(at: datetime, zone: ZoneInfo) -> str:
    """The creator-local date of a moment."""
    return at.astimezone(zone).strftime("%Y-%m-%d")


def creator_date(conn: Connection, creator_id: int, at: datetime) -> str:
    """The creator-local date of a moment, in the creator's reporting zone."""
    return local_date(at, _zone(zone_name(conn, creator_id)))


def _zone(name: str) -> ZoneInfo:
    try:
        return parse_zone(name)
    except ZoneError:
        return ZoneInfo(DEFAULT_ZONE)  # a zone removed from tzdata since it was chosen


def record_join(conn: Connection, student_id: int, *, at: datetime | None = None) -> int:
    """A student joined (invite, Whop); returns the creator id. Idempotent."""
    with transaction(conn):
        return _ensure_student(conn, student_id, at)[0]


def record_sign_in(conn: Connection, student_id: int, *, at: datetime | None = None) -> int:
    """A student signed in; returns the creator id."""
    at = at or datetime.now(timezone.utc)
    with transaction(conn):
        creator_id, zone = _ensure_student(conn, student_id)
        day = local_date(at, zone)
        _log(conn, creator_id, student_id, at, day, LogKind.SIGNED_IN)
        if _day(conn, creator_id, student_id, day, sign_ins=1):
            _creator_day(conn, creator_id, day, active=1)
    return creator_id


def record_visit(conn: Connection, student_id: int, *, at: datetime | None = None,
                 away: timedelta = AWAY) -> int | None:
    """A request from a student whom every request signs in (Whop's iframe token): notes them active.

    It counts as a sign-in only when the student had not been seen for `away` (last_active_at,
    kept to the minute as for session sign-ins), so a visit of many page loads is one sign-in.
    Returns the creator id when a sign-in was counted, else None.
    """
    at = at or datetime.now(timezone.utc)
    if _seen_since(conn, student_id, at - timedelta(seconds=60)):
        return None  # seen this minute: nothing to write (the common case, read-only)
    with transaction(conn):
        returning = _seen_since(conn, student_id, at - away)
        conn.execute("UPDATE students SET last_active_at = ? WHERE id = ?", (iso_utc(at), student_id))
    return None if returning else record_sign_in(conn, student_id, at=at)


def _seen_since(conn: Connection, student_id: int, since: datetime) -> bool:
    row = conn.execute("SELECT last_active_at FROM students WHERE id = ?", (student_id,)).fetchone()
    return bool(row and row[0] and datetime.fromisoformat(row[0]) >= since)


def record_watch(conn: Connection, student_id: int, video_id: int, *, at: datetime,
                 previous_beat_at: str | None, watch_s: float, completed: bool,
                 position_s: float | None = None, heartbeat: bool = True, first_touch: bool = False) -> LiveKind:
    """Roll up one heartbeat (or a mark-complete) inside the caller's transaction; returns its kind.

    A view is a student's first heartbeat on a video in a local day; first_touch: the student's
    first progress on this video (it may start a module or a course). Call after video_progress
    is written.
    """
    creator_id, zone = _ensure_student(conn, student_id)
    day = local_date(at, zone)
    previous = previous_beat_at and datetime.fromisoformat(previous_beat_at)
    view = heartbeat and (not previous or local_date(previous, zone) != day)
    conn.execute(
        "INSERT INTO video_analytics(video_id, date, views, total_watch_s, completion_count)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(video_id, date) DO UPDATE SET"
        " views = views + excluded.views, total_watch_s = total_watch_s + excluded.total_watch_s,"
        " completion_count = completion_count + excluded.completion_count, updated_at = ?",
        (video_id, day, int(view), watch_s, int(completed), iso_utc(at)))
    first = _day(conn, creator_id, student_id, day, views=int(view), watch_s=watch_s, completions=int(completed))
    _creator_day(conn, creator_id, day, views=int(view), watch_s=watch_s, completions=int(completed),
                 active=int(first))
    conn.execute("INSERT INTO video_totals(video_id, views, watch_s, completions) VALUES (?, ?, ?, ?)"
                 " ON CONFLICT(video_id) DO UPDATE SET views = views + excluded.views,"
                 " watch_s = watch_s + excluded.watch_s, completions = completions + excluded.completions",
                 (video_id, int(view), watch_s, int(completed)))
    conn.execute("UPDATE student_summary SET watch_s = watch_s + ?, videos = videos + ? WHERE student_id = ?",
                 (watch_s, int(first_touch), student_id))
    if view:
        conn.execute("INSERT OR IGNORE INTO student_video_days(student_id, video_id, date) VALUES (?, ?, ?)",
                     (student_id, video_id, day))
        _milestone(conn, student_id, "first_video", at)
        _log(conn, creator_id, student_id, at, day, LogKind.WATCHED, video_id=video_id, at_s=position_s)
    if completed:
        _log(conn, creator_id, student_id, at, day, LogKind.COMPLETED_VIDEO, video_id=video_id)
    if completed or first_touch:
        _course_steps(conn, creator_id, student_id, video_id, at, day, first_touch=first_touch,
                      completed=completed)
    return LiveKind.COMPLETION if completed else LiveKind.VIEW if view else LiveKind.HEARTBEAT


def record_question(conn: Connection, student_id: int, question_id: int, *,
                    at: datetime | None = None) -> int | None:
    """A student's question (a 'user' chat message) and the videos its answer cited.

    Returns the creator id, or None when the question was already recorded (an edit, a retry).
    """
    at = at or datetime.now(timezone.utc)
    with transaction(conn):
        creator_id, zone = _ensure_student(conn, student_id)
        day = local_date(at, zone)
        question = conn.execute("SELECT session_id, video_id, at_s FROM chat_messages WHERE id = ?",
                                (question_id,)).fetchone()
        video_ids = [r[0] for r in conn.execute(
            "SELECT DISTINCT c.video_id FROM message_citations c WHERE c.message_id = (SELECT min(id)"
            " FROM chat_messages WHERE session_id = ? AND id > ? AND role = ?)",
            (question["session_id"], question_id, MessageRole.ASSISTANT))]
        cur = conn.execute(
            "INSERT OR IGNORE INTO activity_log(creator_id, student_id, at, date, kind, video_id,"
            " message_id, at_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (creator_id, student_id, iso_utc(at), day, LogKind.ASKED, question["video_id"] or (video_ids or [None])[0],
             question_id, question["at_s"]))
        if cur.rowcount == 0:
            return None
        first = _day(conn, creator_id, student_id, day, questions=1)
        _creator_day(conn, creator_id, day, messages=1, active=int(first))
        conn.execute("INSERT INTO creator_hours(creator_id, date, hour, messages) VALUES (?, ?, ?, 1)"
                     " ON CONFLICT(creator_id, date, hour) DO UPDATE SET messages = messages + 1",
                     (creator_id, day, at.astimezone(zone).hour))
        conn.execute("UPDATE student_summary SET questions = questions + 1 WHERE student_id = ?", (student_id,))
        _milestone(conn, student_id, "first_question", at)
        for video_id in video_ids:
            conn.execute("INSERT INTO video_analytics(video_id, date, questions) VALUES (?, ?, 1)"
                         " ON CONFLICT(video_id, date) DO UPDATE SET questions = questions + 1",
                         (video_id, day))
            conn.execute("INSERT INTO video_totals(video_id, questions) VALUES (?, 1)"
                         " ON CONFLICT(video_id) DO UPDATE SET questions = questions + 1", (video_id,))
    return creator_id


def announce(publish: Callable[[dict], None] | None, creator_id: int | None, kind: LiveKind) -> None:
    """Tell the creator's open dashboards (over the bus) that an analytics event was recorded."""
    if publish is not None and creator_id is not None:
        publish({"type": "analytics", "creator_id": creator_id, "kind": kind})


def _ensure_student(conn: Connection, student_id: int,
                    at: datetime | None = None) -> tuple[int, ZoneInfo]:
    """The student's creator and zone; records the join (at `at`, else students.created_at) once."""
    # One read on the common path (every heartbeat and question): the creator and their zone together.
    row = conn.execute("SELECT s.creator_id, c.settings FROM student_summary s LEFT JOIN creators c"
                       " ON c.id = s.creator_id WHERE s.student_id = ?", (student_id,)).fetchone()
    if row is not None:
        return row[0], _zone(_zone_in(row[1]))
    student = conn.execute("SELECT creator_id, created_at FROM students WHERE id = ?", (student_id,)).fetchone()
    creator_id, zone = student["creator_id"], _zone(zone_name(conn, student["creator_id"]))
    joined = at or datetime.fromisoformat(student["created_at"])
    day = local_date(joined, zone)
    conn.execute("INSERT INTO student_summary(student_id, creator_id, joined_at, joined_date) VALUES (?, ?, ?, ?)",
                 (student_id, creator_id, iso_utc(joined), day))
    _log(conn, creator_id, student_id, joined, day, LogKind.JOINED)
    conn.execute("INSERT INTO journey_days(creator_id, joined_date, joined) VALUES (?, ?, 1)"
                 " ON CONFLICT(creator_id, joined_date) DO UPDATE SET joined = joined + 1", (creator_id, day))
    first = _day(conn, creator_id, student_id, day)
    _creator_day(conn, creator_id, day, joins=1, active=int(first))
    return creator_id, zone


def _milestone(conn: Connection, student_id: int, step: str, at: datetime) -> None:
    """The student reached a journey step (first_video, first_question, first_course_completed)."""
    cur = conn.execute(f"UPDATE student_summary SET {step}_at = ? WHERE student_id = ? AND {step}_at IS NULL",
                       (iso_utc(at), student_id))
    if cur.rowcount == 1:  # counted on the student's join day, so a range's funnel follows its joiners
        conn.execute(f"UPDATE journey_days SET {step} = {step} + 1 WHERE (creator_id, joined_date) ="
                     " (SELECT creator_id, joined_date FROM student_summary WHERE student_id = ?)", (student_id,))


def _log(conn: Connection, creator_id: int, student_id: int, at: datetime, day: str, kind: LogKind, *,
         video_id: int | None = None, course_id: int | None = None, at_s: float | None = None) -> bool:
    cur = conn.execute(
        "INSERT OR IGNORE INTO activity_log(creator_id, student_id, at, date, kind, video_id, course_id, at_s)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (creator_id, student_id, iso_utc(at), day, kind, video_id, course_id, at_s))
    return cur.rowcount == 1


def _creator_day(conn: Connection, creator_id: int, day: str, *, views: int = 0, watch_s: float = 0.0,
                 completions: int = 0, messages: int = 0, joins: int = 0, active: int = 0) -> None:
    conn.execute(
        "INSERT INTO creator_days(creator_id, date, views, watch_s, completions, messages, joins,"
        " active_students) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(creator_id, date) DO UPDATE SET"
        " views = views + excluded.views, watch_s = watch_s + excluded.watch_s,"
        " completions = completions + excluded.completions, messages = messages + excluded.messages,"
        " joins = joins + excluded.joins, active_students = active_students + excluded.active_students",
        (creator_id, day, views, watch_s, completions, messages, joins, active))


def _day(conn: Connection, creator_id: int, student_id: int, day: str, *, views: int = 0,
         watch_s: float = 0.0, completions: int = 0, questions: int = 0, sign_ins: int = 0) -> bool:
    """Add to the student's local day. True for the student's first event of the day: it makes them
    active that day, and the caller counts them in creator_days.active_students."""
    cur = conn.execute(
        "INSERT INTO student_days(creator_id, student_id, date, views, watch_s, completions, questions,"
        " sign_ins) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(student_id, date) DO NOTHING",
        (creator_id, student_id, day, views, watch_s, completions, questions, sign_ins))
    if cur.rowcount == 0:
        conn.execute(
            "UPDATE student_days SET views = views + ?, watch_s = watch_s + ?, completions = completions + ?,"
            " questions = questions + ?, sign_ins = sign_ins + ? WHERE student_id = ? AND date = ?",
            (views, watch_s, completions, questions, sign_ins, student_id, day))
        return False
    conn.execute("UPDATE student_summary SET active_days = active_days + 1 WHERE student_id = ?", (student_id,))
    joined = conn.execute("SELECT joined_date FROM student_summary WHERE student_id = ?",
                          (student_id,)).fetchone()[0]
    day_n = (Date.fromisoformat(day) - Date.fromisoformat(joined)).days
    if 0 <= day_n <= RETENTION_DAYS:
        conn.execute("INSERT INTO retention_days(creator_id, joined_date, day_n, students) VALUES (?, ?, ?, 1)"
                     " ON CONFLICT(creator_id, joined_date, day_n) DO UPDATE SET students = students + 1",
                     (creator_id, joined, day_n))
    for period, first, last in periods_of(Date.fromisoformat(day)):
        seen = conn.execute("SELECT 1 FROM student_days WHERE student_id = ? AND date BETWEEN ? AND ?"
                            " AND date != ? LIMIT 1", (student_id, first, last, day)).fetchone()
        if seen is None:  # the student's first active day in this week / month
            conn.execute("INSERT INTO creator_periods(creator_id, period, students) VALUES (?, ?, 1)"
                         " ON CONFLICT(creator_id, period) DO UPDATE SET students = students + 1",
                         (creator_id, period))
    return True


def periods_of(day: Date) -> list[tuple[str, str, str]]:
    """The ISO week ('2026-W47') and month ('2026-11') a day falls in, with their first and last days."""
    year, week, weekday = day.isocalendar()
    monday = day - timedelta(days=weekday - 1)
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return [(f"{year}-W{week:02d}", monday.isoformat(), (monday + timedelta(days=6)).isoformat()),
            (day.strftime("%Y-%m"), first.isoformat(), last.isoformat())]


def _course_steps(conn: Connection, creator_id: int, student_id: int, video_id: int, at: datetime,
                  day: str, *, first_touch: bool, completed: bool) -> None:
    """Count the module and course steps this watch reaches: started, half (courses), completed."""
    homes = conn.execute("SELECT mv.module_id, m.course_id FROM module_videos mv"
                         " JOIN course_modules m ON m.id = mv.module_id WHERE mv.video_id = ?", (video_id,)).fetchall()
    progress_of = (" LEFT JOIN video_progress p ON p.video_id = mv.video_id AND p.student_id = ?")
    for module_id, _ in homes:
        total, touched, done = conn.execute(
            "SELECT count(DISTINCT mv.video_id), count(DISTINCT p.video_id), count(DISTINCT"
            " CASE WHEN p.completed_at IS NOT NULL THEN p.video_id END) FROM module_videos mv" + progress_of
            + " WHERE mv.module_id = ?", (student_id, module_id)).fetchone()
        started, finished = first_touch and touched == 1, completed and done == total
        if started or finished:
            conn.execute("INSERT INTO module_days(module_id, date, started, completed) VALUES (?, ?, ?, ?)"
                         " ON CONFLICT(module_id, date) DO UPDATE SET started = started + excluded.started,"
                         " completed = completed + excluded.completed", (module_id, day, int(started), int(finished)))
    for course_id in {c for _, c in homes}:
        total, touched, done = conn.execute(
            "SELECT count(DISTINCT mv.video_id), count(DISTINCT p.video_id), count(DISTINCT"
            " CASE WHEN p.completed_at IS NOT NULL THEN p.video_id END) FROM course_modules m"
            " JOIN module_videos mv ON mv.module_id = m.id" + progress_of + " WHERE m.course_id = ?",
            (student_id, course_id)).fetchone()
        started = first_touch and touched == 1
        half = completed and 2 * done >= total > 2 * (done - 1)
        finished = completed and done == total and _log(conn, creator_id, student_id, at, day,
                                                        LogKind.COMPLETED_COURSE, course_id=course_id)
        if finished:
            conn.execute("UPDATE student_summary SET courses_completed = courses_completed + 1"
                         " WHERE student_id = ?", (student_id,))
            _milestone(conn, student_id, "first_course_completed", at)
        if started or half or finished:
            conn.execute("INSERT INTO course_days(course_id, date, started, half, completed) VALUES (?, ?, ?, ?, ?)"
                         " ON CONFLICT(course_id, date) DO UPDATE SET started = started + excluded.started,"
                         " half = half + excluded.half, completed = completed + excluded.completed",
                         (course_id, day, int(started), int(half), int(finished)))
