"""The batching query encoder: concurrent callers share forward passes and each gets its own vector."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assistant.encoding import BatchingEncoder


class SlowCounter:
    """An encode_batch stand-in that records batch sizes and is slow enough for callers to pile up."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.release = threading.Event()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.release.wait(5)
        self.sizes.append(len(texts))
        return np.array([[float(len(t)), float(sum(map(ord, t)))] for t in texts], dtype=np.float32)


def test_each_caller_gets_the_vector_of_its_own_text() -> None:
    counter = SlowCounter()
    encoder = BatchingEncoder(counter, max_batch=8, workers=1)
    texts = [f"question {'x' * n}" for n in range(40)]
    with ThreadPoolExecutor(max_workers=40) as pool:
        futures = [pool.submit(encoder, t) for t in texts]
        counter.release.set()
        vectors = [f.result(timeout=10) for f in futures]
    for text, vector in zip(texts, vectors, strict=True):
        assert vector.tolist() == [float(len(text)), float(sum(map(ord, text)))]
    assert sum(counter.sizes) == 40
    assert max(counter.sizes) > 1, "concurrent callers were never batched"
    assert max(counter.sizes) <= 8


def test_a_lone_caller_is_not_kept_waiting() -> None:
    counter = SlowCounter()
    counter.release.set()
    encoder = BatchingEncoder(counter, workers=2)
    assert encoder("alone").tolist() == [5.0, float(sum(map(ord, "alone")))]
    assert counter.sizes == [1]


def test_a_failing_batch_raises_in_its_callers_and_the_encoder_carries_on() -> None:
    calls = {"n": 0}

    def flaky(texts: Sequence[str]) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("model exploded")
        return np.ones((len(texts), 3), dtype=np.float32)

    encoder = BatchingEncoder(flaky, workers=1)
    with pytest.raises(RuntimeError, match="model exploded"):
        encoder("first")
    assert encoder("second").shape == (3,)


def test_batched_model_vectors_match_one_at_a_time(embedder) -> None:  # type: ignore[no-untyped-def]
    """Padding a short query into a batch with long ones must not change its embedding."""
    texts = ["LEP?", "How did two councils come to share one chief executive and a management team?", "CIL"]
    encoder = BatchingEncoder(embedder.encode, workers=1)
    with ThreadPoolExecutor(max_workers=3) as pool:
        batched = list(pool.map(encoder, texts))
    for text, vector in zip(texts, batched, strict=True):
        single = embedder.encode([text])[0]
        assert float(np.dot(vector, single)) > 0.9999
