"""The light embedding paths (ONNX Runtime, or transformers alone) give sentence-transformers' vectors, and defer to it otherwise."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.embed import DEFAULT_MODEL, Embedder, resolve_model_path
from core.pooled import PooledLayout, plain_layout

MODEL_DIR = Path(resolve_model_path(DEFAULT_MODEL))


def _model_copy(tmp_path: Path, pooling: dict[str, object] | None = None, modules: list[dict[str, object]] | None = None) -> Path:
    """The bundled model folder with its weights linked and its layout files rewritten."""
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy, copy_function=lambda src, dst: Path(dst).symlink_to(src))
    if pooling is not None:
        target = copy / "1_Pooling" / "config.json"
        target.unlink()
        target.write_text(json.dumps(pooling))
    if modules is not None:
        (copy / "modules.json").unlink()
        (copy / "modules.json").write_text(json.dumps(modules))
    return copy


def test_the_bundled_model_is_mean_pooled_with_its_sequence_limit() -> None:
    assert plain_layout(MODEL_DIR) == PooledLayout("mean", 256)


def test_light_vectors_equal_sentence_transformers_vectors(embedder, passages) -> None:  # type: ignore[no-untyped-def]
    from sentence_transformers import SentenceTransformer

    assert embedder.backend == "onnx", "the default model should run on ONNX Runtime, not sentence-transformers"
    # A sample across the toolkit: the whole corpus is compared in tests/core/test_onnx.py.
    texts = [p.text for p in passages[::12]] + ["LEP?", "  what is a s151 officer  ", "shared services " * 300]
    reference = SentenceTransformer(str(MODEL_DIR), device="cpu").encode(texts, normalize_embeddings=True)
    light = embedder.encode(texts)
    assert light.dtype == np.float32 and light.shape == reference.shape
    assert float((light * reference).sum(axis=1).min()) > 0.99999


@pytest.mark.parametrize(
    ("pooling", "modules"),
    [
        ({"word_embedding_dimension": 384, "pooling_mode_max_tokens": True}, None),
        (None, [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]),
    ],
    ids=["max pooling", "dense head"],
)  # fmt: skip
def test_other_layouts_are_left_to_sentence_transformers(tmp_path: Path, pooling, modules) -> None:  # type: ignore[no-untyped-def]
    assert plain_layout(_model_copy(tmp_path, pooling, modules)) is None


def test_an_unusual_model_still_embeds_through_sentence_transformers(tmp_path: Path) -> None:
    model = _model_copy(tmp_path, {"word_embedding_dimension": 384, "pooling_mode_max_tokens": True})
    embedder = Embedder(str(model), encoder="onnx", export_dir=tmp_path / "encoders")
    vectors = embedder.encode(["shared chief executive", "joint planning committee"])
    assert embedder.backend == "sentence-transformers" and "pooling" in embedder.fallback
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
