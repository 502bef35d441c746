"""Ingest in bfloat16 on OpenVINO: only where the CPU computes in bfloat16 natively, only with float32's vectors."""

from __future__ import annotations

import numpy as np
import pytest

from core import onnx_export
from core.embed import DEFAULT_MODEL, Embedder
from core.onnx_export import MIN_COSINE, lowest_cosine
from core.openvino_encoder import bf16_units

needs_bf16 = pytest.mark.skipif(not bf16_units(), reason="this CPU does not compute in bfloat16 natively")


def _ingest_embedder(export_dir, log=lambda _: None) -> Embedder:  # type: ignore[no-untyped-def]
    return Embedder(DEFAULT_MODEL, encoder="onnx", export_dir=export_dir, bf16=True, threads=1, workers=2, log=log)


@needs_bf16
def test_ingest_vectors_in_bfloat16_agree_with_float32_on_the_corpus(embedder, passages) -> None:  # type: ignore[no-untyped-def]
    said: list[str] = []
    fast = _ingest_embedder(embedder.export_dir, said.append)
    texts = [p.indexed_text() for p in passages[::4]] + ["LEP?", "  CIL  ", "council " * 400]
    texts += [p.text[:90] for p in passages[::9]]
    done: list[int] = []
    vectors = fast.encode_all(texts, done.append)
    assert fast.backend == "openvino bf16" and any("bfloat16" in line for line in said)
    assert vectors.dtype == np.float32 and vectors.shape == (len(texts), 384)
    # Rows come back in the callers' order (batches are planned longest first, on two streams at once).
    assert lowest_cosine(vectors, embedder.encode(texts)) >= MIN_COSINE
    assert done and done[-1] == len(texts) and done == sorted(done)


@needs_bf16
def test_bfloat16_that_disagrees_with_float32_is_refused_saying_why(embedder, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(onnx_export, "MIN_COSINE", 1.0 + 1e-6)  # a bar no bfloat16 vector can clear
    said: list[str] = []
    fast = _ingest_embedder(embedder.export_dir, said.append)
    assert fast.encode(["shared chief executive"]).shape == (1, 384)
    assert fast.backend == "onnx"
    assert any("Embedding in float32" in line and "lowest cosine" in line for line in said)


def test_without_bf16_asked_for_float32_serves(embedder) -> None:  # type: ignore[no-untyped-def]
    plain = Embedder(DEFAULT_MODEL, encoder="onnx", export_dir=embedder.export_dir, threads=1)
    plain.load()
    assert plain.backend == "onnx"
