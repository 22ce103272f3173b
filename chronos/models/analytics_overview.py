"""The dashboard overview, computed from the rollups models.activity keeps (never raw events)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date

from chronos.db import Connection
from chronos.models import analytics_attention, analytics_courses, ratings
from chronos.models.activity import periods_of
from chronos.models.analytics_attention import AttentionVideo
from chronos.models.analytics_courses import CourseFunnel
from chronos.models.analytics_range import Range
from chronos.models.ratings import Share, Unhelpful

# Students by watch time in the range: [low, high) seconds, the last bucket open-ended.
WATCH_BUCKETS: list[tuple[int, int | None]] = [(0, 60), (60, 300), (300, 900), (900, 3600),
                                               (3600, 10800), (10800, None)]


@dataclass
class Metric:
    """A headline number, the previous period's (None for all time) and the change in percent.

    The helpful share is None when no student rated an answer in the period."""

    value: float | None
    previous: float | None
    change_pct: float | None


@dataclass
class Headline:
    """The headline numbers (engagement: 0-100, see web.analytics_json for its formula; helpful:
    the percent of students' answer ratings that were thumbs up)."""

    students: Metric
    videos: Metric
    messages: Metric
    engagement: Metric
    helpful: Metric


@dataclass
class DayViews:
    date: str
    views: int
    watch_s: float


@dataclass
class VideoViews:
    video_id: int
    title: str
    views: int
    watch_s: float


@dataclass
class WatchBucket:
    """Students whose watch time in the range is in [low_s, high_s) (high_s None: no upper bound)."""

    low_s: int
    high_s: int | None
    students: int


@dataclass
class PeriodCount:
    """Distinct active students in a day (YYYY-MM-DD), ISO week (YYYY-Www) or month (YYYY-MM)."""

    period: str
    students: int


@dataclass
class ActiveStudents:
    daily: list[PeriodCount]
    weekly: list[PeriodCount]
    monthly: list[PeriodCount]


@dataclass
class JourneyStep:
    step: str  # joined | first_video | first_question | first_course_completed
    students: int


@dataclass
class Cohort:
    """A weekly join cohort: % active on day N after joining (None: day N has not come yet)."""

    cohort: str
    size: int
    days: list[float | None]


@dataclass
class DayMessages:
    date: str
    messages: int


@dataclass
class VideoQuestions:
    video_id: int
    title: str
    questions: int


@dataclass
class VideoTotals:
    """A video's totals over the range (or all time)."""

    video_id: int
    title: str
    duration_s: float | None
    views: int
    watch_s: float
    completions: int
    questions: int


@dataclass
class Overview:
    """Everything the dashboard's overview shows for one range."""

    range: Range
    headline: Headline
    views_over_time: list[DayViews]
    top_videos: list[VideoViews]
    watch_time: list[WatchBucket]
    active_students: ActiveStudents
    journey: list[JourneyStep]
    retention: list[Cohort]
    messages_per_day: list[DayMessages]
    messages_by_hour: list[int]
    top_videos_by_questions: list[VideoQuestions]
    courses: list[CourseFunnel]
    needs_attention: list[AttentionVideo]
    ratings: Share                # students' ratings of answers in the range
    unhelpful: list[Unhelpful]    # thumbs down in the range (the owner's too), newest first


def overview(conn: Connection, creator_id: int, rng: Range) -> Overview:
    """Everything the dashboard's overview shows for one range (see the API contract)."""
    days = rng.days()
    daily = _creator_days(conn, creator_id, rng.first, rng.last)
    students = _students(conn, creator_id, rng.first, rng.last, all_time=rng.previous_first is None)
    videos = _video_totals(conn, creator_id, rng.first, rng.last, all_time=rng.previous_first is None)
    current = _headline_inputs(daily.values(), students, videos)
    rated = ratings.share(conn, creator_id, rng.first, rng.last)
    current["helpful"] = rated.percent
    previous = None
    if rng.previous_first:
        prev_daily = _creator_days(conn, creator_id, rng.previous_first, rng.previous_last)
        prev_students = _students(conn, creator_id, rng.previous_first, rng.previous_last)
        prev_videos = _video_totals(conn, creator_id, rng.previous_first, rng.previous_last)
        previous = _headline_inputs(prev_daily.values(), prev_students, prev_videos)
        previous["helpful"] = ratings.share(conn, creator_id, rng.previous_first, rng.previous_last).percent
    by_views = sorted(videos.values(), key=lambda v: (-v.views, v.video_id))
    by_questions = sorted((v for v in videos.values() if v.questions), key=lambda v: (-v.questions, v.video_id))
    zero = {"views": 0, "watch_s": 0.0, "messages": 0, "active": 0}
    return Overview(
        range=rng,
        headline=_headline(current, previous),
        views_over_time=[DayViews(d, daily.get(d, zero)["views"], round(daily.get(d, zero)["watch_s"], 1))
                         for d in days],
        top_videos=[VideoViews(v.video_id, v.title, v.views, round(v.watch_s, 1))
                    for v in by_views[:10] if v.views],
        watch_time=[WatchBucket(low, high, n) for (low, high), n in zip(WATCH_BUCKETS, students[2:])],
        active_students=ActiveStudents([PeriodCount(d, daily.get(d, zero)["active"]) for d in days],
                                       *_active_periods(conn, creator_id, rng)),
        journey=_journey(conn, creator_id, rng),
        retention=_retention(conn, creator_id, rng, daily),
        messages_per_day=[DayMessages(d, daily.get(d, zero)["messages"]) for d in days],
        messages_by_hour=_by_hour(conn, creator_id, rng),
        top_videos_by_questions=[VideoQuestions(v.video_id, v.title, v.questions) for v in by_questions[:10]],
        courses=analytics_courses.funnels(conn, creator_id, rng, current["students"]),
        needs_attention=analytics_attention.needs_attention(conn, creator_id, rng, videos),
        ratings=rated,
        unhelpful=ratings.unhelpful(conn, creator_id, rng.first, rng.last),
    )


def _creator_days(conn: Connection, creator_id: int, first: str, last: str) -> dict[str, dict]:
    rows = conn.execute("SELECT date, views, watch_s, completions, messages, active_students, joins"
                        " FROM creator_days WHERE creator_id = ? AND date BETWEEN ? AND ?", (creator_id, first, last))
    return {r["date"]: {"views": r["views"], "watch_s": r["watch_s"], "completions": r["completions"],
                        "messages": r["messages"], "active": r["active_students"], "joins": r["joins"]}
            for r in rows}


def _students(conn: Connection, creator_id: int, first: str, last: str, *, all_time: bool = False) -> tuple:
    """(active students, returning students (2+ active days), then a count per WATCH_BUCKETS)."""
    buckets = ", ".join(f"coalesce(sum(w >= {low}{f' AND w < {top}' if top else ''}), 0)"
                        for low, top in WATCH_BUCKETS)
    if all_time:  # the per-student totals already hold it
        inner = "SELECT active_days AS n, coalesce(watch_s, 0) AS w FROM student_summary WHERE creator_id = ?"
        args: tuple = (creator_id,)
    else:
        inner = ("SELECT count(*) AS n, coalesce(sum(watch_s), 0) AS w FROM student_days WHERE creator_id = ?"
                 " AND date BETWEEN ? AND ? GROUP BY student_id")
        args = (creator_id, first, last)
    return tuple(conn.execute(f"SELECT count(*), coalesce(sum(n >= 2), 0), {buckets} FROM ({inner})",
                              args).fetchone())


def _video_totals(conn: Connection, creator_id: int, first: str, last: str, *,
                  all_time: bool = False) -> dict[int, VideoTotals]:
    if all_time:
        rows = conn.execute(
            "SELECT v.id, v.title, v.duration_s, t.views, t.watch_s, t.completions, t.questions FROM videos v"
            " JOIN video_totals t ON t.video_id = v.id WHERE v.creator_id = ?", (creator_id,))
    else:
        rows = conn.execute(
            "SELECT v.id, v.title, v.duration_s, sum(a.views) AS views, sum(a.total_watch_s) AS watch_s,"
            " sum(a.completion_count) AS completions, sum(a.questions) AS questions FROM videos v"
            " JOIN video_analytics a ON a.video_id = v.id AND a.date BETWEEN ? AND ?"
            " WHERE v.creator_id = ? GROUP BY v.id", (first, last, creator_id))
    return {r["id"]: VideoTotals(r["id"], r["title"], r["duration_s"], r[3], r[4], r[5], r[6]) for r in rows}


def _headline_inputs(daily, students: tuple, videos: dict[int, VideoTotals]) -> dict:
    days = list(daily)
    active = students[0]
    views = sum(d["views"] for d in days)
    messages = sum(d["messages"] for d in days)
    completion = min(1.0, sum(d["completions"] for d in days) / views) if views else 0.0
    per_student = min(1.0, messages / active) if active else 0.0
    returning = students[1] / active if active else 0.0
    return {"students": active, "videos": sum(1 for v in videos.values() if v.views),
            "messages": messages,
            "engagement": round(100 * (0.4 * completion + 0.3 * per_student + 0.3 * returning), 1)}


def _change(value: float | None, previous: float | None) -> float | None:
    if value is None or previous is None or previous == 0:
        return None
    return round(100 * (value - previous) / previous, 1)


def _headline(current: dict, previous: dict | None) -> Headline:
    def metric(key: str) -> Metric:
        before = previous[key] if previous else None
        return Metric(current[key], before, _change(current[key], before))

    return Headline(metric("students"), metric("videos"), metric("messages"), metric("engagement"),
                    metric("helpful"))


def _active_periods(conn: Connection, creator_id: int, rng: Range) -> tuple[list[PeriodCount], list[PeriodCount]]:
    """Distinct active students per ISO week and month of the range (edge periods cut to the range).

    Whole periods come from creator_periods; only the cut edges are counted from student_days.
    """
    kept = dict(conn.execute("SELECT period, students FROM creator_periods WHERE creator_id = ?"
                             " AND period BETWEEN ? AND ?", (creator_id, rng.first[:4], rng.last[:4] + "~")))
    spans: dict[str, list[str]] = {}
    for day in rng.days():
        for period, first, last in periods_of(Date.fromisoformat(day)):
            spans.setdefault(period, [max(first, rng.first), min(last, rng.last), first, last])
    out: dict[str, list[PeriodCount]] = {"weekly": [], "monthly": []}
    for period, (first, last, whole_first, whole_last) in sorted(spans.items()):
        if (first, last) == (whole_first, whole_last):
            n = kept.get(period, 0)
        else:
            n = conn.execute("SELECT count(DISTINCT student_id) FROM student_days WHERE creator_id = ?"
                             " AND date BETWEEN ? AND ?", (creator_id, first, last)).fetchone()[0]
        out["weekly" if "-W" in period else "monthly"].append(PeriodCount(period, n))
    return out["weekly"], out["monthly"]


def _journey(conn: Connection, creator_id: int, rng: Range) -> list[JourneyStep]:
    row = conn.execute("SELECT coalesce(sum(joined), 0), coalesce(sum(first_video), 0),"
                       " coalesce(sum(first_question), 0), coalesce(sum(first_course_completed), 0)"
                       " FROM journey_days WHERE creator_id = ? AND joined_date BETWEEN ? AND ?",
                       (creator_id, rng.first, rng.last)).fetchone()
    steps = ("joined", "first_video", "first_question", "first_course_completed")
    return [JourneyStep(s, n) for s, n in zip(steps, row)]


def _retention(conn: Connection, creator_id: int, rng: Range, daily: dict[str, dict]) -> list[Cohort]:
    """Weekly join cohorts: % active on day N after joining, over members for whom day N has come."""
    today = Date.fromisoformat(rng.last)
    sizes = [(day, d["joins"]) for day, d in sorted(daily.items()) if d["joins"]]
    active: dict[tuple[str, int], int] = defaultdict(int)
    for joined, day_n, n in conn.execute(
            "SELECT joined_date, day_n, students FROM retention_days WHERE creator_id = ?"
            " AND joined_date BETWEEN ? AND ?", (creator_id, rng.first, rng.last)):
        active[joined, day_n] = n
    cohorts: dict[str, list[tuple[Date, str, int]]] = defaultdict(list)
    for joined, size in sizes:
        day = Date.fromisoformat(joined)
        year, week, _ = day.isocalendar()
        cohorts[f"{year}-W{week:02d}"].append((day, joined, size))
    out = []
    for cohort in sorted(cohorts):
        eligible, returned = [0] * 31, [0] * 31
        for day, joined, size in cohorts[cohort]:
            for n in range(min(30, (today - day).days) + 1):  # day N has come for these members
                eligible[n] += size
                returned[n] += active[joined, n]
        out.append(Cohort(cohort, sum(size for _, _, size in cohorts[cohort]),
                          [round(100 * r / e, 1) if e else None for r, e in zip(returned, eligible)]))
    return out


def _by_hour(conn: Connection, creator_id: int, rng: Range) -> list[int]:
    hours = [0] * 24
    for hour, n in conn.execute("SELECT hour, sum(messages) FROM creator_hours WHERE creator_id = ?"
                                " AND date BETWEEN ? AND ? GROUP BY hour", (creator_id, rng.first, rng.last)):
        hours[hour] = n
    return hours
