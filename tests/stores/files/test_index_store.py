"""Index builds pick exact or HNSW search by size, for passages and for sentences, and load either way."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.errors import IndexCorrupt
from evals.dataset import load_questions
from stores.files import schema as index_store
from stores.files.read import FileStore
from stores.files.write import write_build


def _rewrite(source: Path, target: Path, index_type: str) -> Path:
    """The session build written again with the given index type."""
    target.mkdir()
    manifest = index_store.read_manifest(source)
    sentences = [json.loads(line) for line in (source / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    write_build(
        target,
        index_store.load_passages(source),
        index_store.load_case_studies(source),
        np.load(source / "vectors.npy"),
        json.loads((source / "embed_keys.json").read_text(encoding="utf-8")),
        [(s["passage_id"], s["text"]) for s in sentences],
        {k: v for k, v in manifest.items() if k not in ("checksums", "dense_index", "sentence_index")},
        json.loads((source / "glossary.json").read_text(encoding="utf-8")),
        index_type,
    )
    return target


@pytest.fixture(scope="module")
def builds(built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    source = index_store.current_build_path(built_index)
    assert source is not None
    work = tmp_path_factory.mktemp("builds")
    return {kind: _rewrite(source, work / kind, kind) for kind in ("flat", "hnsw")}


def test_the_toolkit_is_small_enough_for_exact_search(built_index: Path) -> None:
    build = index_store.current_build_path(built_index)
    assert build is not None
    manifest = index_store.read_manifest(build)
    assert manifest["dense_index"] == "flat" and manifest["sentence_index"] == "flat"
    assert not (build / index_store.SENTENCE_INDEX).exists()


def test_a_large_build_ships_an_hnsw_sentence_index_that_finds_what_exact_search_finds(builds, embedder) -> None:  # type: ignore[no-untyped-def]
    manifest = index_store.read_manifest(builds["hnsw"])
    assert manifest["dense_index"] == "hnsw" and manifest["sentence_index"] == "hnsw"
    assert (builds["hnsw"] / index_store.SENTENCE_INDEX).exists()
    exact, approximate = FileStore(builds["flat"]), FileStore(builds["hnsw"])
    questions = [q.question for q in load_questions()][:40]
    overlap = []
    for vector in embedder.encode(questions):
        want = [pid for pid, _ in exact.sentence_search(vector, 10)]
        got = [pid for pid, _ in approximate.sentence_search(vector, 10)]
        overlap.append(len(set(want) & set(got)) / len(want))
    assert float(np.mean(overlap)) >= 0.95


def test_an_hnsw_build_whose_sentences_no_longer_match_is_refused(builds, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(builds["hnsw"], broken)
    lines = (broken / "sentences.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (broken / "sentences.jsonl").write_text("".join(lines[:-1]), encoding="utf-8")
    manifest = index_store.read_manifest(broken)
    manifest["checksums"] = index_store.file_checksums(broken)  # damage the checksums would not catch
    (broken / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        FileStore(broken)


def test_a_repeated_sentence_is_indexed_once() -> None:
    assert index_store.distinct_sentence_rows(["a b", "c d", "a b", "e f", "c d"]) == [0, 1, 3]
