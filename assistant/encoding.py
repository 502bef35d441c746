"""Query embeddings: the model's forward pass, shared by concurrent requests.

Under load most of a request's CPU is the forward pass, and on a CPU one pass over eight short
queries costs about as much as three passes over one. So requests do not call the model
themselves: they queue their text, and one encoder thread embeds whatever is waiting in a single
batch. A lone request is encoded at once (no waiting for company), so nothing gets slower when the
service is quiet.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import numpy as np

from assistant.settings import Settings
from core.embed import Embedder

EncodeBatch = Callable[[Sequence[str]], np.ndarray]
logger = logging.getLogger("assistant.encoding")


class BatchingEncoder:
    """A text → vector callable that batches the texts of concurrent callers into `encode_batch` calls.

    Each of `workers` threads takes everything waiting (up to `max_batch`) and encodes it in one call.
    """

    def __init__(self, encode_batch: EncodeBatch, max_batch: int = 32, workers: int = 1) -> None:
        self._encode_batch = encode_batch
        self._max_batch = max_batch
        self._waiting: queue.SimpleQueue[tuple[str, Future[np.ndarray]]] = queue.SimpleQueue()
        self.batches = 0
        self.encoded = 0
        for n in range(workers):
            threading.Thread(target=self._serve, name=f"query-encoder-{n}", daemon=True).start()

    def __call__(self, text: str) -> np.ndarray:
        future: Future[np.ndarray] = Future()
        self._waiting.put((text, future))
        return future.result()

    def many(self, texts: list[str]) -> np.ndarray:
        """Many texts known at once (the headings at start-up), embedded in this thread in the model's batches."""
        return self._encode_batch(texts)

    def _next_batch(self) -> list[tuple[str, Future[np.ndarray]]]:
        batch = [self._waiting.get()]
        while len(batch) < self._max_batch:
            try:
                batch.append(self._waiting.get_nowait())
            except queue.Empty:
                break
        return batch

    def _serve(self) -> None:
        while True:
            batch = self._next_batch()
            try:
                vectors = self._encode_batch([text for text, _ in batch])
            except Exception as exc:  # noqa: BLE001 - the callers re-raise it; the encoder thread lives on
                for _, future in batch:
                    future.set_exception(exc)
                continue
            self.batches += 1
            self.encoded += len(batch)
            for (_, future), vector in zip(batch, vectors, strict=True):
                future.set_result(vector)


def settings_embedder(
    settings: Settings,
    model: str | None = None,
    threads: int | None = None,
    log: Callable[[str], None] | None = None,
    workers: int = 1,
    bf16: bool = False,
) -> Embedder:
    """The embedder the settings ask for (ONNX Runtime or torch), loaded on first use."""
    return Embedder(
        model or settings.model,
        encoder=settings.encoder,
        export_dir=settings.encoder_dir,
        threads=threads,
        workers=workers,
        bf16=bf16,
        log=log,
    )


def ingest_embedder(settings: Settings, log: Callable[[str], None] | None = None, in_server: bool = False) -> Embedder:
    """The embedder for an ingest: one batch per core side by side, each pass on one thread (`Embedder.encode_all`).

    Outside the server it may embed in bfloat16 (`Settings.ingest_bf16`); the server keeps OpenVINO out of its memory.
    """
    bf16 = settings.ingest_bf16 and not in_server
    return settings_embedder(settings, threads=1, log=log, workers=os.cpu_count() or 1, bf16=bf16)


def model_encoder(settings: Settings, model: str | None = None, max_batch: int = 32) -> BatchingEncoder:
    """Query encoder backed by the settings' model and runtime, batching concurrent queries.

    `encoder_threads` are the model's and FAISS's per call: a short batch gains little from more, and their
    spinning threads slow the request threads around them. `encoder_workers` threads run batches side by side
    (ONNX Runtime and torch release the GIL), which uses the cores without spinning: on 2 cores, 2 workers of 1
    thread served 16 clients 20 % faster than 1 worker of 2 threads, at 20 % less CPU per request.
    The model is loaded (and exported, the first time) here, so the first request is not the slow one.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import faiss

    faiss.omp_set_num_threads(settings.encoder_threads)  # a single-query search on two busy threads is 30x slower
    embedder = settings_embedder(settings, model, settings.encoder_threads)
    embedder.load()
    logger.info("Query encoder: %s (%s)", embedder.name, embedder.backend + (f"; {embedder.fallback}" if embedder.fallback else ""))
    return BatchingEncoder(embedder.encode, max_batch, settings.encoder_workers)
