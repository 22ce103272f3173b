"""A video's chapters computed from its stored sentences and kept: at the end of processing, after
a re-index (pipeline/reindex.py), and by the start-up backfill for a library older than chapters.

Chapters the creator edited are never replaced here. With a titler (Claude, when a key is set)
each chapter gets a short title from it; when that fails the offline titles stand.
"""
from __future__ import annotations

import logging
from typing import Protocol

from chronos.db import Connection, transaction
from chronos.models import chapters as chapter_store
from chronos.models import sentences as sentence_store
from chronos.models import transcript_edits as edit_store
from chronos.models import videos
from chronos.pipeline.chapters import clean_title, offline_titles, segment

log = logging.getLogger(__name__)


class Titler(Protocol):
    """Titles for chapters from their texts (ai/claude.ClaudeTitler)."""

    def titles(self, chapters: list[str]) -> list[str]: ...


def compute_chapters(conn: Connection, video: videos.Video,
                     titler: Titler | None = None) -> list[chapter_store.Chapter] | None:
    """The video's chapters as computed now (nothing stored); None while its sentences or their
    vectors are not stored yet."""
    spoken = sentence_store.video_sentences(conn, video.id)
    if not spoken or any(s.vector is None for s in spoken):
        return None
    parts = segment(spoken, video.duration_s)
    texts = [[s.text for s in spoken[p.first:p.stop]] for p in parts]
    titles = offline_titles(texts, chapter_store.library_documents(conn, video.creator_id, video.id))
    by = chapter_store.OFFLINE
    if titler is not None:
        try:
            titles = [clean_title(t) or offline for t, offline in
                      zip(titler.titles([" ".join(t) for t in texts]), titles, strict=True)]
            by = chapter_store.CLAUDE
        except Exception:  # noqa: BLE001 - any failure of the titler leaves the offline titles
            log.warning("video %s: titling chapters with Claude failed; offline titles kept", video.id,
                        exc_info=True)
    return [chapter_store.Chapter(p.start_s, t, by) for p, t in zip(parts, titles)]


def refresh_chapters(conn: Connection, video_id: int, titler: Titler | None = None) -> bool:
    """Compute and store the video's chapters unless the creator has edited them; returns whether
    new chapters were stored."""
    video = videos.get_video(conn, video_id)
    current = chapter_store.get_chapters(conn, video_id)
    if video is None or (current is not None and current.edited):
        return False
    revision = edit_store.index_state(conn, video_id).indexed_revision
    chapters = compute_chapters(conn, video, titler)
    if chapters is None:
        return False
    with transaction(conn):
        current = chapter_store.get_chapters(conn, video_id)  # the creator may have edited meanwhile
        if videos.get_video(conn, video_id) is None or (current is not None and current.edited):
            return False
        chapter_store.store_chapters(conn, video_id, chapters, revision=revision, edited=False)
    return True
