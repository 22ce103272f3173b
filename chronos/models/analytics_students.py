"""Students in the dashboard: the leaderboard and one student's timeline and course progress."""
from __future__ import annotations

from dataclasses import dataclass, field

from chronos.db import Connection
from chronos.models.analytics_quiz import Score, VideoScore, student_scores
from chronos.models.analytics_range import Range

SORTS = {"videos": "videos_watched", "questions": "questions", "courses": "courses_completed"}
TIMELINE_LIMIT = 200


@dataclass
class StudentRow:
    """A leaderboard row: what the student did in the range (name and username may be empty)."""

    id: int
    name: str | None
    username: str | None
    email: str | None
    videos_watched: int
    questions: int
    courses_completed: int
    watch_s: float
    last_active_at: str | None


@dataclass
class Leaderboard:
    total: int  # students active in the range, over every page
    students: list[StudentRow]


@dataclass
class StudentInfo:
    id: int
    name: str | None
    username: str | None
    email: str | None
    joined_at: str
    last_active_at: str | None
    access: str


@dataclass
class TimelineEvent:
    """One recorded event, with the titles and question it refers to (None when gone or not one)."""

    at: str
    kind: str  # joined | signed_in | watched | asked | completed_video | completed_course
    video_id: int | None
    course_id: int | None
    at_s: float | None
    video_title: str | None
    course_title: str | None
    question: str | None


@dataclass
class CourseProgress:
    course_id: int
    title: str
    percent: float
    completed: bool
    last_video_id: int | None


@dataclass
class StudentDetail:
    student: StudentInfo
    timeline: list[TimelineEvent]  # newest first
    courses: list[CourseProgress]
    quiz: Score = Score(0, 0)  # first-try quiz score, all time
    quiz_videos: list[VideoScore] = field(default_factory=list)


def leaderboard(conn: Connection, creator_id: int, rng: Range, *, sort: str = "videos", order: str = "desc",
                limit: int = 50, offset: int = 0) -> Leaderboard:
    """Students active in the range with their videos watched, questions and courses completed there."""
    column = SORTS[sort]
    direction = "ASC" if order == "asc" else "DESC"
    if rng.previous_first is None:  # all time: the per-student totals hold it
        base = ("SELECT s.id, s.name, s.email, s.username, s.last_active_at, m.watch_s, m.questions,"
                " m.videos AS videos_watched, m.courses_completed FROM student_summary m"
                " JOIN students s ON s.id = m.student_id WHERE m.creator_id = :c")
    else:
        base = _IN_RANGE
    args = {"c": creator_id, "a": rng.first, "b": rng.last}
    total = conn.execute(f"SELECT count(*) FROM ({base})", args).fetchone()[0]
    rows = conn.execute(f"{base} ORDER BY {column} {direction}, s.id LIMIT :limit OFFSET :offset",
                        args | {"limit": limit, "offset": offset}).fetchall()
    return Leaderboard(total, [StudentRow(
        r["id"], r["name"], r["username"], r["email"], r["videos_watched"], r["questions"],
        r["courses_completed"], round(r["watch_s"] or 0.0, 1), r["last_active_at"]) for r in rows])


# Students active in the range, with what they did in it.
_IN_RANGE = (
    "WITH active AS (SELECT student_id, sum(watch_s) AS watch_s, sum(questions) AS questions"
    "   FROM student_days WHERE creator_id = :c AND date BETWEEN :a AND :b GROUP BY student_id),"
    " videos AS (SELECT w.student_id, count(DISTINCT w.video_id) AS n FROM student_video_days w"
    "   JOIN active USING (student_id) WHERE w.date BETWEEN :a AND :b GROUP BY w.student_id),"
    " courses AS (SELECT student_id, count(*) AS n FROM activity_log WHERE creator_id = :c"
    "   AND kind = 'completed_course' AND date BETWEEN :a AND :b GROUP BY student_id)"
    " SELECT s.id, s.name, s.email, s.username, s.last_active_at, active.watch_s, active.questions,"
    " coalesce(videos.n, 0) AS videos_watched, coalesce(courses.n, 0) AS courses_completed"
    " FROM active JOIN students s ON s.id = active.student_id"
    " LEFT JOIN videos USING (student_id) LEFT JOIN courses USING (student_id)")


def student_detail(conn: Connection, creator_id: int, student_id: int) -> StudentDetail | None:
    """The student, their timeline (newest first) and their progress in each course; None if not theirs."""
    s = conn.execute("SELECT s.*, m.joined_at FROM students s LEFT JOIN student_summary m ON m.student_id = s.id"
                     " WHERE s.id = ? AND s.creator_id = ?", (student_id, creator_id)).fetchone()
    if s is None:
        return None
    quiz, per_video = student_scores(conn, creator_id, student_id)
    return StudentDetail(StudentInfo(s["id"], s["name"], s["username"], s["email"],
                                     s["joined_at"] or s["created_at"], s["last_active_at"], s["access"]),
                         timeline(conn, student_id), _courses(conn, creator_id, student_id), quiz, per_video)


def timeline(conn: Connection, student_id: int) -> list[TimelineEvent]:
    """The student's recorded events, newest first."""
    rows = conn.execute(
        "SELECT a.at, a.kind, a.video_id, a.course_id, a.at_s, v.title AS video, c.title AS course,"
        " q.content AS question FROM activity_log a LEFT JOIN videos v ON v.id = a.video_id"
        " LEFT JOIN courses c ON c.id = a.course_id LEFT JOIN chat_messages q ON q.id = a.message_id"
        " WHERE a.student_id = ? ORDER BY a.at DESC, a.id DESC LIMIT ?", (student_id, TIMELINE_LIMIT))
    return [TimelineEvent(r["at"], r["kind"], r["video_id"], r["course_id"], r["at_s"], r["video"], r["course"],
                          r["question"]) for r in rows]


def _courses(conn: Connection, creator_id: int, student_id: int) -> list[CourseProgress]:
    rows = conn.execute(
        "SELECT c.id, c.title, count(DISTINCT mv.video_id) AS total, count(DISTINCT p.video_id) AS done,"
        " cp.last_video_id FROM courses c JOIN course_modules m ON m.course_id = c.id"
        " JOIN module_videos mv ON mv.module_id = m.id"
        " LEFT JOIN video_progress p ON p.video_id = mv.video_id AND p.student_id = :s AND p.completed_at IS NOT NULL"
        " LEFT JOIN course_progress cp ON cp.course_id = c.id AND cp.student_id = :s"
        " WHERE c.creator_id = :c GROUP BY c.id ORDER BY c.order_index, c.id",
        {"s": student_id, "c": creator_id}).fetchall()
    return [CourseProgress(r["id"], r["title"], round(100 * r["done"] / r["total"], 1) if r["total"] else 0.0,
                           bool(r["total"]) and r["done"] >= r["total"], r["last_video_id"]) for r in rows]
