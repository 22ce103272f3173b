"""Quiz analytics: each question's attempts and correct rate, quiz scores per video and per student,
and where wrong answers point on a video's timeline.

An attempt is an answer given (a skip is counted apart). A score counts each student's first answer
to each question: the share they got right at first try (answering again after rewatching does not
raise it). Dates are the creator-local days the answers were given; None bounds mean all time.
"""
from __future__ import annotations

from dataclasses import dataclass

from chronos.db import Connection


@dataclass(frozen=True)
class QuestionStats:
    attempts: int
    correct: int
    skipped: int
    students: int

    @property
    def correct_rate(self) -> float | None:
        return round(100 * self.correct / self.attempts, 1) if self.attempts else None

    def to_json(self) -> dict:
        return {"attempts": self.attempts, "correct": self.correct, "skipped": self.skipped,
                "students": self.students, "correct_rate": self.correct_rate}


@dataclass(frozen=True)
class Score:
    """First answers and how many of them were right."""
    answered: int
    correct: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.correct / self.answered, 1) if self.answered else None

    def to_json(self) -> dict:
        return {"answered": self.answered, "correct": self.correct, "percent": self.percent}


@dataclass(frozen=True)
class VideoScore:
    video_id: int
    title: str
    score: Score


_FIRSTS = ("SELECT min(id) FROM quiz_answers WHERE choice IS NOT NULL AND {where} GROUP BY student_id, question_id")


def question_stats(conn: Connection, video_id: int) -> dict[int, QuestionStats]:
    """Every answered or skipped question of the video, all time."""
    rows = conn.execute(
        "SELECT question_id, count(choice), coalesce(sum(correct), 0), count(*) - count(choice),"
        " count(DISTINCT student_id) FROM quiz_answers WHERE video_id = ? GROUP BY question_id", (video_id,))
    return {r[0]: QuestionStats(r[1], r[2], r[3], r[4]) for r in rows}


def video_score(conn: Connection, video_id: int, first: str | None = None, last: str | None = None) -> Score:
    """The students' first-try score on the video's questions."""
    where, args = _dated("video_id = ?", [video_id], first, last)
    return _score(conn, where, args)


def student_scores(conn: Connection, creator_id: int, student_id: int) -> tuple[Score, list[VideoScore]]:
    """One student's first-try score overall and per video (videos in the order first answered)."""
    firsts = _FIRSTS.format(where="student_id = ? AND creator_id = ?")
    rows = conn.execute(
        "SELECT a.video_id, v.title, count(*), sum(a.correct) FROM quiz_answers a JOIN videos v ON v.id = a.video_id"
        f" WHERE a.id IN ({firsts}) GROUP BY a.video_id ORDER BY min(a.id)", (student_id, creator_id)).fetchall()
    per_video = [VideoScore(r[0], r[1], Score(r[2], r[3])) for r in rows]
    return Score(sum(v.score.answered for v in per_video), sum(v.score.correct for v in per_video)), per_video


def wrong_answers(conn: Connection, video_id: int, first: str, last: str) -> list[float]:
    """Where the answering sentence begins, for every wrong answer given in the range."""
    return [r[0] for r in conn.execute(
        "SELECT q.replay_at_s FROM quiz_answers a JOIN quiz_questions q ON q.id = a.question_id"
        " WHERE a.video_id = ? AND a.choice IS NOT NULL AND a.correct = 0 AND a.date BETWEEN ? AND ?",
        (video_id, first, last))]


def scores_by_video(conn: Connection, creator_id: int, first: str, last: str) -> dict[int, Score]:
    """Each video's first-try score over answers given in the range (for the CSV export)."""
    return _grouped(conn, "video_id", creator_id, first, last)


def scores_by_student(conn: Connection, creator_id: int, first: str, last: str) -> dict[int, Score]:
    """Each student's first-try score over answers given in the range (for the CSV export)."""
    return _grouped(conn, "student_id", creator_id, first, last)


def _grouped(conn: Connection, column: str, creator_id: int, first: str, last: str) -> dict[int, Score]:
    where, args = _dated("creator_id = ?", [creator_id], first, last)
    rows = conn.execute(f"SELECT {column}, count(*), sum(correct) FROM quiz_answers"
                        f" WHERE id IN ({_FIRSTS.format(where=where)}) GROUP BY {column}", args)
    return {r[0]: Score(r[1], r[2]) for r in rows}


def _dated(where: str, args: list, first: str | None, last: str | None) -> tuple[str, list]:
    if first is not None and last is not None:
        return f"{where} AND date BETWEEN ? AND ?", [*args, first, last]
    return where, args


def _score(conn: Connection, where: str, args: list) -> Score:
    row = conn.execute(f"SELECT count(*), coalesce(sum(correct), 0) FROM quiz_answers"
                       f" WHERE id IN ({_FIRSTS.format(where=where)})", args).fetchone()
    return Score(row[0], row[1])
