"""The glossary: the words a creator's lectures use, in the creator's order (hints for Whisper)."""
from __future__ import annotations

from collections.abc import Sequence

from chronos.db import Connection, transaction


def get_terms(conn: Connection, creator_id: int) -> list[str]:
    """The creator's glossary terms, in the order they were given."""
    return [r[0] for r in conn.execute(
        "SELECT term FROM glossary_terms WHERE creator_id = ? ORDER BY position", (creator_id,))]


def replace_terms(conn: Connection, creator_id: int, terms: Sequence[str]) -> None:
    """Make the creator's glossary exactly these terms (already clean and distinct)."""
    with transaction(conn):
        conn.execute("DELETE FROM glossary_terms WHERE creator_id = ?", (creator_id,))
        conn.executemany("INSERT INTO glossary_terms(creator_id, position, term) VALUES (?, ?, ?)",
                         [(creator_id, i, t) for i, t in enumerate(terms)])
