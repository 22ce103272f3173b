"""Transcript sentences: each spoken sentence's time, text and vector, made once at ingest."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chronos.db import Connection, transaction
from chronos.models.chunks import content_hash


@dataclass(frozen=True)
class SentenceDraft:
    """A sentence before it is stored."""
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class StoredSentence:
    id: int
    video_id: int
    sentence_index: int
    start_s: float
    end_s: float
    text: str
    content_hash: str
    vector: np.ndarray | None  # unit length float32; None until the embed stage fills it
    # The sentence with its neighbours, embedded as one text (migration 11); None until filled.
    window: np.ndarray | None = None


def window_text(spoken: Sequence, i: int) -> str:
    """Sentence i (of sentences in spoken order, each with a .text) with the sentence before and
    the one after it, as one text: what a sentence's context vector embeds."""
    return " ".join(s.text for s in spoken[max(0, i - 1):i + 2])


def _blob_vector(blob: bytes | None) -> np.ndarray | None:
    return np.frombuffer(blob, dtype=np.float32) if blob is not None else None


def _sentence(r) -> StoredSentence:
    return StoredSentence(r["id"], r["video_id"], r["sentence_index"], r["start_s"], r["end_s"],
                          r["text"], r["content_hash"], _blob_vector(r["vector"]),
                          _blob_vector(r["window_vector"]))


def replace_sentences(conn: Connection, video_id: int, creator_id: int,
                      drafts: Sequence[SentenceDraft]) -> None:
    """Replace a video's sentences (their old vectors go with them: nothing stale is answered from)."""
    with transaction(conn):
        conn.execute("DELETE FROM transcript_sentences WHERE video_id = ?", (video_id,))
        conn.executemany(
            "INSERT INTO transcript_sentences(video_id, creator_id, sentence_index, start_s, end_s,"
            " text, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(video_id, creator_id, i, d.start_s, d.end_s, d.text, content_hash(d.text))
             for i, d in enumerate(drafts)])


def sentences_without_vectors(conn: Connection, video_id: int) -> list[StoredSentence]:
    """The video's sentences that have no vector yet."""
    rows = conn.execute("SELECT * FROM transcript_sentences WHERE video_id = ? AND vector IS NULL"
                        " ORDER BY sentence_index", (video_id,))
    return [_sentence(r) for r in rows]


def store_vectors(conn: Connection, model: str, sentences: Sequence[StoredSentence],
                  vectors: Sequence[np.ndarray]) -> None:
    """Store one vector per sentence, and remember each by content hash for reuse."""
    with transaction(conn):
        for sentence, vec in zip(sentences, vectors, strict=True):
            blob = np.asarray(vec, dtype=np.float32).tobytes()
            conn.execute("UPDATE transcript_sentences SET vector = ? WHERE id = ?", (blob, sentence.id))
            conn.execute("INSERT OR IGNORE INTO embedding_cache(content_hash, model, vector)"
                         " VALUES (?, ?, ?)", (sentence.content_hash, model, blob))


def video_sentences(conn: Connection, video_id: int) -> list[StoredSentence]:
    """All the video's sentences, in the order they are spoken."""
    rows = conn.execute("SELECT * FROM transcript_sentences WHERE video_id = ? ORDER BY sentence_index",
                        (video_id,))
    return [_sentence(r) for r in rows]


def store_windows(conn: Connection, model: str, sentences: Sequence[StoredSentence],
                  hashes: Sequence[str], vectors: Sequence[np.ndarray]) -> None:
    """Store each sentence's context vector; remember it by its window text's content hash."""
    with transaction(conn):
        for sentence, digest, vec in zip(sentences, hashes, vectors, strict=True):
            blob = np.asarray(vec, dtype=np.float32).tobytes()
            conn.execute("UPDATE transcript_sentences SET window_vector = ? WHERE id = ?", (blob, sentence.id))
            conn.execute("INSERT OR IGNORE INTO embedding_cache(content_hash, model, vector)"
                         " VALUES (?, ?, ?)", (digest, model, blob))


def sentences_between(conn: Connection, video_id: int, start_s: float,
                      end_s: float) -> list[StoredSentence]:
    """The video's sentences spoken inside a time range (a few ms of slack at either end)."""
    rows = conn.execute(
        "SELECT * FROM transcript_sentences WHERE video_id = ? AND end_s > ? AND start_s < ?"
        " ORDER BY sentence_index", (video_id, start_s + 0.01, end_s - 0.01))
    return [_sentence(r) for r in rows]


def has_sentences(conn: Connection, video_id: int) -> bool:
    """Whether the video's sentences are stored (a library older than migration 9 has none)."""
    return conn.execute("SELECT 1 FROM transcript_sentences WHERE video_id = ? LIMIT 1",
                        (video_id,)).fetchone() is not None


def videos_needing_sentences(conn: Connection) -> list[int]:
    """Completed videos whose sentences are missing or lack vectors or context vectors: the
    backfill's work list."""
    rows = conn.execute(
        "SELECT v.id FROM videos v WHERE v.status = 'completed' AND (NOT EXISTS"
        " (SELECT 1 FROM transcript_sentences s WHERE s.video_id = v.id) OR EXISTS"
        " (SELECT 1 FROM transcript_sentences s WHERE s.video_id = v.id"
        "  AND (s.vector IS NULL OR s.window_vector IS NULL)))"
        " ORDER BY v.id")
    return [r[0] for r in rows]


@dataclass(frozen=True)
class SentenceHit:
    """A sentence near a question, and the chunks that hold it (one, or two where chunks overlap)."""
    sentence_id: int
    video_id: int
    distance: float  # cosine distance of its context vector (0 = identical)
    chunk_ids: tuple[int, ...]


def nearest_sentences(conn: Connection, creator_id: int, vector: np.ndarray, k: int,
                      video_ids: Sequence[int] | None = None) -> list[SentenceHit]:
    """KNN over one creator's sentences by their context vectors, nearest first, with their chunks."""
    if video_ids is not None and not video_ids:
        return []
    sql = ("SELECT rowid, video_id, distance FROM sentence_vectors WHERE embedding MATCH ?"
           " AND k = ? AND creator_id = ?")
    args: list = [np.asarray(vector, dtype=np.float32).tobytes(), k, creator_id]
    if video_ids is not None:
        sql += f" AND video_id IN ({','.join('?' * len(video_ids))})"
        args.extend(video_ids)
    hits = conn.execute(sql + " ORDER BY distance", args).fetchall()
    if not hits:
        return []
    holders: dict[int, list[int]] = {}
    rows = conn.execute(
        "SELECT s.id, c.id FROM transcript_sentences s JOIN video_chunks c ON c.video_id = s.video_id"
        " AND c.start_s <= s.start_s + 0.05 AND c.end_s >= s.end_s - 0.05"
        f" WHERE s.id IN ({','.join('?' * len(hits))}) ORDER BY c.chunk_index", [h[0] for h in hits])
    for sentence_id, chunk_id in rows:
        holders.setdefault(sentence_id, []).append(chunk_id)
    return [SentenceHit(h[0], h[1], h[2], tuple(holders.get(h[0], ()))) for h in hits]
