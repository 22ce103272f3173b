"""Students in the dashboard: the leaderboard and one student's timeline and course progress."""
from __future__ import annotations

from chronos.db import Connection
from chronos.models.analytics_range import Range
from chronos.timefmt import clock

SORTS = {"videos": "videos_watched", "questions": "questions", "courses": "courses_completed"}
TIMELINE_LIMIT = 200


def leaderboard(conn: Connection, creator_id: int, rng: Range, *, sort: str = "videos", order: str = "desc",
                limit: int = 50, offset: int = 0) -> dict:
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
    return {"total": total, "students": [{
        "id": r["id"], "name": _display_name(r), "email": r["email"],
        "videos_watched": r["videos_watched"], "questions": r["questions"],
        "courses_completed": r["courses_completed"], "watch_s": round(r["watch_s"] or 0.0, 1),
        "last_active_at": r["last_active_at"]} for r in rows]}


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


def student_detail(conn: Connection, creator_id: int, student_id: int) -> dict | None:
    """The student, their timeline (newest first) and their progress in each course; None if not theirs."""
    s = conn.execute("SELECT s.*, m.joined_at FROM students s LEFT JOIN student_summary m ON m.student_id = s.id"
                     " WHERE s.id = ? AND s.creator_id = ?", (student_id, creator_id)).fetchone()
    if s is None:
        return None
    return {"student": {"id": s["id"], "name": _display_name(s),
                        "email": s["email"], "joined_at": s["joined_at"] or s["created_at"],
                        "last_active_at": s["last_active_at"], "access": s["access"]},
            "timeline": timeline(conn, student_id),
            "courses": _courses(conn, creator_id, student_id)}


def _display_name(student) -> str:
    """What the dashboard calls a student: their name, else their username, else their number."""
    return student["name"] or student["username"] or f"Student {student['id']}"


def timeline(conn: Connection, student_id: int) -> list[dict]:
    """The student's recorded events, newest first, in words."""
    rows = conn.execute(
        "SELECT a.at, a.kind, a.video_id, a.course_id, a.at_s, v.title AS video, c.title AS course,"
        " q.content AS question FROM activity_log a LEFT JOIN videos v ON v.id = a.video_id"
        " LEFT JOIN courses c ON c.id = a.course_id LEFT JOIN chat_messages q ON q.id = a.message_id"
        " WHERE a.student_id = ? ORDER BY a.at DESC, a.id DESC LIMIT ?", (student_id, TIMELINE_LIMIT))
    return [{"at": r["at"], "kind": r["kind"], "text": _words(r), "video_id": r["video_id"],
             "course_id": r["course_id"], "at_s": r["at_s"]} for r in rows]


def _words(r) -> str:
    video = f"“{r['video']}”" if r["video"] else "a video"
    if r["kind"] == "joined":
        return "Joined"
    if r["kind"] == "signed_in":
        return "Signed in"
    if r["kind"] == "watched":
        return f"Watched {video}"
    if r["kind"] == "asked":
        where = f" (at {clock(r['at_s'])} in {video})" if r["at_s"] is not None else ""
        return f"Asked “{(r['question'] or '').strip()[:140]}”{where}"
    if r["kind"] == "completed_video":
        return f"Completed {video}"
    return f"Completed the course “{r['course'] or 'deleted course'}”"


def _courses(conn: Connection, creator_id: int, student_id: int) -> list[dict]:
    rows = conn.execute(
        "SELECT c.id, c.title, count(DISTINCT mv.video_id) AS total, count(DISTINCT p.video_id) AS done,"
        " cp.last_video_id FROM courses c JOIN course_modules m ON m.course_id = c.id"
        " JOIN module_videos mv ON mv.module_id = m.id"
        " LEFT JOIN video_progress p ON p.video_id = mv.video_id AND p.student_id = :s AND p.completed_at IS NOT NULL"
        " LEFT JOIN course_progress cp ON cp.course_id = c.id AND cp.student_id = :s"
        " WHERE c.creator_id = :c GROUP BY c.id ORDER BY c.order_index, c.id",
        {"s": student_id, "c": creator_id}).fetchall()
    return [{"course_id": r["id"], "title": r["title"],
             "percent": round(100 * r["done"] / r["total"], 1) if r["total"] else 0.0,
             "completed": bool(r["total"]) and r["done"] >= r["total"], "last_video_id": r["last_video_id"]}
            for r in rows]
