"""Re-indexing a video after its transcript was corrected, without taking it offline.

Everything searchable is rebuilt from the stored segments: chunks (their FTS5 rows follow by
trigger) and chunk vectors, sentences with their vectors and context vectors. Texts whose content
hash is in the embedding cache are not embedded again, so an edit re-embeds only the chunks,
sentences and windows whose text it changed. The embedding happens first, outside any
transaction; then one transaction swaps the old rows for the new ones, forgets the answers that
cited the video and moves its updated_at (the answer cache's key), so a reader sees either the old
index or the new one, never a video half-indexed. The video's processing status is not touched:
it stays `completed` and answerable throughout. The chapters follow the new transcript afterwards
(recomputed, titles too), unless the creator has edited them.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from chronos.ai.embedder import Embedder
from chronos.db import Connection, transaction
from chronos.models import answer_cache, transcripts, vector_index, videos
from chronos.models import chunks as chunk_store
from chronos.models import sentences as sentence_store
from chronos.models import transcript_edits as edit_store
from chronos.models.sentences import window_text
from chronos.models.states import VideoStatus
from chronos.pipeline.chaptering import Titler, refresh_chapters
from chronos.pipeline.chunking import chunk_sentences, sentences_from_segments
from chronos.pipeline.events import Event

log = logging.getLogger(__name__)
ATTEMPTS = 5  # rebuilds in a row when edits keep landing meanwhile; the next job takes the rest


@dataclass(frozen=True)
class Reindexed:
    """What one re-index did: the revision it built, and the texts it had to embed."""
    revision: int
    chunks: int
    embedded_chunks: int
    embedded_sentences: int  # sentence and context-window texts together


class _Superseded(Exception):
    """The transcript changed (or processing started) while the new index was being built."""


def index_event(video: videos.Video, state: edit_store.IndexState, error: str | None = None) -> Event:
    """The live event that tells the video's page whether its search data follows the transcript."""
    return {"type": "transcript_index", "video": {"id": video.id, "creator_id": video.creator_id},
            "state": "failed" if error else ("up_to_date" if state.up_to_date else "reindexing"),
            "revision": state.revision, "indexed_at": state.indexed_at, "error": error}


def reindex_video(video_id: int, *, conn: Connection, embedder: Embedder,
                  publish: Callable[[Event], None], titler: Titler | None = None) -> Reindexed | None:
    """Bring a completed video's search data up to its transcript; None when there was nothing to do
    (already up to date, gone, or being processed: processing rebuilds everything anyway)."""
    for _ in range(ATTEMPTS):
        video = videos.get_video(conn, video_id)
        if video is None:
            return None
        state = edit_store.index_state(conn, video_id)
        if video.status != VideoStatus.COMPLETED or state.up_to_date:
            publish(index_event(video, state))
            return None
        try:
            done = _rebuild(conn, video, state.revision, embedder)
        except _Superseded:
            continue
        try:
            refresh_chapters(conn, video_id, titler)
        except Exception:  # noqa: BLE001 - the index is rebuilt; the start-up backfill retries chapters
            log.exception("video %s: recomputing chapters after a re-index failed", video_id)
        publish(index_event(video, edit_store.index_state(conn, video_id)))
        return done
    return None


def _rebuild(conn: Connection, video: videos.Video, revision: int, embedder: Embedder) -> Reindexed:
    embedder.follow(vector_index.current(conn).embedder)
    spoken = sentences_from_segments(transcripts.load_segments(conn, video.id))
    drafts = chunk_sentences(spoken)
    windows = [window_text(spoken, i) for i in range(len(spoken))]
    chunk_hashes = [chunk_store.content_hash(d.text) for d in drafts]
    other_hashes = [chunk_store.content_hash(t) for t in [s.text for s in spoken] + windows]
    vectors, fresh = _vectors(conn, embedder, [d.text for d in drafts] + [s.text for s in spoken] + windows,
                              chunk_hashes + other_hashes)
    with transaction(conn):
        current = videos.get_video(conn, video.id)
        if current is None or current.status != VideoStatus.COMPLETED \
                or edit_store.index_state(conn, video.id).revision != revision:
            raise _Superseded(video.id)
        stored = chunk_store.replace_chunks(conn, video.id, video.creator_id, drafts)
        chunk_store.store_vectors(conn, embedder.name, stored, [vectors[c.content_hash] for c in stored])
        sentence_store.replace_sentences(conn, video.id, video.creator_id, [
            sentence_store.SentenceDraft(s.start_s, s.end_s, s.text) for s in spoken])
        rows = sentence_store.video_sentences(conn, video.id)
        sentence_store.store_vectors(conn, embedder.name, rows, [vectors[s.content_hash] for s in rows])
        window_hashes = other_hashes[len(spoken):]
        sentence_store.store_windows(conn, embedder.name, rows, window_hashes, [vectors[h] for h in window_hashes])
        answer_cache.forget_video(conn, video.creator_id, video.id)
        videos.touch(conn, video.id)
        edit_store.mark_indexed(conn, video.id, revision)
    return Reindexed(revision, len(drafts), len(fresh & set(chunk_hashes)),
                     len(fresh & set(other_hashes)))


def _vectors(conn: Connection, embedder: Embedder, texts: Sequence[str],
             hashes: Sequence[str]) -> tuple[dict[str, np.ndarray], set[str]]:
    """A vector for every hash: from the embedding cache, or embedded now; and the hashes embedded."""
    found = chunk_store.cached_embeddings(conn, embedder.name, hashes)
    todo = {h: t for h, t in zip(hashes, texts) if h not in found}
    items = list(todo.items())
    for i in range(0, len(items), 256):
        batch = items[i:i + 256]
        for (h, _), vec in zip(batch, embedder.embed([t for _, t in batch])):
            found[h] = vec
    return found, set(todo)
