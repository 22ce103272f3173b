"""CSV reports for a date range (creator-local dates, inclusive), yielded row by row.

Each report's rows are one dataclass; its field names, in order, are the CSV's header.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chronos.db import Connection


@dataclass
class VideoReportRow:
    video_id: int
    title: str
    duration_s: float | None
    views: int
    watch_minutes: float
    completions: int
    questions: int


@dataclass
class StudentReportRow:
    student_id: int
    name: str | None
    email: str | None
    active_days: int
    videos_watched: int
    watch_minutes: float
    questions: int
    sign_ins: int
    courses_completed: int


@dataclass
class ChatReportRow:
    asked_at: str
    date: str
    student_id: int
    student: str | None
    question: str | None
    video_id: int | None
    video: str | None
    at_s: float | None
    rating: str | None        # the student's rating of the answer: helpful, not helpful, or empty
    rating_reason: str | None
    rating_comment: str | None


RATING_WORDS = {1: "helpful", 0: "not helpful"}
ReportRow = VideoReportRow | StudentReportRow | ChatReportRow
REPORTS: dict[str, type] = {"videos": VideoReportRow, "students": StudentReportRow, "chat": ChatReportRow}


def rows(conn: Connection, creator_id: int, report: str, first: str, last: str) -> Iterator[ReportRow]:
    """One row per video, student or question of the report (REPORTS[report] is its row type)."""
    yield from {"videos": _videos, "students": _students, "chat": _chat}[report](conn, creator_id, first, last)


def _videos(conn: Connection, creator_id: int, first: str, last: str) -> Iterator[VideoReportRow]:
    for r in conn.execute(
            "SELECT v.id, v.title, v.duration_s, coalesce(sum(a.views), 0), coalesce(sum(a.total_watch_s), 0),"
            " coalesce(sum(a.completion_count), 0), coalesce(sum(a.questions), 0) FROM videos v"
            " LEFT JOIN video_analytics a ON a.video_id = v.id AND a.date BETWEEN ? AND ?"
            " WHERE v.creator_id = ? GROUP BY v.id ORDER BY v.id", (first, last, creator_id)):
        yield VideoReportRow(r[0], r[1], r[2], r[3], round(r[4] / 60, 2), r[5], r[6])


def _students(conn: Connection, creator_id: int, first: str, last: str) -> Iterator[StudentReportRow]:
    for r in conn.execute(
            "SELECT s.id, coalesce(s.name, s.username), s.email, count(*), sum(d.watch_s), sum(d.questions),"
            " sum(d.sign_ins), (SELECT count(DISTINCT w.video_id) FROM student_video_days w"
            "   WHERE w.student_id = s.id AND w.date BETWEEN :a AND :b),"
            " (SELECT count(*) FROM activity_log l WHERE l.student_id = s.id AND l.kind = 'completed_course'"
            "   AND l.date BETWEEN :a AND :b)"
            " FROM student_days d JOIN students s ON s.id = d.student_id"
            " WHERE d.creator_id = :c AND d.date BETWEEN :a AND :b GROUP BY s.id ORDER BY s.id",
            {"c": creator_id, "a": first, "b": last}):
        yield StudentReportRow(r[0], r[1], r[2], r[3], r[7], round((r[4] or 0) / 60, 2), r[5], r[6], r[8])


def _chat(conn: Connection, creator_id: int, first: str, last: str) -> Iterator[ChatReportRow]:
    # The answer is the message right after the question in its chat; its rating is the asker's.
    for r in conn.execute(
            "SELECT a.at, a.date, a.student_id, coalesce(s.name, s.username), q.content, a.video_id, v.title,"
            " a.at_s, r.helpful, r.reason, r.comment FROM activity_log a JOIN students s ON s.id = a.student_id"
            " LEFT JOIN chat_messages q ON q.id = a.message_id LEFT JOIN videos v ON v.id = a.video_id"
            " LEFT JOIN answer_ratings r ON r.student_id = a.student_id AND r.message_id ="
            "   (SELECT min(n.id) FROM chat_messages n WHERE n.session_id = q.session_id AND n.id > q.id)"
            " WHERE a.creator_id = ? AND a.kind = 'asked' AND a.date BETWEEN ? AND ? ORDER BY a.at, a.id",
            (creator_id, first, last)):
        yield ChatReportRow(*r[:8], RATING_WORDS.get(r[8]), r[9], r[10])
