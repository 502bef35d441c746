"""The index directory: builds written beside each other and swapped in atomically through a symlink.

Layout::

    index/current -> builds/<build-id>/
    index/builds/<build-id>/{manifest.json, chunks.jsonl, case_studies.json, vectors.npy,
                             embed_keys.json, dense.faiss, [sentences.faiss,] bm25/, glossary.json}

Readers resolve `current` once and keep that build open, so a swap never shows them a half-written index.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from ingest.models import CaseStudy, Passage

CURRENT = "current"
BUILDS = "builds"
KEEP_BUILDS = 2
# Below this many passages an exact (flat) search is fast enough and loses nothing; above it, HNSW.
HNSW_THRESHOLD = 50_000  # vectors: passages for dense.faiss, sentences for sentences.faiss
SENTENCE_INDEX = "sentences.faiss"
# HNSW breadth per query (docs/benchmarks.md sweeps it): a query takes 20 passages and 80 sentences, and
# documents that repeat boilerplate crowd the sentence graph with near-copies, so sentences search wider.
PASSAGE_EF_SEARCH = 128
SENTENCE_EF_SEARCH = 256


class IndexError_(Exception):
    """The index is missing or damaged; the message says how to fix it."""  # noqa: N801


@dataclass(frozen=True)
class Build:
    """One complete index build on disk."""

    path: Path
    manifest: dict[str, object]

    @property
    def passages_path(self) -> Path:
        return self.path / "chunks.jsonl"


def current_build_path(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def read_manifest(build_path: Path) -> dict[str, object]:
    return json.loads((build_path / "manifest.json").read_text(encoding="utf-8"))


def file_checksums(build_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of a build but the manifest, by path relative to the build."""
    return {
        path.relative_to(build_dir).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(build_dir.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


def damaged_files(build_path: Path, manifest: dict[str, object]) -> list[str]:
    """Files of a build that are missing or no longer match the checksums its manifest recorded."""
    recorded = manifest.get("checksums") if isinstance(manifest, dict) else None
    if not isinstance(recorded, dict):
        return []  # a build from before checksums: the loaders' own checks still apply
    found = file_checksums(build_path)
    return sorted(name for name, digest in recorded.items() if found.get(name) != digest)


def new_build_dir(index_dir: Path) -> Path:
    builds = index_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    path = builds / f".tmp-{name}"
    path.mkdir()
    return path


def dense_index(vectors: np.ndarray, index_type: str = "auto", ef_search: int = PASSAGE_EF_SEARCH) -> faiss.Index:
    """Inner-product FAISS index over normalised vectors: flat when small, HNSW when large."""
    dimension = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[0] else 384
    kind = index_type if index_type != "auto" else ("hnsw" if len(vectors) >= HNSW_THRESHOLD else "flat")
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = ef_search  # saved with the index
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(vectors)
    return index


def sentence_groups(texts: list[str]) -> list[list[int]]:
    """The positions of each distinct sentence text, in order of first occurrence (one row of the sentence index each)."""
    groups: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        groups.setdefault(text, []).append(row)
    return list(groups.values())


def distinct_sentence_rows(texts: list[str]) -> list[int]:
    """The position of each distinct sentence's first occurrence, in order."""
    return [group[0] for group in sentence_groups(texts)]


def sentence_dense_index(sentence_vectors: np.ndarray, texts: list[str], index_type: str = "auto") -> faiss.Index:
    """The sentence index: each distinct sentence once, flat or HNSW by that count.

    Boilerplate repeated across documents would otherwise put many identical vectors in an HNSW graph,
    where searches get stuck among the copies; FileStore maps each vector back to every row with its text.
    """
    return dense_index(sentence_vectors[distinct_sentence_rows(texts)], index_type, SENTENCE_EF_SEARCH)


def write_build(
    build_dir: Path,
    passages: list[Passage],
    case_studies: list[CaseStudy],
    vectors: np.ndarray,
    embed_keys: list[str],
    sentences: list[tuple[str, str]],
    manifest: dict[str, object],
    glossary: dict[str, str],
    index_type: str = "auto",
) -> None:
    """Write every file of a build; the manifest goes last, so a build without one is incomplete.

    `vectors` holds one row per passage, then one per sentence (in `sentences` order); the sentence
    rows let the offline answerer pick the sentences closest to a question without embedding at query time.
    """
    import bm25s

    from ingest.lexical import lexical_tokens

    with (build_dir / "chunks.jsonl").open("w", encoding="utf-8") as out:
        for passage in passages:
            out.write(json.dumps(passage.to_json(), ensure_ascii=False) + "\n")
    (build_dir / "case_studies.json").write_text(
        json.dumps([c.__dict__ for c in case_studies], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    np.save(build_dir / "vectors.npy", vectors)
    (build_dir / "embed_keys.json").write_text(json.dumps(embed_keys), encoding="utf-8")
    with (build_dir / "sentences.jsonl").open("w", encoding="utf-8") as out:
        for passage_id, sentence in sentences:
            out.write(json.dumps({"passage_id": passage_id, "text": sentence}, ensure_ascii=False) + "\n")
    index = dense_index(vectors[: len(passages)], index_type)
    faiss.write_index(index, str(build_dir / "dense.faiss"))
    # Sentences outnumber passages ~8 to 1: past the threshold their exact search dominates a query, so a
    # large corpus gets an HNSW sentence index too. Below it FileStore builds the flat one when it loads.
    sentence_index = (
        sentence_dense_index(vectors[len(passages) :], [text for _, text in sentences], index_type)
        if sentences
        else None
    )
    if isinstance(sentence_index, faiss.IndexHNSWFlat):
        faiss.write_index(sentence_index, str(build_dir / SENTENCE_INDEX))
    retriever = bm25s.BM25()
    corpus_tokens = [lexical_tokens(p.indexed_text()) or ["__empty__"] for p in passages]
    retriever.index(corpus_tokens, show_progress=False)
    retriever.save(str(build_dir / "bm25"), show_progress=False)
    (build_dir / "glossary.json").write_text(json.dumps(glossary, ensure_ascii=False, indent=1), encoding="utf-8")
    manifest = {
        **manifest,
        "dense_index": "hnsw" if isinstance(index, faiss.IndexHNSWFlat) else "flat",
        "sentence_index": "hnsw" if isinstance(sentence_index, faiss.IndexHNSWFlat) else "flat",
        # A flipped byte in bm25/ or vectors.npy still loads; the checksums catch it at start.
        "checksums": file_checksums(build_dir),
    }
    (build_dir / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def publish(index_dir: Path, build_dir: Path) -> Path:
    """Atomically point `current` at a finished build and prune old builds."""
    final = build_dir.with_name(build_dir.name.removeprefix(".tmp-"))
    build_dir.rename(final)
    link = index_dir / CURRENT
    tmp_link = index_dir / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(final.relative_to(index_dir))
    os.replace(tmp_link, link)
    _prune(index_dir, keep=final)
    return final


def _prune(index_dir: Path, keep: Path) -> None:
    builds = sorted((p for p in (index_dir / BUILDS).iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    finished = [p for p in builds if not p.name.startswith(".tmp-")]
    for old in finished[:-KEEP_BUILDS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in builds:
        # An interrupted ingest leaves a .tmp- build behind; one older than an hour is abandoned.
        if stale.name.startswith(".tmp-") and time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def load_passages(build_path: Path) -> list[Passage]:
    with (build_path / "chunks.jsonl").open(encoding="utf-8") as lines:
        return [Passage.from_json(json.loads(line)) for line in lines if line.strip()]


def load_case_studies(build_path: Path) -> list[CaseStudy]:
    data = json.loads((build_path / "case_studies.json").read_text(encoding="utf-8"))
    return [CaseStudy(**item) for item in data]
