"""A video's chapters (migration 17): where each starts, its title and who gave it, and whether the
creator has edited the set."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chronos.db import Connection, transaction
from chronos.timefmt import iso_utc

OFFLINE, CLAUDE, CREATOR = "offline", "claude", "creator"  # who titled a chapter


@dataclass(frozen=True)
class Chapter:
    """One chapter: it runs from start_s to the next chapter's start (the last to the video's end)."""
    start_s: float
    title: str
    title_by: str = OFFLINE


@dataclass(frozen=True)
class ChapterSet:
    """A video's stored chapters, first to last."""
    video_id: int
    chapters: list[Chapter]
    revision: int  # the transcript revision they were computed from
    edited_at: str | None  # set once the creator changed them: they are kept from then on

    @property
    def edited(self) -> bool:
        return self.edited_at is not None


def get_chapters(conn: Connection, video_id: int) -> ChapterSet | None:
    """The video's chapters, or None when none are stored yet."""
    head = conn.execute("SELECT revision, edited_at FROM chapter_sets WHERE video_id = ?",
                        (video_id,)).fetchone()
    if head is None:
        return None
    rows = conn.execute("SELECT start_s, title, title_by FROM video_chapters WHERE video_id = ?"
                        " ORDER BY position", (video_id,))
    return ChapterSet(video_id, [Chapter(r[0], r[1], r[2]) for r in rows], head[0], head[1])


def store_chapters(conn: Connection, video_id: int, chapters: Sequence[Chapter], *, revision: int,
                   edited: bool) -> None:
    """Replace the video's chapters; `edited` when the creator made them so (kept from then on)."""
    now = iso_utc()
    with transaction(conn):
        conn.execute("DELETE FROM video_chapters WHERE video_id = ?", (video_id,))
        conn.executemany(
            "INSERT INTO video_chapters(video_id, position, start_s, title, title_by) VALUES (?, ?, ?, ?, ?)",
            [(video_id, i, c.start_s, c.title, c.title_by) for i, c in enumerate(chapters)])
        conn.execute(
            "INSERT INTO chapter_sets(video_id, revision, computed_at, edited_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(video_id) DO UPDATE SET revision = excluded.revision,"
            " computed_at = CASE WHEN excluded.edited_at IS NULL THEN excluded.computed_at"
            " ELSE chapter_sets.computed_at END, edited_at = excluded.edited_at",
            (video_id, revision, now, now if edited else None))


def forget_chapters(conn: Connection, video_id: int) -> None:
    """Drop the video's chapters (the creator asked for them to be computed afresh)."""
    with transaction(conn):
        conn.execute("DELETE FROM video_chapters WHERE video_id = ?", (video_id,))
        conn.execute("DELETE FROM chapter_sets WHERE video_id = ?", (video_id,))


def videos_needing_chapters(conn: Connection) -> list[int]:
    """Completed videos, every sentence vector stored, whose chapters are missing or were computed
    from an older transcript and not edited since: the backfill's work list."""
    rows = conn.execute(
        "SELECT v.id FROM videos v LEFT JOIN chapter_sets c ON c.video_id = v.id"
        " LEFT JOIN transcript_revisions r ON r.video_id = v.id"
        " WHERE v.status = 'completed'"
        " AND EXISTS (SELECT 1 FROM transcript_sentences s WHERE s.video_id = v.id)"
        " AND NOT EXISTS (SELECT 1 FROM transcript_sentences s WHERE s.video_id = v.id AND s.vector IS NULL)"
        " AND (c.video_id IS NULL OR (c.edited_at IS NULL AND c.revision < coalesce(r.indexed_revision, 0)))"
        " ORDER BY v.id")
    return [r[0] for r in rows]


def spoken_until(conn: Connection, video_id: int) -> float:
    """When the video's last sentence ends (0 without sentences)."""
    row = conn.execute("SELECT max(end_s) FROM transcript_sentences WHERE video_id = ?", (video_id,)).fetchone()
    return row[0] or 0.0


def library_documents(conn: Connection, creator_id: int, except_video_id: int) -> list[str]:
    """The creator's other videos' transcripts, one text each: what a chapter title must stand out
    from."""
    rows = conn.execute(
        "SELECT group_concat(text, ' ') FROM (SELECT video_id, text FROM transcript_sentences"
        " WHERE creator_id = ? AND video_id <> ? ORDER BY video_id, sentence_index) GROUP BY video_id",
        (creator_id, except_video_id))
    return [r[0] for r in rows]
