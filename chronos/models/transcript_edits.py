"""Transcript edits: the creator's corrections of segments (undoable), and each video's revision
counter that tells whether its search data follows the transcript yet (migration 13)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from chronos.db import Connection, transaction
from chronos.models.transcripts import Segment, Word, words_json
from chronos.timefmt import iso_utc

ACTIVE, UNDONE, UNMATCHED = "active", "undone", "unmatched"


@dataclass(frozen=True)
class Edit:
    id: int
    video_id: int
    segment_index: int
    start_s: float
    end_s: float
    old_text: str
    new_text: str
    old_words: list[Word]
    source: str  # edit (one line) | replace (find and replace)
    state: str  # active | undone | unmatched
    created_at: str
    state_at: str | None

    def to_json(self) -> dict:
        """The edit as the API shows it (without the old word times)."""
        return {"id": self.id, "index": self.segment_index, "start_s": self.start_s, "end_s": self.end_s,
                "old_text": self.old_text, "new_text": self.new_text, "source": self.source,
                "state": self.state, "created_at": self.created_at, "state_at": self.state_at}


@dataclass(frozen=True)
class IndexState:
    """How far a video's search data follows its transcript."""
    revision: int
    indexed_revision: int
    indexed_at: str | None

    @property
    def up_to_date(self) -> bool:
        return self.indexed_revision >= self.revision


def _edit(r) -> Edit:
    return Edit(r["id"], r["video_id"], r["segment_index"], r["start_s"], r["end_s"], r["old_text"],
                r["new_text"], [Word(*w) for w in json.loads(r["old_words"])], r["source"], r["state"],
                r["created_at"], r["state_at"])


def add_edit(conn: Connection, video_id: int, index: int, before: Segment, new_text: str,
             source: str) -> Edit:
    """Record that segment `index` (now `before`) becomes new_text."""
    with transaction(conn):
        edit_id = conn.execute(
            "INSERT INTO transcript_edits(video_id, segment_index, start_s, end_s, old_text, new_text,"
            " old_words, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (video_id, index, before.start_s, before.end_s, before.text, new_text, words_json(before.words),
             source, iso_utc())).lastrowid
    return get_edit(conn, edit_id)


def get_edit(conn: Connection, edit_id: int) -> Edit | None:
    row = conn.execute("SELECT * FROM transcript_edits WHERE id = ?", (edit_id,)).fetchone()
    return _edit(row) if row else None


def latest_active(conn: Connection, video_id: int, index: int) -> Edit | None:
    """The newest edit of a segment still in force (the one undo takes back)."""
    row = conn.execute("SELECT * FROM transcript_edits WHERE video_id = ? AND segment_index = ? AND state = ?"
                       " ORDER BY id DESC LIMIT 1", (video_id, index, ACTIVE)).fetchone()
    return _edit(row) if row else None


def latest_active_by_segment(conn: Connection, video_id: int) -> dict[int, Edit]:
    """Each edited segment's newest edit in force, by segment index."""
    rows = conn.execute("SELECT * FROM transcript_edits WHERE id IN (SELECT max(id) FROM transcript_edits"
                        " WHERE video_id = ? AND state = ? GROUP BY segment_index)", (video_id, ACTIVE))
    return {r["segment_index"]: _edit(r) for r in rows}


def video_edits(conn: Connection, video_id: int, state: str | None = None) -> list[Edit]:
    """A video's edits, oldest first (only those in `state` when given)."""
    sql, args = "SELECT * FROM transcript_edits WHERE video_id = ?", [video_id]
    if state is not None:
        sql += " AND state = ?"
        args.append(state)
    return [_edit(r) for r in conn.execute(sql + " ORDER BY id", args)]


def set_state(conn: Connection, edit_id: int, state: str) -> None:
    """Mark an edit undone or unmatched (the row stays, for the record)."""
    with transaction(conn):
        conn.execute("UPDATE transcript_edits SET state = ?, state_at = ? WHERE id = ?",
                     (state, iso_utc(), edit_id))


def rebase(conn: Connection, edit_id: int, segment: Segment, index: int) -> None:
    """Point an active edit at its segment of a new transcript: undo then returns to that text."""
    with transaction(conn):
        conn.execute("UPDATE transcript_edits SET segment_index = ?, start_s = ?, end_s = ?, old_text = ?,"
                     " old_words = ? WHERE id = ?",
                     (index, segment.start_s, segment.end_s, segment.text, words_json(segment.words), edit_id))


def index_state(conn: Connection, video_id: int) -> IndexState:
    """The video's transcript revision and the one its search data was built from."""
    row = conn.execute("SELECT revision, indexed_revision, indexed_at FROM transcript_revisions"
                       " WHERE video_id = ?", (video_id,)).fetchone()
    return IndexState(*row) if row else IndexState(0, 0, None)


def bump_revision(conn: Connection, video_id: int) -> int:
    """Count one more change to the video's transcript; returns the new revision."""
    with transaction(conn):
        conn.execute("INSERT INTO transcript_revisions(video_id, revision) VALUES (?, 1)"
                     " ON CONFLICT(video_id) DO UPDATE SET revision = revision + 1", (video_id,))
        return index_state(conn, video_id).revision


def mark_indexed(conn: Connection, video_id: int, revision: int | None = None) -> None:
    """Record that the search data follows the transcript as of `revision` (default: the current)."""
    with transaction(conn):
        conn.execute("INSERT INTO transcript_revisions(video_id) VALUES (?) ON CONFLICT(video_id) DO NOTHING",
                     (video_id,))
        conn.execute("UPDATE transcript_revisions SET indexed_revision = max(indexed_revision,"
                     " coalesce(?, revision)), indexed_at = ? WHERE video_id = ?",
                     (revision, iso_utc(), video_id))


def videos_behind(conn: Connection) -> list[int]:
    """Videos whose search data does not follow their transcript yet (a re-index was cut short)."""
    return [r[0] for r in conn.execute("SELECT video_id FROM transcript_revisions"
                                       " WHERE indexed_revision < revision ORDER BY video_id")]
