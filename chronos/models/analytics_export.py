"""CSV reports for a date range (creator-local dates, inclusive), yielded row by row.

Each report's rows are one dataclass; its field names, in order, are the CSV's header.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chronos.db import Connection
from chronos.models import analytics_quiz


@dataclass
class VideoReportRow:
    video_id: int
    title: str
    duration_s: float | None
    views: int
    watch_minutes: float
    completions: int
    questions: int
    quiz_answered: int        # first answers to the video's quiz questions (see models/analytics_quiz)
    quiz_correct: int
    quiz_score: float | None  # percent right at first try


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
    quiz_answered: int
    quiz_correct: int
    quiz_score: float | None


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


@dataclass
class QuizReportRow:
    """A quiz question with the answers given to it in the range (attempts: answers, not skips)."""
    video_id: int
    video: str
    question_id: int
    at_s: float
    kind: str
    prompt: str
    status: str
    attempts: int
    correct: int
    correct_rate: float | None
    skipped: int


RATING_WORDS = {1: "helpful", 0: "not helpful"}
ReportRow = VideoReportRow | StudentReportRow | ChatReportRow | QuizReportRow
REPORTS: dict[str, type] = {"videos": VideoReportRow, "students": StudentReportRow, "chat": ChatReportRow,
                            "quiz": QuizReportRow}


def rows(conn: Connection, creator_id: int, report: str, first: str, last: str) -> Iterator[ReportRow]:
    """One row per video, student, question asked or quiz question (REPORTS[report] is its row type)."""
    yield from {"videos": _videos, "students": _students, "chat": _chat, "quiz": _quiz}[report](
        conn, creator_id, first, last)


def _scored(score: analytics_quiz.Score | None) -> tuple[int, int, float | None]:
    return (score.answered, score.correct, score.percent) if score else (0, 0, None)


def _videos(conn: Connection, creator_id: int, first: str, last: str) -> Iterator[VideoReportRow]:
    quiz = analytics_quiz.scores_by_video(conn, creator_id, first, last)
    for r in conn.execute(
            "SELECT v.id, v.title, v.duration_s, coalesce(sum(a.views), 0), coalesce(sum(a.total_watch_s), 0),"
            " coalesce(sum(a.completion_count), 0), coalesce(sum(a.questions), 0) FROM videos v"
            " LEFT JOIN video_analytics a ON a.video_id = v.id AND a.date BETWEEN ? AND ?"
            " WHERE v.creator_id = ? GROUP BY v.id ORDER BY v.id", (first, last, creator_id)):
        yield VideoReportRow(r[0], r[1], r[2], r[3], round(r[4] / 60, 2), r[5], r[6], *_scored(quiz.get(r[0])))


def _students(conn: Connection, creator_id: int, first: str, last: str) -> Iterator[StudentReportRow]:
    quiz = analytics_quiz.scores_by_student(conn, creator_id, first, last)
    for r in conn.execute(
            "SELECT s.id, coalesce(s.name, s.username), s.email, count(*), sum(d.watch_s), sum(d.questions),"
            " sum(d.sign_ins), (SELECT count(DISTINCT w.video_id) FROM student_video_days w"
            "   WHERE w.student_id = s.id AND w.date BETWEEN :a AND :b),"
            " (SELECT count(*) FROM activity_log l WHERE l.student_id = s.id AND l.kind = 'completed_course'"
            "   AND l.date BETWEEN :a AND :b)"
            " FROM student_days d JOIN students s ON s.id = d.student_id"
            " WHERE d.creator_id = :c AND d.date BETWEEN :a AND :b GROUP BY s.id ORDER BY s.id",
            {"c": creator_id, "a": first, "b": last}):
        yield StudentReportRow(r[0], r[1], r[2], r[3], r[7], round((r[4] or 0) / 60, 2), r[5], r[6], r[8],
                               *_scored(quiz.get(r[0])))


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


def _quiz(conn: Connection, creator_id: int, first: str, last: str) -> Iterator[QuizReportRow]:
    for r in conn.execute(
            "SELECT q.video_id, v.title, q.id, q.at_s, q.kind, q.prompt, q.status, count(a.choice),"
            " coalesce(sum(a.correct), 0), count(a.id) - count(a.choice) FROM quiz_questions q"
            " JOIN videos v ON v.id = q.video_id"
            " LEFT JOIN quiz_answers a ON a.question_id = q.id AND a.date BETWEEN ? AND ?"
            " WHERE q.creator_id = ? GROUP BY q.id ORDER BY q.video_id, q.at_s, q.id", (first, last, creator_id)):
        attempts, correct = r[7], r[8]
        yield QuizReportRow(*r[:7], attempts, correct, round(100 * correct / attempts, 1) if attempts else None, r[9])
