"""Cached answers to repeated questions, keyed so any change to the videos in scope misses."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from chronos.db import Connection, transaction


def library_fingerprint(conn: Connection, video_ids: Sequence[int]) -> str:
    """A hash of the in-scope videos and when each last changed."""
    if not video_ids:
        return "empty"
    marks = ",".join("?" * len(video_ids))
    rows = conn.execute(f"SELECT id, updated_at, title FROM videos WHERE id IN ({marks}) ORDER BY id",
                        list(video_ids)).fetchall()
    return hashlib.sha256(json.dumps([tuple(r) for r in rows]).encode()).hexdigest()


def normalise_question(text: str) -> str:
    """Case, spacing and trailing punctuation don't make a question different."""
    return " ".join(text.lower().split()).rstrip("?!. ")


def cache_key(creator_id: int, scope: str, question: str, fingerprint: str, answerer: str,
              tutor_mode: str) -> str:
    """The key of an answer: a hint (tutor_mode "hint") and an answer to one question never share it."""
    raw = json.dumps([creator_id, scope, normalise_question(question), fingerprint, answerer, tutor_mode])
    return hashlib.sha256(raw.encode()).hexdigest()


def get(conn: Connection, key: str) -> dict | None:
    """A cached answer (its text, citations and follow-ups); a read: count_hit counts its use."""
    row = conn.execute("SELECT answer FROM answer_cache WHERE cache_key = ?", (key,)).fetchone()
    return None if row is None else json.loads(row["answer"])


def count_hit(conn: Connection, key: str) -> None:
    """A cached answer was served once more."""
    with transaction(conn):
        conn.execute("UPDATE answer_cache SET hits = hits + 1 WHERE cache_key = ?", (key,))


def put(conn: Connection, creator_id: int, key: str, answer: dict, answerer: str) -> None:
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO answer_cache(creator_id, cache_key, answer, answerer)"
                     " VALUES (?, ?, ?, ?)", (creator_id, key, json.dumps(answer), answerer))


def clear(conn: Connection, creator_id: int) -> None:
    """Forget every cached answer of a creator (old entries are unreachable anyway)."""
    with transaction(conn):
        conn.execute("DELETE FROM answer_cache WHERE creator_id = ?", (creator_id,))


def forget_video(conn: Connection, creator_id: int, video_id: int) -> int:
    """Forget the creator's cached answers that cite a video (its transcript changed); returns how
    many. Answers that only had it in scope miss anyway: the video's updated_at is in their key."""
    with transaction(conn):
        return conn.execute(
            "DELETE FROM answer_cache WHERE creator_id = ? AND EXISTS (SELECT 1 FROM"
            " json_each(answer, '$.citations') c WHERE json_extract(c.value, '$.video_id') = ?)",
            (creator_id, video_id)).rowcount
