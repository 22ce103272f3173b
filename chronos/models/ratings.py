"""Ratings of answers: thumbs up or down, on thumbs down a reason and a comment (one per rater per answer)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from chronos.db import Connection, transaction
from chronos.models.chat import Citation
from chronos.timefmt import iso_utc

# The reasons a student can give for a thumbs down, as stored, with the words the dashboard shows.
REASONS = {"wrong_moment": "Wrong moment", "wrong_answer": "Wrong answer",
           "not_in_course": "Not in the course", "other": "Other"}


@dataclass(frozen=True)
class Rating:
    """One rater's rating of one answer (student_id None: the owner's)."""
    message_id: int
    student_id: int | None
    helpful: bool
    reason: str | None
    comment: str | None
    updated_at: str

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RatedAnswer:
    """Who may rate an answer: the chat it is in and whose chat that is."""
    message_id: int
    creator_id: int
    student_id: int | None  # the chat's asker (None: the owner's own chat)
    is_answer: bool


@dataclass(frozen=True)
class Share:
    """Students' ratings given in a range: how many, and how many said helpful."""
    rated: int
    helpful: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.helpful / self.rated, 1) if self.rated else None


@dataclass(frozen=True)
class Unhelpful:
    """A thumbs down, with the question it answered and the moments it cited."""
    message_id: int
    rated_at: str
    date: str
    student_id: int | None
    student: str | None
    question: str | None
    answer: str
    reason: str | None
    comment: str | None
    citations: list[Citation] = field(default_factory=list)


def rated_answer(conn: Connection, message_id: int) -> RatedAnswer | None:
    """The message with its chat's creator and asker, or None if there is no such message."""
    row = conn.execute("SELECT m.id, m.role, s.creator_id, s.student_id FROM chat_messages m"
                       " JOIN chat_sessions s ON s.id = m.session_id WHERE m.id = ?", (message_id,)).fetchone()
    if row is None:
        return None
    return RatedAnswer(row["id"], row["creator_id"], row["student_id"], row["role"] == "assistant")


def _rating(r) -> Rating:
    return Rating(r["message_id"], r["student_id"], bool(r["helpful"]), r["reason"], r["comment"], r["updated_at"])


def set_rating(conn: Connection, message_id: int, creator_id: int, student_id: int | None, *,
               helpful: bool, reason: str | None, comment: str | None, date: str) -> Rating:
    """Record (or change) this rater's rating of an answer; `date` is the creator-local day."""
    stamp = iso_utc()
    with transaction(conn):
        conn.execute(
            "INSERT INTO answer_ratings(message_id, creator_id, student_id, helpful, reason, comment, date,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(message_id, coalesce(student_id, 0)) DO UPDATE SET helpful = excluded.helpful,"
            " reason = excluded.reason, comment = excluded.comment, date = excluded.date,"
            " updated_at = excluded.updated_at",
            (message_id, creator_id, student_id, int(helpful), reason, comment, date, stamp, stamp))
    return get_rating(conn, message_id, student_id)


def get_rating(conn: Connection, message_id: int, student_id: int | None) -> Rating | None:
    """This rater's rating of an answer, if they gave one."""
    row = conn.execute("SELECT * FROM answer_ratings WHERE message_id = ? AND coalesce(student_id, 0) = ?",
                       (message_id, student_id or 0)).fetchone()
    return _rating(row) if row else None


def ratings_in_session(conn: Connection, session_id: int, student_id: int | None) -> dict[int, Rating]:
    """This rater's ratings of the answers in one chat, by message id."""
    rows = conn.execute("SELECT r.* FROM answer_ratings r JOIN chat_messages m ON m.id = r.message_id"
                        " WHERE m.session_id = ? AND coalesce(r.student_id, 0) = ?", (session_id, student_id or 0))
    return {r["message_id"]: _rating(r) for r in rows}


def share(conn: Connection, creator_id: int, first: str, last: str) -> Share:
    """Students' ratings given from `first` to `last` (creator-local dates): how many were helpful.

    The owner's own ratings are left out: the share measures what students found."""
    row = conn.execute("SELECT count(*), coalesce(sum(helpful), 0) FROM answer_ratings WHERE creator_id = ?"
                       " AND student_id IS NOT NULL AND date BETWEEN ? AND ?", (creator_id, first, last)).fetchone()
    return Share(row[0], row[1])


def unhelpful(conn: Connection, creator_id: int, first: str, last: str, limit: int = 50) -> list[Unhelpful]:
    """The thumbs down given in the range, newest first, each with its question and citations."""
    rows = conn.execute(
        "SELECT r.message_id, r.updated_at, r.date, r.student_id, coalesce(st.name, st.username) AS student,"
        " (SELECT q.content FROM chat_messages q WHERE q.session_id = m.session_id AND q.id < m.id"
        "   AND q.role = 'user' ORDER BY q.id DESC LIMIT 1) AS question, m.content, r.reason, r.comment"
        " FROM answer_ratings r JOIN chat_messages m ON m.id = r.message_id"
        " LEFT JOIN students st ON st.id = r.student_id"
        " WHERE r.creator_id = ? AND r.helpful = 0 AND r.date BETWEEN ? AND ?"
        " ORDER BY r.updated_at DESC, r.id DESC LIMIT ?", (creator_id, first, last, limit)).fetchall()
    cites: dict[int, list[Citation]] = {}
    ids = [r["message_id"] for r in rows]
    if ids:
        marks = ",".join("?" * len(ids))
        for c in conn.execute(
                "SELECT mc.*, coalesce(v.title, 'Deleted video') AS title FROM message_citations mc"
                f" LEFT JOIN videos v ON v.id = mc.video_id WHERE mc.message_id IN ({marks}) ORDER BY mc.id", ids):
            cites.setdefault(c["message_id"], []).append(
                Citation(c["video_id"], c["title"], c["start_s"], c["end_s"], c["score"], c["text"]))
    return [Unhelpful(r["message_id"], r["updated_at"], r["date"], r["student_id"], r["student"], r["question"],
                      r["content"], r["reason"], r["comment"], cites.get(r["message_id"], [])) for r in rows]
