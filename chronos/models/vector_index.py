"""Which embedding model made the library's vectors, and re-embedding them with another (migration 25).

A library's vectors are all made by one model: a question's vector is compared with them, and the
vec0 tables are sized for that model's dimension. `chronos reembed` stores every text's new vector
in the embedding cache first (resumable), then `swap` rewrites all vectors in one transaction.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from chronos.db import Connection, transaction
from chronos.models.chunks import content_hash
from chronos.models.sentences import window_text

# The two vec0 tables, as migrations 1 and 20 made them, for any dimension.
_TABLES = {
    "chunk_vectors": "CREATE VIRTUAL TABLE chunk_vectors USING vec0(creator_id INTEGER PARTITION KEY,"
                     " embedding FLOAT[{dims}] distance_metric=cosine, video_id INTEGER)",
    "sentence_vectors": "CREATE VIRTUAL TABLE sentence_vectors USING vec0(creator_id INTEGER PARTITION KEY,"
                        " embedding FLOAT[{dims}] distance_metric=cosine, video_id INTEGER)",
}


@dataclass(frozen=True)
class VectorIndex:
    embedder: str  # the model's name, as in embedding_cache.model
    dims: int


class _Spoken(NamedTuple):
    id: int
    content_hash: str
    text: str


@dataclass(frozen=True)
class Text:
    """A text whose vector the library stores: a chunk, a sentence, or a sentence with its neighbours."""
    content_hash: str
    text: str


def current(conn: Connection) -> VectorIndex:
    """The model that made the library's vectors."""
    row = conn.execute("SELECT embedder, dims FROM vector_index WHERE id = 1").fetchone()
    return VectorIndex(row[0], row[1])


def has_vectors(conn: Connection) -> bool:
    """Whether any chunk or sentence has a vector yet."""
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM video_chunks c WHERE EXISTS"
                             " (SELECT 1 FROM chunk_vectors v WHERE v.rowid = c.id))"
                             " OR EXISTS (SELECT 1 FROM transcript_sentences WHERE vector IS NOT NULL)"
                             ).fetchone()[0])


def adopt(conn: Connection, embedder: str, dims: int) -> None:
    """Record a model for a library that has no vectors yet (its tables resized if need be)."""
    with transaction(conn):
        if has_vectors(conn):
            raise RuntimeError("adopt() is for a library without vectors; re-embed it instead")
        _record(conn, embedder, dims)


def _record(conn: Connection, embedder: str, dims: int) -> None:
    if current(conn).dims != dims:
        for table, create in _TABLES.items():
            # The triggers that fill these tables belong to video_chunks and transcript_sentences,
            # so they survive the drop and write to the new table.
            conn.execute(f"DROP TABLE {table}")
            conn.execute(create.format(dims=int(dims)))
    conn.execute("UPDATE vector_index SET embedder = ?, dims = ?,"
                 " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = 1", (embedder, dims))


def library_texts(conn: Connection) -> list[Text]:
    """Every text the library holds a vector of, each once: chunks, sentences, sentence windows."""
    texts: dict[str, str] = {}
    for r in conn.execute("SELECT content_hash, text FROM video_chunks ORDER BY id"):
        texts.setdefault(r[0], r[1])
    for _, sentences in _sentences_by_video(conn):
        for i, sentence in enumerate(sentences):
            texts.setdefault(sentence.content_hash, sentence.text)
            window = window_text(sentences, i)
            texts.setdefault(content_hash(window), window)
    return [Text(h, t) for h, t in texts.items()]


def cached(conn: Connection, model: str) -> set[str]:
    """The content hashes the embedding cache holds a vector of for this model."""
    return {r[0] for r in conn.execute("SELECT content_hash FROM embedding_cache WHERE model = ?", (model,))}


def cache_vectors(conn: Connection, model: str, texts: Sequence[Text], vectors: Sequence[np.ndarray]) -> None:
    """Remember the vectors of some texts (by content hash) for this model."""
    with transaction(conn):
        conn.executemany("INSERT OR IGNORE INTO embedding_cache(content_hash, model, vector) VALUES (?, ?, ?)",
                         [(t.content_hash, model, np.asarray(v, dtype=np.float32).tobytes())
                          for t, v in zip(texts, vectors, strict=True)])


def swap(conn: Connection, model: str, dims: int, vectors: Mapping[str, bytes]) -> int:
    """Rewrite every chunk's and sentence's vector with this model's (vectors: content hash -> the
    float32 bytes) and record the model, in one transaction; returns the vectors written. A text
    missing from `vectors` raises KeyError before anything is written."""
    with transaction(conn):
        chunks = conn.execute("SELECT id, creator_id, video_id, content_hash FROM video_chunks").fetchall()
        spoken = [(s, window_text(group, i)) for _, group in _sentences_by_video(conn)
                  for i, s in enumerate(group)]
        needed = [r[3] for r in chunks] + [h for s, w in spoken for h in (s.content_hash, content_hash(w))]
        missing = [h for h in needed if h not in vectors]
        if missing:
            raise KeyError(f"{len(missing)} texts have no {model} vector yet")
        _record(conn, model, dims)
        for chunk_id, creator_id, video_id, digest in chunks:
            conn.execute("DELETE FROM chunk_vectors WHERE rowid = ?", (chunk_id,))
            conn.execute("INSERT INTO chunk_vectors(rowid, creator_id, embedding, video_id) VALUES (?, ?, ?, ?)",
                         (chunk_id, creator_id, vectors[digest], video_id))
        # The update trigger on window_vector rewrites each sentence's row in sentence_vectors.
        conn.executemany("UPDATE transcript_sentences SET vector = ?, window_vector = ? WHERE id = ?",
                         [(vectors[s.content_hash], vectors[content_hash(w)], s.id) for s, w in spoken])
    return len(chunks) + 2 * len(spoken)


def vectors_of(conn: Connection, model: str, hashes: Sequence[str]) -> dict[str, bytes]:
    """The cached vectors (float32 bytes) of these content hashes for this model."""
    found: dict[str, bytes] = {}
    unique = list(dict.fromkeys(hashes))
    for i in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
        part = unique[i:i + 500]
        rows = conn.execute(f"SELECT content_hash, vector FROM embedding_cache WHERE model = ?"
                            f" AND content_hash IN ({','.join('?' * len(part))})", [model, *part])
        found.update({r[0]: r[1] for r in rows})
    return found


def _sentences_by_video(conn: Connection) -> Iterator[tuple[int, list[_Spoken]]]:
    """Each video's sentences in spoken order."""
    rows = conn.execute("SELECT video_id, id, content_hash, text FROM transcript_sentences"
                        " ORDER BY video_id, sentence_index").fetchall()
    video, group = None, []
    for r in rows:
        if r[0] != video and group:
            yield video, group
            group = []
        video = r[0]
        group.append(_Spoken(r[1], r[2], r[3]))
    if group:
        yield video, group

