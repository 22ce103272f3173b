"""Usage against a tier's limits: upload reservations, credits, daily questions, meters and costs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from chronos.db import Connection, transaction
from chronos.models import videos
from chronos.timefmt import human_bytes, iso_utc

# A reservation older than this belongs to an upload that died with its process: ignore it.
STALE_RESERVATION = "-6 hours"
# The multipart framing around an uploaded file (boundary, part headers, a title field) is far
# smaller than this, so a request body this much over a limit holds a file over it.
MULTIPART_SLACK = 64 * 1024


class QuotaExceeded(Exception):
    """A limit would be passed; `status` is the HTTP status, `meter` the limit's name."""

    def __init__(self, message: str, status: int, meter: str):
        super().__init__(message)
        self.status, self.meter = status, meter


@dataclass(frozen=True)
class Meter:
    used: int
    limit: int | None


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def period_start(now: datetime | None = None) -> str:
    """The first day of the current month (UTC), YYYY-MM-DD: when monthly limits reset."""
    return (now or now_utc()).strftime("%Y-%m-01")


def next_period_start(now: datetime | None = None) -> str:
    """The first day of next month (UTC)."""
    now = now or now_utc()
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return f"{year:04d}-{month:02d}-01"


# -- uploads -----------------------------------------------------------------------------------

def _videos_this_period(conn: Connection, creator_id: int, start: str) -> int:
    return conn.execute("SELECT coalesce(sum(videos_uploaded), 0) FROM usage_metrics"
                        " WHERE creator_id = ? AND date >= ?", (creator_id, start)).fetchone()[0]


def storage_used(conn: Connection, creator_id: int) -> int:
    """Bytes of media the creator stores now."""
    return conn.execute("SELECT coalesce(sum(size_bytes), 0) FROM videos WHERE creator_id = ?",
                        (creator_id,)).fetchone()[0]


def _reserved(conn: Connection, creator_id: int, exclude_id: int | None = None) -> tuple[int, int]:
    """(uploads in flight, bytes they hold) besides the one excluded."""
    row = conn.execute(
        "SELECT count(*), coalesce(sum(bytes), 0) FROM upload_reservations WHERE creator_id = ?"
        " AND id IS NOT ? AND created_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)",
        (creator_id, exclude_id, STALE_RESERVATION)).fetchone()
    return row[0], row[1]


def _refusal(tier, subject: str, size: int | None, *, uploads: int, stored: int,
             largest: int | None = None) -> QuotaExceeded | None:
    """The first limit one more upload of `size` bytes (None: not known yet) would pass, or None.

    `uploads` and `stored` are what the period and the library already hold; `largest` is the
    server's own size cap, worded as the plan's limit when the plan's is the smaller one.
    """
    cap, whose, remedy = tier.max_upload_bytes, f" of the {tier.label} plan", "Compress it, split it, or upgrade."
    if largest is not None and (cap is None or largest < cap):
        cap, whose, remedy = largest, "", "Compress it or split it."  # no plan lifts the server's own cap
    if size is not None and cap is not None and size > cap:
        return QuotaExceeded(f"{subject} is larger than the {human_bytes(cap)} upload limit{whose}. {remedy}",
                             413, "max_upload_bytes")
    allowed = tier.videos_per_month
    if allowed is not None and uploads + 1 > allowed:
        return QuotaExceeded(f"The {tier.label} plan allows {allowed} upload{'s' if allowed != 1 else ''} "
                             f"a month and they are used; uploads reset on {next_period_start()} (UTC), "
                             "or upgrade for more.", 402, "videos")
    if size is not None and tier.storage_bytes is not None and stored + size > tier.storage_bytes:
        left = max(0, tier.storage_bytes - stored)
        return QuotaExceeded(f"{subject} does not fit: {human_bytes(left)} of the {tier.label} plan's "
                             f"{human_bytes(tier.storage_bytes)} storage is free. Delete videos or upgrade.",
                             413, "storage_bytes")
    return None


def _check_upload(conn: Connection, creator_id: int, tier, size: int, exclude_id: int | None,
                  filename: str) -> None:
    """Refuse an upload of `size` bytes that would pass the size, video or storage limit."""
    count, held = _reserved(conn, creator_id, exclude_id)
    subject = f"“{filename}” ({human_bytes(size)})" if size else f"“{filename}”"
    refusal = _refusal(tier, subject, size,
                       uploads=_videos_this_period(conn, creator_id, period_start()) + count,
                       stored=storage_used(conn, creator_id) + held)
    if refusal is not None:
        raise refusal


def early_refusal(conn: Connection, creator_id: int, tier, body_bytes: int | None,
                  server_max: int) -> QuotaExceeded | None:
    """What an upload request whose body is `body_bytes` long (None: not declared) would be refused
    for, judged before the body is read. Uploads in flight are left to the atomic check."""
    size = None if not body_bytes else body_bytes - MULTIPART_SLACK  # the file is at least this big
    subject = f"This upload ({human_bytes(body_bytes)})" if body_bytes else "This upload"
    return _refusal(tier, subject, size, uploads=_videos_this_period(conn, creator_id, period_start()),
                    stored=storage_used(conn, creator_id), largest=server_max)


def reserve_upload(conn: Connection, creator_id: int, tier, declared_bytes: int | None,
                   filename: str) -> int:
    """Hold room for an upload before its bytes are stored; returns the reservation's id."""
    size = max(0, declared_bytes or 0)  # unknown size: hold a video slot, check bytes at commit
    with transaction(conn):  # the check and the hold are one write transaction: races serialize
        _check_upload(conn, creator_id, tier, size, None, filename)
        cur = conn.execute("INSERT INTO upload_reservations(creator_id, bytes) VALUES (?, ?)",
                           (creator_id, size))
    return cur.lastrowid


def release_upload(conn: Connection, reservation_id: int) -> None:
    """Give back an upload's held room (it was refused or failed)."""
    with transaction(conn):
        conn.execute("DELETE FROM upload_reservations WHERE id = ?", (reservation_id,))


def commit_upload(conn: Connection, reservation_id: int | None, creator_id: int, tier, *,
                  title: str, original_filename: str, media_path: str, container: str,
                  size_bytes: int, has_video: bool, duration_s: float | None, published: bool = False) -> int:
    """Re-check the real size and insert the video row in one transaction; returns its id."""
    with transaction(conn):
        if tier is not None:
            _check_upload(conn, creator_id, tier, size_bytes, reservation_id, original_filename)
        if reservation_id is not None:
            conn.execute("DELETE FROM upload_reservations WHERE id = ?", (reservation_id,))
        video_id = videos.insert_video(conn, creator_id=creator_id, title=title,
                                       original_filename=original_filename, media_path=media_path,
                                       container=container, size_bytes=size_bytes, has_video=has_video,
                                       duration_s=duration_s, published=published)
        conn.execute(
            "INSERT INTO usage_metrics(creator_id, date, videos_uploaded) VALUES (?, ?, 1)"
            " ON CONFLICT(creator_id, date) DO UPDATE SET videos_uploaded = videos_uploaded + 1,"
            " updated_at = ?", (creator_id, now_utc().strftime("%Y-%m-%d"), iso_utc()))
    return video_id


def refund_upload(conn: Connection, video_id: int) -> bool:
    """Give back the upload a video took from its month when it gave nothing: it failed, or is
    being deleted, without ever having completed. Once per video; returns whether it was given."""
    with transaction(conn):
        row = conn.execute("SELECT creator_id, created_at FROM videos WHERE id = ? AND available_at IS NULL"
                           " AND upload_refunded_at IS NULL", (video_id,)).fetchone()
        if row is None:
            return False
        now = iso_utc()
        conn.execute("UPDATE videos SET upload_refunded_at = ? WHERE id = ?", (now, video_id))
        conn.execute("UPDATE usage_metrics SET videos_uploaded = max(0, videos_uploaded - 1), updated_at = ?"
                     " WHERE creator_id = ? AND date = ?", (now, row[0], row[1][:10]))
    return True


def recharge_upload(conn: Connection, video_id: int, tier) -> None:
    """Count a refunded video's upload again as it is retried (QuotaExceeded when the month's
    uploads are used up); a video never refunded is left as it is."""
    with transaction(conn):
        row = conn.execute("SELECT creator_id FROM videos WHERE id = ? AND upload_refunded_at IS NOT NULL",
                           (video_id,)).fetchone()
        if row is None:
            return
        creator_id = row[0]
        count, _ = _reserved(conn, creator_id)
        allowed = tier.videos_per_month if tier is not None else None
        if allowed is not None and _videos_this_period(conn, creator_id, period_start()) + count >= allowed:
            raise QuotaExceeded(f"The {tier.label} plan allows {allowed} upload{'s' if allowed != 1 else ''} a month "
                                f"and they are used, so this video cannot be tried again until "
                                f"{next_period_start()} (UTC), or upgrade for more.", 402, "videos")
        conn.execute("UPDATE videos SET upload_refunded_at = NULL WHERE id = ?", (video_id,))
        conn.execute(
            "INSERT INTO usage_metrics(creator_id, date, videos_uploaded) VALUES (?, ?, 1)"
            " ON CONFLICT(creator_id, date) DO UPDATE SET videos_uploaded = videos_uploaded + 1,"
            " updated_at = ?", (creator_id, now_utc().strftime("%Y-%m-%d"), iso_utc()))


# -- questions ---------------------------------------------------------------------------------

def _credits_this_period(conn: Connection, creator_id: int, start: str) -> int:
    return conn.execute("SELECT coalesce(sum(ai_credits_used), 0) FROM usage_metrics"
                        " WHERE creator_id = ? AND date >= ?", (creator_id, start)).fetchone()[0]


def reserve_question(conn: Connection, creator_id: int, student_id: int | None, tier, *,
                     charge: bool = True) -> str:
    """Take one credit (and one of the student's questions today) or refuse; returns the day.

    charge=False (an answer from the cache: no AI work) checks the same limits and counts the
    student's question, but takes no credit from the creator's month."""
    now = now_utc()
    today = now.strftime("%Y-%m-%d")
    with transaction(conn):  # check and take in one write transaction, so racing askers serialize
        if tier.credits_per_month is not None and \
                _credits_this_period(conn, creator_id, period_start(now)) >= tier.credits_per_month:
            raise QuotaExceeded("This course has used all its AI answers for the month. They reset on "
                                f"{next_period_start(now)} (UTC).", 429, "credits")
        if student_id is not None and tier.questions_per_student_per_day is not None:
            asked = conn.execute("SELECT coalesce(max(questions), 0) FROM student_questions"
                                 " WHERE student_id = ? AND date = ?", (student_id, today)).fetchone()[0]
            if asked >= tier.questions_per_student_per_day:
                tomorrow = (now + timedelta(days=1)).strftime("%Y-%m-%d")
                raise QuotaExceeded(f"You have asked your {tier.questions_per_student_per_day} questions "
                                    f"for today. You can ask again from {tomorrow} 00:00 UTC.",
                                    429, "questions_per_day")
        if student_id is not None:
            conn.execute("INSERT INTO student_questions(student_id, date, questions) VALUES (?, ?, 1)"
                         " ON CONFLICT(student_id, date) DO UPDATE SET questions = questions + 1",
                         (student_id, today))
        if charge:
            conn.execute(
                "INSERT INTO usage_metrics(creator_id, date, ai_credits_used) VALUES (?, ?, 1)"
                " ON CONFLICT(creator_id, date) DO UPDATE SET ai_credits_used = ai_credits_used + 1,"
                " updated_at = ?", (creator_id, today, iso_utc()))
    return today


# -- meters and costs --------------------------------------------------------------------------

def active_students(conn: Connection, creator_id: int, start: str) -> int:
    """Students with access who were active since the period began."""
    return conn.execute("SELECT count(*) FROM students WHERE creator_id = ? AND access = 'active'"
                        " AND last_active_at >= ?", (creator_id, start)).fetchone()[0]


def meters(conn: Connection, creator_id: int, tier) -> dict[str, Meter]:
    """Each metered limit's use in the current period."""
    start = period_start()
    return {"videos": Meter(_videos_this_period(conn, creator_id, start), tier.videos_per_month),
            "storage_bytes": Meter(storage_used(conn, creator_id), tier.storage_bytes),
            "credits": Meter(_credits_this_period(conn, creator_id, start), tier.credits_per_month),
            "students": Meter(active_students(conn, creator_id, start), tier.active_students)}


def previews(conn: Connection, creator_id: int, start: str) -> int:
    """The owner's own questions answered since `start` (they spend no credits)."""
    return conn.execute("SELECT coalesce(sum(preview_answers), 0) FROM usage_metrics"
                        " WHERE creator_id = ? AND date >= ?", (creator_id, start)).fetchone()[0]


def citation_checks(conn: Connection, creator_id: int, start: str) -> tuple[int, int]:
    """Citations since `start` whose quotes were found in the transcript, and those dropped."""
    row = conn.execute("SELECT coalesce(sum(citations_verified), 0), coalesce(sum(citations_dropped), 0)"
                       " FROM usage_metrics WHERE creator_id = ? AND date >= ?", (creator_id, start)).fetchone()
    return row[0], row[1]


def month_costs(conn: Connection, creator_id: int, start: str) -> dict:
    """This period's cost inputs: answer costs and tokens, minutes transcribed, bytes stored."""
    ans = conn.execute(
        "SELECT count(*), coalesce(sum(m.cost_usd), 0), coalesce(sum(m.input_tokens + m.output_tokens), 0)"
        " FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id"
        " WHERE s.creator_id = ? AND m.role = 'assistant' AND m.created_at >= ?",
        (creator_id, start)).fetchone()
    minutes = conn.execute("SELECT coalesce(sum(duration_s), 0) / 60.0 FROM videos"
                           " WHERE creator_id = ? AND created_at >= ?", (creator_id, start)).fetchone()[0]
    by = conn.execute(
        "SELECT coalesce(m.answerer, ''), count(*) FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id"
        " WHERE s.creator_id = ? AND m.role = 'assistant' AND m.created_at >= ? GROUP BY 1 ORDER BY 2 DESC",
        (creator_id, start)).fetchall()
    return {"answers": ans[0], "claude_usd": ans[1], "tokens": ans[2], "minutes": minutes,
            "storage_bytes": storage_used(conn, creator_id), "by_answerer": {r[0]: r[1] for r in by},
            "previews": previews(conn, creator_id, start),
            "citations": dict(zip(("verified", "dropped"), citation_checks(conn, creator_id, start)))}


def video_costs(conn: Connection, creator_id: int, limit: int = 50) -> list[dict]:
    """Per video: bytes stored, minutes transcribed and the answers that cited it."""
    rows = conn.execute(
        "SELECT v.id, v.title, v.size_bytes, coalesce(v.duration_s, 0) / 60.0,"
        " (SELECT count(DISTINCT c.message_id) FROM message_citations c WHERE c.video_id = v.id)"
        " FROM videos v WHERE v.creator_id = ? ORDER BY v.size_bytes DESC LIMIT ?",
        (creator_id, limit)).fetchall()
    return [{"id": r[0], "title": r[1], "size_bytes": r[2], "minutes": r[3], "citing_answers": r[4]}
            for r in rows]


def message_costs(conn: Connection, creator_id: int, limit: int = 20) -> list[dict]:
    """The most recent answers with their model, tokens and cost."""
    rows = conn.execute(
        "SELECT m.id, m.created_at, coalesce(m.model, m.answerer, ''), m.input_tokens, m.output_tokens,"
        " m.cost_usd, m.cached, coalesce(m.answerer, ''), s.student_id IS NULL"
        " FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id"
        " WHERE s.creator_id = ? AND m.role = 'assistant' ORDER BY m.id DESC LIMIT ?",
        (creator_id, limit)).fetchall()
    return [{"id": r[0], "created_at": r[1], "model": r[2], "input_tokens": r[3], "output_tokens": r[4],
             "cost_usd": r[5], "cached": bool(r[6]), "answerer": r[7], "preview": bool(r[8])} for r in rows]


def student_costs(conn: Connection, creator_id: int, start: str) -> list[dict]:
    """Per student this period: answers received and what they cost."""
    rows = conn.execute(
        "SELECT st.id, coalesce(st.name, st.email, 'Student ' || st.id), count(m.id),"
        " coalesce(sum(m.cost_usd), 0) FROM students st"
        " LEFT JOIN chat_sessions s ON s.student_id = st.id"
        " LEFT JOIN chat_messages m ON m.session_id = s.id AND m.role = 'assistant' AND m.created_at >= ?"
        " WHERE st.creator_id = ? GROUP BY st.id ORDER BY 4 DESC, 3 DESC LIMIT 100",
        (start, creator_id)).fetchall()
    return [{"id": r[0], "name": r[1], "answers": r[2], "cost_usd": r[3]} for r in rows]
