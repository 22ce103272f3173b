"""Chunks: timed passages of a transcript, their vectors (vec0) and words (FTS5)."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chronos.db import Connection, transaction


@dataclass(frozen=True)
class ChunkDraft:
    """A chunk before it is stored."""
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Chunk:
    id: int
    video_id: int
    creator_id: int
    chunk_index: int
    start_s: float
    end_s: float
    text: str
    content_hash: str


@dataclass(frozen=True)
class ChunkHit:
    """A chunk found by a search, with its distance or rank score."""
    chunk_id: int
    video_id: int
    score: float


def content_hash(text: str) -> str:
    """The hash that identifies a chunk's text for embedding reuse."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def _chunk(r) -> Chunk:
    return Chunk(r["id"], r["video_id"], r["creator_id"], r["chunk_index"], r["start_s"], r["end_s"],
                 r["text"], r["content_hash"])


def replace_chunks(conn: Connection, video_id: int, creator_id: int,
                   drafts: Sequence[ChunkDraft]) -> list[Chunk]:
    """Replace a video's chunks (their old vectors and index rows go with them)."""
    with transaction(conn):
        conn.execute("DELETE FROM video_chunks WHERE video_id = ?", (video_id,))
        conn.executemany(
            "INSERT INTO video_chunks(video_id, creator_id, chunk_index, text, start_s, end_s,"
            " content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(video_id, creator_id, i, d.text, d.start_s, d.end_s, content_hash(d.text))
             for i, d in enumerate(drafts)])
    return chunks_for_video(conn, video_id)


def chunks_for_video(conn: Connection, video_id: int) -> list[Chunk]:
    """A video's chunks in time order."""
    rows = conn.execute("SELECT * FROM video_chunks WHERE video_id = ? ORDER BY chunk_index", (video_id,))
    return [_chunk(r) for r in rows]


def get_chunks(conn: Connection, chunk_ids: Sequence[int]) -> dict[int, Chunk]:
    """Chunks by id."""
    if not chunk_ids:
        return {}
    marks = ",".join("?" * len(chunk_ids))
    rows = conn.execute(f"SELECT * FROM video_chunks WHERE id IN ({marks})", list(chunk_ids))
    return {r["id"]: _chunk(r) for r in rows}


def chunks_without_vectors(conn: Connection, video_id: int) -> list[Chunk]:
    """The video's chunks that have no vector yet (a resumed embed stage skips the rest)."""
    rows = conn.execute(
        "SELECT c.* FROM video_chunks c WHERE c.video_id = ? AND NOT EXISTS"
        " (SELECT 1 FROM chunk_vectors v WHERE v.rowid = c.id) ORDER BY c.chunk_index", (video_id,))
    return [_chunk(r) for r in rows]


def cached_embeddings(conn: Connection, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
    """Embeddings already computed for these content hashes with this model."""
    found: dict[str, np.ndarray] = {}
    unique = list(dict.fromkeys(hashes))
    for i in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
        part = unique[i:i + 500]
        marks = ",".join("?" * len(part))
        for r in conn.execute(f"SELECT content_hash, vector FROM embedding_cache WHERE model = ?"
                              f" AND content_hash IN ({marks})", [model, *part]):
            found[r[0]] = np.frombuffer(r[1], dtype=np.float32)
    return found


def store_vectors(conn: Connection, model: str, chunks: Sequence[Chunk],
                  vectors: Sequence[np.ndarray]) -> None:
    """Store one vector per chunk, and remember each by content hash for reuse."""
    with transaction(conn):
        for chunk, vec in zip(chunks, vectors, strict=True):
            blob = np.asarray(vec, dtype=np.float32).tobytes()
            conn.execute("INSERT OR REPLACE INTO chunk_vectors(rowid, creator_id, embedding, video_id)"
                         " VALUES (?, ?, ?, ?)", (chunk.id, chunk.creator_id, blob, chunk.video_id))
            conn.execute("INSERT OR IGNORE INTO embedding_cache(content_hash, model, vector)"
                         " VALUES (?, ?, ?)", (chunk.content_hash, model, blob))


def vector_count(conn: Connection, video_id: int) -> int:
    """How many of the video's chunks have vectors."""
    return conn.execute("SELECT count(*) FROM chunk_vectors WHERE video_id = ?", (video_id,)).fetchone()[0]


def nearest_chunks(conn: Connection, creator_id: int, vector: np.ndarray, k: int = 10,
                   video_ids: Sequence[int] | None = None) -> list[ChunkHit]:
    """KNN over one creator's vectors; score is cosine distance (0 = identical)."""
    blob = np.asarray(vector, dtype=np.float32).tobytes()
    sql = ("SELECT rowid, video_id, distance FROM chunk_vectors WHERE embedding MATCH ?"
           " AND k = ? AND creator_id = ?")
    args: list = [blob, k, creator_id]
    if video_ids is not None:
        if not video_ids:
            return []
        sql += f" AND video_id IN ({','.join('?' * len(video_ids))})"
        args.extend(video_ids)
    rows = conn.execute(sql + " ORDER BY distance", args)
    return [ChunkHit(r[0], r[1], r[2]) for r in rows]


def keyword_chunks(conn: Connection, creator_id: int, fts_query: str, k: int = 10,
                   video_ids: Sequence[int] | None = None) -> list[ChunkHit]:
    """BM25 over one creator's chunk text; score is bm25 (lower is better)."""
    if not fts_query:
        return []
    # The creator token narrows the match inside FTS5 itself (see migration 6); its column gets
    # weight 0 so only the text ranks.
    match = f"({fts_query}) AND {_creator_token(creator_id)}"
    if video_ids is None:
        # Rank inside FTS5 first, then look up only the k winners' videos.
        rows = conn.execute(
            "SELECT c.id, c.video_id, f.score FROM (SELECT rowid, bm25(chunks_fts, 1.0, 0.0) AS score"
            " FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?) f"
            " JOIN video_chunks c ON c.id = f.rowid ORDER BY f.score", (match, k))
        return [ChunkHit(r[0], r[1], r[2]) for r in rows]
    if not video_ids:
        return []
    rows = conn.execute(
        "SELECT c.id, c.video_id, bm25(chunks_fts, 1.0, 0.0) AS score FROM chunks_fts"
        " JOIN video_chunks c ON c.id = chunks_fts.rowid WHERE chunks_fts MATCH ?"
        f" AND c.video_id IN ({','.join('?' * len(video_ids))}) ORDER BY score LIMIT ?",
        [match, *video_ids, k])
    return [ChunkHit(r[0], r[1], r[2]) for r in rows]


def keyword_chunk_count(conn: Connection, creator_id: int, limit: int) -> int:
    """How many of the creator's chunks the keyword index holds, counting no further than limit."""
    return conn.execute("SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)",
                        (_creator_token(creator_id), limit)).fetchone()[0]


def term_chunk_counts(conn: Connection, creator_id: int, terms: Sequence[str], limit: int) -> list[int]:
    """For each FTS5 term, how many of the creator's chunks hold it, counting no further than limit.

    The limit keeps the cost of a common term bounded: the caller only needs to know it is common.
    """
    if not terms:
        return []
    count = "(SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?))"
    args = [a for t in terms for a in (f"{t} AND {_creator_token(creator_id)}", limit)]
    return list(conn.execute("SELECT " + ", ".join([count] * len(terms)), args).fetchone())


def _creator_token(creator_id: int) -> str:
    return f"creator:c{int(creator_id)}"


def vectors_for(conn: Connection, chunk_ids: Sequence[int]) -> dict[int, np.ndarray]:
    """The stored vectors of some chunks."""
    # One rowid lookup each: vec0 answers `rowid IN (...)` by scanning every vector.
    found = {}
    for chunk_id in chunk_ids:
        row = conn.execute("SELECT embedding FROM chunk_vectors WHERE rowid = ?", (chunk_id,)).fetchone()
        if row:
            found[chunk_id] = np.frombuffer(row[0], dtype=np.float32)
    return found


def chunks_in_window(conn: Connection, video_id: int, start_s: float, end_s: float) -> list[Chunk]:
    """A video's chunks that overlap a time window."""
    rows = conn.execute("SELECT * FROM video_chunks WHERE video_id = ? AND end_s >= ? AND start_s <= ?"
                        " ORDER BY chunk_index", (video_id, start_s, end_s))
    return [_chunk(r) for r in rows]
