"""Sentence embeddings with sentence-transformers, loaded once from a local model folder."""
from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class Embedder:
    """all-MiniLM-L6-v2: 384-dimensional, normalised; input is cut at 256 word pieces."""

    name = "all-MiniLM-L6-v2"
    dims = 384

    def __init__(self, model_dir: Path, *, batch_size: int = 32, threads: int = 0):
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

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

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as unit-length float32 rows."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        model = self._load()
        vectors = model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
        return vectors.astype(np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        """Embed one text (a question, say)."""
        return self.embed([text])[0]
