"""The ONNX Runtime encoder: the torch path's vectors, exported once per model, torch kept out of the server."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from core.embed import DEFAULT_MODEL, Embedder, resolve_model_path
from core.onnx_encoder import EXPORT_FILE
from core.onnx_export import MIN_COSINE, export_folder, lowest_cosine
from core.pooled import plain_layout

MODEL_DIR = Path(resolve_model_path(DEFAULT_MODEL))
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    embedder = Embedder(DEFAULT_MODEL, encoder="torch")
    embedder.load()
    return embedder


def test_onnx_vectors_are_the_torch_paths_on_the_corpus(embedder, torch_embedder: Embedder, passages) -> None:  # type: ignore[no-untyped-def]
    assert embedder.backend == "onnx" and not embedder.fallback
    assert embedder.export_info["passed"] and embedder.export_info["min_cosine"] >= MIN_COSINE
    texts = [p.indexed_text() for p in passages[::5]] + ["LEP?", "  CIL  ", "what is a s151 officer", "council " * 400]
    onnx, torch = embedder.encode(texts), torch_embedder.encode(texts)
    assert onnx.dtype == np.float32 and onnx.shape == torch.shape == (len(texts), 384)
    assert lowest_cosine(onnx, torch) >= MIN_COSINE
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_a_query_alone_or_padded_into_a_batch_gets_the_same_vector(embedder) -> None:  # type: ignore[no-untyped-def]
    texts = ["LEP?", "How did two councils come to share one chief executive and a management team?"]
    alone = np.vstack([embedder.encode([t]) for t in texts])
    assert lowest_cosine(alone, embedder.encode(texts)) > 0.99999


def test_queries_asked_together_are_cut_into_short_batches_of_like_length_in_the_callers_order(embedder) -> None:  # type: ignore[no-untyped-def]
    from core.batching import QUERY_TOKEN_BUDGET

    queries = [
        "LEP?",
        "Which district councils pooled their planning services, and what did they save on the Local Plan team?",
        "shared chief executive",
        "How should a district be getting ready for Brexit, and is there any way we can influence what happens?",
        "what is a s151 officer",
        "Is there an example of councils sharing a planning team?",
        "CIL",
        "How do we get health partners to see prevention as part of our offer to them and to residents?",
    ]
    model = embedder.load()
    padded: list[int] = []
    run = model.encode

    def counted(texts):  # type: ignore[no-untyped-def]
        padded.append(len(texts) * max(model.token_counts(texts)))
        return run(texts)

    model.encode = counted
    try:
        together = embedder.encode(queries)
    finally:
        del model.encode
    alone = np.vstack([embedder.encode([q]) for q in queries])
    assert lowest_cosine(together, alone) >= 0.99999, "each query must get its own vector, in the callers' order"
    longest = max(model.token_counts(queries))
    assert len(padded) > 1 and all(size <= max(QUERY_TOKEN_BUDGET, longest) for size in padded)
    assert sum(padded) < len(queries) * longest, "no batch is padded to the longest query of all"


def test_the_export_is_kept_by_the_models_digest_and_made_once(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = export_folder(embedder.export_dir, MODEL_DIR, DEFAULT_MODEL)
    assert (folder / EXPORT_FILE).is_file() and folder.name.startswith(DEFAULT_MODEL + "-")
    said: list[str] = []
    again = Embedder(DEFAULT_MODEL, encoder="onnx", export_dir=embedder.export_dir, threads=1, log=said.append)
    again.load()
    assert again.backend == "onnx" and said == [], "an existing export must be reused, not made again"
    # A changed model file is a different model: it gets a folder of its own.
    changed = tmp_path / "model"
    changed.mkdir()
    for path in MODEL_DIR.iterdir():
        if path.is_file():
            (changed / path.name).symlink_to(path)
    (changed / "README.md").unlink()
    (changed / "README.md").write_text("edited", encoding="utf-8")
    assert export_folder(embedder.export_dir, changed).name != folder.name


def test_a_refused_export_is_remembered_and_torch_serves_saying_why(tmp_path: Path) -> None:
    layout = plain_layout(MODEL_DIR)
    assert layout is not None
    folder = export_folder(tmp_path, MODEL_DIR, DEFAULT_MODEL)
    folder.mkdir()
    reason = "the export's lowest cosine to torch on the check sample is 0.97 (< 0.9999)"
    (folder / EXPORT_FILE).write_text(json.dumps({"passed": False, "reason": reason}), encoding="utf-8")
    said: list[str] = []
    embedder = Embedder(DEFAULT_MODEL, encoder="onnx", export_dir=tmp_path, log=said.append)
    assert embedder.encode(["shared chief executive"]).shape == (1, 384)
    assert embedder.backend == "torch" and embedder.fallback == reason
    assert any(reason in line for line in said) and not any("Exporting" in line for line in said)


def test_an_unwritable_export_folder_falls_back_to_torch(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    embedder = Embedder(DEFAULT_MODEL, encoder="onnx", export_dir=blocked / "encoders", log=lambda _: None)
    embedder.load()
    assert embedder.backend == "torch" and "cannot write the export" in embedder.fallback


def test_the_server_never_imports_torch(embedder, built_index: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A fresh process starts the API from settings, answers /search and /ask, and has not imported torch (nor OpenVINO)."""
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from fastapi.testclient import TestClient
        from assistant.http.app import create_app
        from assistant.settings import Settings
        settings = Settings(index_dir=Path({str(built_index)!r}), data_dir=Path({str(tmp_path)!r}),
                            encoder_dir=Path({str(embedder.export_dir)!r}), ingest_bf16=True)
        with TestClient(create_app(settings)) as client:
            assert client.post("/search", json={{"query": "shared chief executive"}}).json()["passages"]
            assert client.post("/ask", json={{"question": "What did councils save by sharing a chief executive?"}}).json()["answer"]
            # Even with bfloat16 ingest asked for, the server's own re-index keeps OpenVINO out of its memory.
            assert client.app.state.reindexer.embedder.bf16 is False
        print(sorted(m for m in ("torch", "transformers", "sentence_transformers", "openvino") if m in sys.modules))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_int8_is_opt_in_and_close_to_fp32(embedder, passages) -> None:  # type: ignore[no-untyped-def]
    """Quantised once beside the fp32 export; its vectors stay near fp32's (0.89 lowest measured on the check sample, emoji and all)."""
    int8 = Embedder(DEFAULT_MODEL, encoder="onnx", export_dir=embedder.export_dir, int8=True, log=lambda _: None)
    texts = [p.indexed_text() for p in passages[::20]] + ["LEP?", "what is a s151 officer"]
    quantised = int8.encode(texts)
    assert int8.backend == "onnx int8" and embedder.backend == "onnx"
    assert int8.export_info["int8_min_cosine"] >= 0.88
    assert lowest_cosine(quantised, embedder.encode(texts)) >= 0.9


def test_many_texts_batched_by_tokens_on_two_workers_get_the_vectors_of_each_alone(embedder, passages) -> None:  # type: ignore[no-untyped-def]
    from core.embed import Embedder

    texts = [p.indexed_text() for p in passages[::25]] + ["LEP?", "shared services", "council " * 400]
    texts += [p.text[:80] for p in passages[::40]]
    two = Embedder(DEFAULT_MODEL, encoder="onnx", export_dir=embedder.export_dir, threads=1, workers=2)
    done: list[int] = []
    many = two.encode_all(texts, done.append)
    alone = np.vstack([embedder.encode([t]) for t in texts])
    assert lowest_cosine(many, alone) >= 0.99999, "rows must come back in the callers' order, with their own vectors"
    assert done and done[-1] == len(texts) and done == sorted(done)
