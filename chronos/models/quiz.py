"""Quiz checkpoints: a video's questions (drafted or the creator's own, approved or not) and the
answers students give them (migration 18)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from chronos.db import Connection, transaction
from chronos.models.visibility import student_visible_sql
from chronos.timefmt import iso_utc

STATUSES = ("draft", "approved")
EDITABLE = ("kind", "at_s", "prompt", "choices", "answer_index", "source_text", "replay_at_s", "status")


@dataclass(frozen=True)
class NewQuestion:
    """A question before it is stored."""
    kind: str
    at_s: float
    prompt: str
    choices: tuple[str, ...]
    answer_index: int
    source_text: str
    replay_at_s: float
    origin: str
    status: str = "draft"


@dataclass(frozen=True)
class Question:
    id: int
    video_id: int
    creator_id: int
    kind: str
    at_s: float
    prompt: str
    choices: tuple[str, ...]
    answer_index: int
    source_text: str
    replay_at_s: float
    status: str
    origin: str
    edited: bool
    created_at: str
    updated_at: str

    def to_json(self) -> dict:
        """The owner's view: every field."""
        return {"id": self.id, "video_id": self.video_id, "kind": self.kind, "at_s": self.at_s,
                "prompt": self.prompt, "choices": list(self.choices), "answer_index": self.answer_index,
                "source_text": self.source_text, "replay_at_s": self.replay_at_s, "status": self.status,
                "origin": self.origin, "edited": self.edited, "updated_at": self.updated_at}


@dataclass(frozen=True)
class Answered:
    """A student's latest answer to a question (choice None: skipped), and whether they ever got it right."""
    question_id: int
    choice: int | None
    correct: bool
    ever_correct: bool
    attempts: int


def _question(r) -> Question:
    return Question(r["id"], r["video_id"], r["creator_id"], r["kind"], r["at_s"], r["prompt"],
                    tuple(json.loads(r["choices"])), r["answer_index"], r["source_text"], r["replay_at_s"],
                    r["status"], r["origin"], bool(r["edited"]), r["created_at"], r["updated_at"])


def add_questions(conn: Connection, video_id: int, creator_id: int,
                  drafts: Sequence[NewQuestion]) -> list[Question]:
    """Store questions for a video; returns them as stored, in the order given."""
    stamp = iso_utc()
    ids = []
    with transaction(conn):
        for d in drafts:
            cur = conn.execute(
                "INSERT INTO quiz_questions(video_id, creator_id, kind, at_s, prompt, choices, answer_index,"
                " source_text, replay_at_s, status, origin, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (video_id, creator_id, d.kind, d.at_s, d.prompt, json.dumps(list(d.choices)), d.answer_index,
                 d.source_text, d.replay_at_s, d.status, d.origin, stamp, stamp))
            ids.append(cur.lastrowid)
    return [get_question(conn, i, creator_id) for i in ids]


def get_question(conn: Connection, question_id: int, creator_id: int) -> Question | None:
    """One of the creator's questions, or None."""
    r = conn.execute("SELECT * FROM quiz_questions WHERE id = ? AND creator_id = ?",
                     (question_id, creator_id)).fetchone()
    return _question(r) if r else None


def video_questions(conn: Connection, video_id: int, *, approved_only: bool = False) -> list[Question]:
    """A video's questions in the order they are asked (only approved ones: what students meet)."""
    where = " AND status = 'approved'" if approved_only else ""
    rows = conn.execute(f"SELECT * FROM quiz_questions WHERE video_id = ?{where} ORDER BY at_s, id", (video_id,))
    return [_question(r) for r in rows]


def question_for_student(conn: Connection, question_id: int, creator_id: int) -> Question | None:
    """An approved question of a video students may see (models/visibility.py), or None."""
    r = conn.execute(
        "SELECT q.* FROM quiz_questions q JOIN videos v ON v.id = q.video_id WHERE q.id = ?"
        f" AND q.creator_id = ? AND q.status = 'approved' AND {student_visible_sql('v')}",
        (question_id, creator_id)).fetchone()
    return _question(r) if r else None


def update_question(conn: Connection, question_id: int, changes: dict) -> None:
    """Change some of EDITABLE's fields; a change the creator makes marks the question edited."""
    if not changes:
        return
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    values = {k: json.dumps(list(v)) if k == "choices" else v for k, v in changes.items()}
    sets = ", ".join(f"{k} = :{k}" for k in values)
    with transaction(conn):
        conn.execute(f"UPDATE quiz_questions SET {sets}, edited = 1, updated_at = :now WHERE id = :id",
                     values | {"now": iso_utc(), "id": question_id})


def delete_question(conn: Connection, question_id: int) -> None:
    """Delete a question and the answers given to it."""
    with transaction(conn):
        conn.execute("DELETE FROM quiz_questions WHERE id = ?", (question_id,))


def delete_untouched_drafts(conn: Connection, video_id: int) -> int:
    """Delete the video's drafted questions nobody approved or edited (drafting again replaces them)."""
    with transaction(conn):
        return conn.execute("DELETE FROM quiz_questions WHERE video_id = ? AND status = 'draft' AND edited = 0"
                            " AND origin != 'creator'", (video_id,)).rowcount


def record_answer(conn: Connection, question: Question, student_id: int, choice: int | None, correct: bool,
                  date: str) -> None:
    """Store one answer (choice None: the student skipped); `date` is the creator-local day."""
    with transaction(conn):
        conn.execute("INSERT INTO quiz_answers(question_id, video_id, creator_id, student_id, choice, correct, date,"
                     " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (question.id, question.video_id, question.creator_id, student_id, choice, int(correct), date,
                      iso_utc()))


def answered(conn: Connection, student_id: int, video_id: int) -> dict[int, Answered]:
    """The student's latest answer to each question of the video they answered or skipped."""
    rows = conn.execute(
        "SELECT a.question_id, a.choice, a.correct, t.ever, t.attempts FROM quiz_answers a"
        " JOIN (SELECT question_id, max(id) AS last, max(correct) AS ever, count(choice) AS attempts"
        "   FROM quiz_answers WHERE student_id = ? AND video_id = ? GROUP BY question_id) t ON a.id = t.last",
        (student_id, video_id))
    return {r[0]: Answered(r[0], r[1], bool(r[2]), bool(r[3]), r[4]) for r in rows}


def course_sentences(conn: Connection, video_id: int) -> list[str]:
    """The sentences of the other videos in the video's courses, in course order (distractors for its quiz)."""
    rows = conn.execute(
        "SELECT s.text FROM module_videos mine JOIN course_modules m ON m.id = mine.module_id"
        " JOIN course_modules om ON om.course_id = m.course_id JOIN module_videos other ON other.module_id = om.id"
        " JOIN transcript_sentences s ON s.video_id = other.video_id"
        " WHERE mine.video_id = ?1 AND other.video_id != ?1"
        " GROUP BY s.id ORDER BY min(om.order_index), min(other.position), s.sentence_index", (video_id,))
    return [r[0] for r in rows]
