"""Sentence embeddings with sentence-transformers, loaded once from a local model folder.

Questions are embedded through a micro-batcher: each asking thread submits its text and waits;
one worker thread embeds whatever has queued meanwhile as one batch. Under a class asking at once
that turns 200 model calls into a handful (a batch of 32 short texts costs about as much as 3 single
ones on this CPU), and the model runs in one thread at a time, so torch threads never fight.
"""
from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

import numpy as np

QUESTION_CACHE_SIZE = 2048  # question vectors kept (1.5 KB each: about 3 MB)
MAX_QUESTION_BATCH = 64  # questions are short: 64 of them are still one quick forward pass


class Embedder:
    """all-MiniLM-L6-v2: 384-dimensional, normalised; input is cut at 256 word pieces."""

    name = "all-MiniLM-L6-v2"
    dims = 384

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

    def load(self) -> None:
        """Load the model now (and run it once, so the first question pays no start-up cost)."""
        self._load()
        self.embed(["warming up"])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as unit-length float32 rows."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        model = self._load()
        parts = []
        # The lock is taken per batch, so a question waits for one batch of a long ingest, not all.
        for i in range(0, len(texts), self.batch_size):
            with self._model_lock:
                parts.append(model.encode(list(texts[i:i + self.batch_size]), batch_size=self.batch_size,
                                          normalize_embeddings=True, convert_to_numpy=True,
                                          show_progress_bar=False))
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
                vectors = dict(zip(texts, self.embed(texts)))
            except BaseException as exc:  # noqa: BLE001 - every waiting caller gets the error
                for _, future in waiting:
                    future.set_exception(exc)
                continue
            self.batches = self.batches[-999:] + [len(texts)]
            for text, future in waiting:
                future.set_result(vectors[text].copy())
