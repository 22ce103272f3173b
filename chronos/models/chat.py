"""Chat sessions, their messages and the video moments each answer cites."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from chronos.db import Connection, transaction
from chronos.models.states import MessageRole
from chronos.timefmt import iso_utc


@dataclass(frozen=True)
class Citation:
    video_id: int
    title: str
    start_s: float
    end_s: float
    score: float
    text: str
    # Its quoted words were found in the transcript at its time (rag/quotes.py); False only for
    # citations stored before that check existed.
    verified: bool = False

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Message:
    id: int
    session_id: int
    role: MessageRole
    content: str
    answerer: str | None
    model: str | None
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost_usd: float
    error: str | None
    cached: bool
    follow_ups: list[str]
    video_id: int | None
    at_s: float | None
    created_at: str
    edited_at: str | None
    citations: list[Citation] = field(default_factory=list)
    # An answer's tutor mode: "answer", or "hint" (it guides, its citations are moments to rewatch
    # without their words); None for questions and for answers from before the modes.
    tutor_mode: str | None = None

    def to_json(self) -> dict:
        d = asdict(self)
        d["citations"] = [c.to_json() for c in self.citations]
        return d


@dataclass(frozen=True)
class Session:
    id: int
    creator_id: int
    student_id: int | None
    title: str
    created_at: str
    updated_at: str
    message_count: int = 0

    def to_json(self) -> dict:
        return asdict(self)


def _session(r) -> Session:
    return Session(r["id"], r["creator_id"], r["student_id"], r["title"] or "New chat",
                   r["created_at"], r["updated_at"], r["message_count"])


_SESSION_SELECT = ("SELECT s.*, (SELECT count(*) FROM chat_messages m WHERE m.session_id = s.id)"
                   " AS message_count FROM chat_sessions s")


def _owner_clause(student_id: int | None) -> tuple[str, list]:
    # The owner's own chats have no student; a student sees only theirs.
    if student_id is None:
        return "s.student_id IS NULL", []
    return "s.student_id = ?", [student_id]


def create_session(conn: Connection, creator_id: int, student_id: int | None, title: str) -> Session:
    """Start a chat, titled from its first question."""
    with transaction(conn):
        cur = conn.execute("INSERT INTO chat_sessions(creator_id, student_id, title) VALUES (?, ?, ?)",
                           (creator_id, student_id, title))
    return get_session(conn, cur.lastrowid, creator_id, student_id)


def get_session(conn: Connection, session_id: int, creator_id: int,
                student_id: int | None) -> Session | None:
    """A session, only if it belongs to this asker."""
    clause, args = _owner_clause(student_id)
    row = conn.execute(f"{_SESSION_SELECT} WHERE s.id = ? AND s.creator_id = ? AND {clause}",
                       [session_id, creator_id, *args]).fetchone()
    return _session(row) if row else None


def list_sessions(conn: Connection, creator_id: int, student_id: int | None,
                  query: str = "") -> list[Session]:
    """The asker's sessions, most recently active first; query searches titles and messages."""
    clause, args = _owner_clause(student_id)
    sql = f"{_SESSION_SELECT} WHERE s.creator_id = ? AND {clause}"
    params: list = [creator_id, *args]
    if query.strip():
        like = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql += (" AND (s.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM chat_messages m"
                " WHERE m.session_id = s.id AND m.content LIKE ? ESCAPE '\\'))")
        params += [like, like]
    rows = conn.execute(sql + " ORDER BY s.updated_at DESC, s.id DESC", params)
    return [_session(r) for r in rows]


def rename_session(conn: Connection, session_id: int, title: str) -> None:
    with transaction(conn):
        conn.execute("UPDATE chat_sessions SET title = ?, updated_at = ? WHERE id = ?",
                     (title, iso_utc(), session_id))


def delete_session(conn: Connection, session_id: int) -> None:
    """Delete a chat with its messages and citations."""
    with transaction(conn):
        conn.execute("DELETE FROM chat_sessions WHERE id = ?", (session_id,))


def add_message(conn: Connection, session_id: int, role: MessageRole, content: str, *,
                answerer: str | None = None, model: str | None = None, usage=None,
                cost_usd: float = 0.0, error: str | None = None, cached: bool = False,
                follow_ups: Sequence[str] = (), video_id: int | None = None,
                at_s: float | None = None, course_id: int | None = None,
                citations: Sequence[Citation] = (), tutor_mode: str | None = None) -> int:
    """Store one message (and an answer's citations) and touch the session."""
    u = usage
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO chat_messages(session_id, role, content, answerer, model, input_tokens,"
            " output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, error, cached,"
            " follow_ups, video_id, at_s, course_id, tutor_mode)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, role, content, answerer, model, u.input_tokens if u else 0,
             u.output_tokens if u else 0, u.cache_read_tokens if u else 0,
             u.cache_write_tokens if u else 0, cost_usd, error, int(cached),
             json.dumps(list(follow_ups)), video_id, at_s, course_id, tutor_mode))
        conn.executemany(
            "INSERT INTO message_citations(message_id, video_id, start_s, end_s, score, text, verified)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(cur.lastrowid, c.video_id, c.start_s, c.end_s, c.score, c.text, int(c.verified))
             for c in citations])
        conn.execute("UPDATE chat_sessions SET updated_at = ? WHERE id = ?", (iso_utc(), session_id))
    return cur.lastrowid


def _message(r, citations: list[Citation]) -> Message:
    return Message(r["id"], r["session_id"], MessageRole(r["role"]), r["content"], r["answerer"], r["model"],
                   r["input_tokens"], r["output_tokens"], r["cache_read_tokens"],
                   r["cache_write_tokens"], r["cost_usd"], r["error"], bool(r["cached"]),
                   json.loads(r["follow_ups"]), r["video_id"], r["at_s"], r["created_at"],
                   r["edited_at"], citations, r["tutor_mode"])


def list_messages(conn: Connection, session_id: int) -> list[Message]:
    """A session's messages in order, each answer with its citations."""
    rows = conn.execute("SELECT * FROM chat_messages WHERE session_id = ? ORDER BY id", (session_id,)).fetchall()
    return _with_citations(conn, rows)


def _with_citations(conn: Connection, rows) -> list[Message]:
    """Messages from their rows, each with its citations."""
    cites: dict[int, list[Citation]] = {}
    for c in conn.execute(
            "SELECT mc.*, coalesce(v.title, 'Deleted video') AS title FROM message_citations mc"
            " LEFT JOIN videos v ON v.id = mc.video_id WHERE mc.message_id IN"
            " (SELECT value FROM json_each(?)) ORDER BY mc.id", (json.dumps([r["id"] for r in rows]),)):
        cites.setdefault(c["message_id"], []).append(
            Citation(c["video_id"], c["title"], c["start_s"], c["end_s"], c["score"], c["text"],
                     bool(c["verified"])))
    return [_message(r, cites.get(r["id"], [])) for r in rows]


def recent_messages(conn: Connection, creator_id: int, student_id: int | None, *,
                    course_id: int | None = None, video_id: int | None = None,
                    questions: int = 10) -> list[Message]:
    """The asker's last few questions asked in a course player (course_id) or beside a video
    (video_id), each with its answer, oldest first, from whichever chats they were asked in."""
    clause, args = _owner_clause(student_id)
    where, place = ("m.course_id = ?", course_id) if course_id is not None else ("m.video_id = ?", video_id)
    rows = conn.execute(
        f"WITH q AS (SELECT m.id, m.session_id FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id"
        f" WHERE s.creator_id = ? AND {clause} AND m.role = 'user' AND {where} ORDER BY m.id DESC LIMIT ?)"
        " SELECT * FROM chat_messages WHERE id IN (SELECT id FROM q) OR (role = 'assistant' AND id IN"
        " (SELECT (SELECT a.id FROM chat_messages a WHERE a.session_id = q.session_id AND a.id > q.id"
        " ORDER BY a.id LIMIT 1) FROM q)) ORDER BY id",
        [creator_id, *args, place, questions]).fetchall()
    return _with_citations(conn, rows)


def get_message(conn: Connection, message_id: int) -> Message | None:
    row = conn.execute("SELECT session_id FROM chat_messages WHERE id = ?", (message_id,)).fetchone()
    if not row:
        return None
    return next(m for m in list_messages(conn, row[0]) if m.id == message_id)


def history(conn: Connection, session_id: int, before_id: int, limit: int = 6) -> list[tuple[str, str]]:
    """The last few turns before a message, oldest first, as (role, text), skipping failures."""
    rows = conn.execute(
        "SELECT role, content FROM chat_messages WHERE session_id = ? AND id < ? AND error IS NULL"
        " ORDER BY id DESC LIMIT ?", (session_id, before_id, limit)).fetchall()
    return [(r["role"], r["content"]) for r in reversed(rows)]


def edit_question(conn: Connection, message_id: int, content: str) -> None:
    """Change a question and drop everything after it (its answer is regenerated)."""
    msg = conn.execute("SELECT session_id FROM chat_messages WHERE id = ?", (message_id,)).fetchone()
    with transaction(conn):
        conn.execute("UPDATE chat_messages SET content = ?, edited_at = ? WHERE id = ?",
                     (content, iso_utc(), message_id))
        conn.execute("DELETE FROM chat_messages WHERE session_id = ? AND id > ?", (msg[0], message_id))


def delete_exchange(conn: Connection, message_id: int) -> int:
    """Delete a question with its answer (or an answer alone); returns how many were removed."""
    msg = conn.execute("SELECT id, session_id, role FROM chat_messages WHERE id = ?", (message_id,)).fetchone()
    ids = [message_id]
    if msg["role"] == MessageRole.USER:
        nxt = conn.execute("SELECT id, role FROM chat_messages WHERE session_id = ? AND id > ?"
                           " ORDER BY id LIMIT 1", (msg["session_id"], message_id)).fetchone()
        if nxt and nxt["role"] == MessageRole.ASSISTANT:
            ids.append(nxt["id"])
    with transaction(conn):
        conn.executemany("DELETE FROM chat_messages WHERE id = ?", [(i,) for i in ids])
    return len(ids)


def message_session(conn: Connection, message_id: int) -> int | None:
    row = conn.execute("SELECT session_id FROM chat_messages WHERE id = ?", (message_id,)).fetchone()
    return row[0] if row else None


def question_course(conn: Connection, message_id: int) -> int | None:
    """The course player a question was asked in, if any (an edit is answered in that course's mode)."""
    row = conn.execute("SELECT course_id FROM chat_messages WHERE id = ?", (message_id,)).fetchone()
    return row[0] if row else None
