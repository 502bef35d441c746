"""Query embeddings: the model's forward pass, shared by concurrent requests.

Under load most of a request's CPU is the forward pass, and on a CPU one pass over eight short
queries costs about as much as three passes over one. So requests do not call the model
themselves: they queue their text, and one encoder thread embeds whatever is waiting in a single
batch. A lone request is encoded at once (no waiting for company), so nothing gets slower when the
service is quiet; and when it is the only request being served, its pass is spread over the cores that would
otherwise idle (`Occupancy`).

Measured and not worth it (issue 18, 2026-12-05; 16 clients, mixed /search and /ask, A-B segments of 8 s): the
server stays at about 1.5 cores busy, 195-230 requests/s, whatever is changed here. With the model's pass
replaced by a random vector the same server does 426 requests/s on exactly one core (the GIL), and the batches'
passes take about 12 ms of wall time for 55-60 % of that in CPU: the encoder threads wait for the GIL around
each pass. None of these moved throughput beyond the segments' spread: 1, 3 or 4 encoder threads, 2 threads a
pass, no lone path; capping the request thread pool at 4 or 8 (worse); letting 1, 2 or 4 requests run Python at
a time, released while their text is encoded; the encoder threads at nice 5-19 or -10; sys.setswitchinterval
0.2 ms to 20 ms; uvloop and httptools (then); tokenising in the request thread; no request log line (+7 % only in
the model-free server). What did move it is less Python per request: after f862e42 cut the pipeline's (in-process
/ask 1.69 -> 1.40 ms) the same A-B measure gave 223 -> 238 requests/s, and uvicorn on httptools and uvloop then
229 -> 242 (0 errors at 16, 32 and 64 clients). Running the routes' Python on the event loop with greenlets
(SQLAlchemy's greenlet_spawn), awaiting the query's vector there instead of in a pool thread, gained nothing in the
same A-B segments.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from assistant.settings import Settings
from core.embed import Embedder

EncodeBatch = Callable[[Sequence[str]], np.ndarray]
EncodeLone = Callable[[str], np.ndarray]
logger = logging.getLogger("assistant.encoding")


class Occupancy:
    """How many requests are being served: `with occupancy:` around each one.

    A lone query may use every core only while nothing else is served: under load the other cores are serving
    other requests' Python, and a pass split across them makes both wait (4 clients: 113 -> 103 requests/s when
    only the encoder's own queue was consulted).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.serving = 0

    def __enter__(self) -> Occupancy:
        with self._lock:
            self.serving += 1
        return self

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self.serving -= 1


class BatchingEncoder:
    """A text → vector callable that batches the texts of concurrent callers into `encode_batch` calls.

    Each of `workers` threads takes everything waiting (up to `max_batch`) and encodes it in one call. A caller
    with the machine to itself (no pass running, nothing waiting, no other request in `occupancy`) is encoded by
    `encode_lone` in its own thread instead.
    """

    def __init__(
        self,
        encode_batch: EncodeBatch,
        max_batch: int = 32,
        workers: int = 1,
        encode_lone: EncodeLone | None = None,
    ) -> None:
        self._encode_batch = encode_batch
        self._encode_lone = encode_lone
        self.occupancy = Occupancy()
        self._running = 0
        self._lock = threading.Lock()
        self.lone = 0
        self._max_batch = max_batch
        self._waiting: queue.SimpleQueue[_Slot] = queue.SimpleQueue()
        self.batches = 0
        self.encoded = 0
        for n in range(workers):
            threading.Thread(target=self._serve, name=f"query-encoder-{n}", daemon=True).start()

    def __call__(self, text: str) -> np.ndarray:
        with self._lock:
            encode_lone = self._encode_lone if self._quiet() else None
            if encode_lone is not None:
                self._running += 1
        if encode_lone is not None:
            # Nothing to batch with: encoded in the caller's thread, without the two hand-overs to an encoder thread.
            try:
                vector = encode_lone(text)
                self.lone += 1
                return vector
            finally:
                with self._lock:
                    self._running -= 1
        slot = _Slot(text)
        self._waiting.put(slot)
        return slot.result()

    def _quiet(self) -> bool:
        """No pass running, nothing waiting and no other request served (hold `_lock`)."""
        return not self._running and self.occupancy.serving <= 1 and self._waiting.empty()

    def many(self, texts: list[str]) -> np.ndarray:
        """Many texts known at once (the headings at start-up), embedded in this thread in the model's batches."""
        return self._encode_batch(texts)

    def _next_batch(self) -> list[_Slot]:
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
            with self._lock:
                self._running += 1
            try:
                vectors = self._encode_batch([slot.text for slot in batch])
            except Exception as exc:  # noqa: BLE001 - the callers re-raise it; the encoder thread lives on
                for slot in batch:
                    slot.fail(exc)
                continue
            finally:
                with self._lock:
                    self._running -= 1
            self.batches += 1
            self.encoded += len(batch)
            for slot, vector in zip(batch, vectors, strict=True):
                slot.give(vector)


_NO_VECTOR = np.empty(0, dtype=np.float32)  # a slot's vector until the encoder thread gives it


class _Slot:
    """One caller's text and, once encoded, its vector. The caller waits on a lock the encoder thread releases: one
    wake-up, where a Future's condition took the GIL-holding encoder thread through a lock, a waiter list and a
    notify per caller (7 % of what held the GIL under 16 clients)."""

    __slots__ = ("text", "_vector", "_error", "_done")

    def __init__(self, text: str) -> None:
        self.text = text
        self._vector = _NO_VECTOR
        self._error: BaseException | None = None
        self._done = threading.Lock()
        self._done.acquire()

    def give(self, vector: np.ndarray) -> None:
        self._vector = vector
        self._done.release()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._done.release()

    def result(self) -> np.ndarray:
        self._done.acquire()
        if self._error is not None:
            raise self._error
        return self._vector


def settings_embedder(
    settings: Settings,
    model: str | None = None,
    threads: int | None = None,
    log: Callable[[str], None] | None = None,
    workers: int = 1,
    bf16: bool = False,
    lone_threads: int = 1,
) -> Embedder:
    """The embedder the settings ask for (ONNX Runtime or torch), loaded on first use."""
    return Embedder(
        model or settings.model,
        encoder=settings.encoder,
        export_dir=settings.encoder_dir,
        threads=threads,
        workers=workers,
        bf16=bf16,
        lone_threads=lone_threads,
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
    # numpy's products on the request threads likewise: OpenBLAS's own threads made the written questions' one
    # product (1,225 x 384) 20x slower under load, 88% of the server's time with 16 clients.
    threadpool_limits(settings.encoder_threads, user_api="blas")
    lone_threads = settings.encoder_lone_threads or os.cpu_count() or 1
    embedder = settings_embedder(settings, model, settings.encoder_threads, lone_threads=lone_threads)
    embedder.load()
    logger.info("Query encoder: %s (%s)", embedder.name, embedder.backend + (f"; {embedder.fallback}" if embedder.fallback else ""))
    encode_lone = embedder.encode_lone if lone_threads > settings.encoder_threads else None
    return BatchingEncoder(embedder.encode, max_batch, settings.encoder_workers, encode_lone)
