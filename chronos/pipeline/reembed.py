"""Re-embedding a whole library with another embedding model (`chronos reembed`).

Every text's new vector goes to the embedding cache first, a batch per commit, so a stopped run
resumes where it was and the library keeps answering with its old vectors meanwhile; then one
transaction rewrites every vector (resizing the vec0 tables when the dimension changes) and records
the new model, which a running server follows at its next question (`Embedder.follow`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chronos.ai.embedder import Embedder
from chronos.db import Connection
from chronos.models import vector_index

BATCH = 64  # texts per commit: a stop loses at most this much work
SWAP_TRIES = 3  # videos finished by a running server between the last pass and the swap


@dataclass(frozen=True)
class Reembedded:
    model: str
    texts: int  # distinct texts in the library (chunks, sentences, sentence windows)
    embedded: int  # embedded by this run; the rest were in the cache already
    vectors: int  # vectors written


def reembed_library(conn: Connection, embedder: Embedder,
                    on_progress: Callable[[int, int], None] = lambda done, total: None) -> Reembedded:
    """Give every chunk and sentence of the library a vector made by this embedder, and record it
    as the library's model; on_progress gets (texts done, texts in all)."""
    embedded = 0
    for _ in range(SWAP_TRIES):
        texts = vector_index.library_texts(conn)
        have = vector_index.cached(conn, embedder.name)
        todo = [t for t in texts if t.content_hash not in have]
        done = len(texts) - len(todo)
        on_progress(done, len(texts))
        for i in range(0, len(todo), BATCH):
            batch = todo[i:i + BATCH]
            vector_index.cache_vectors(conn, embedder.name, batch, embedder.embed([t.text for t in batch]))
            embedded += len(batch)
            done += len(batch)
            on_progress(done, len(texts))
        vectors = vector_index.vectors_of(conn, embedder.name, [t.content_hash for t in texts])
        try:
            written = vector_index.swap(conn, embedder.name, embedder.dims, vectors)
        except KeyError:  # a video was (re)processed meanwhile: embed its texts too, then swap
            continue
        return Reembedded(embedder.name, len(texts), embedded, written)
    raise RuntimeError("The library kept changing while it was re-embedded; run `chronos reembed` again "
                       "(what is done is kept).")
