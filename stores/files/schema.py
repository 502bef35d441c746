"""The file index's format: the index directory, its builds and the files of a build.

Layout::

    index/current -> builds/<build-id>/
    index/builds/<build-id>/{manifest.json, chunks.jsonl, case_studies.json, vectors.npy,
                             embed_keys.json, dense.faiss, [sentences.faiss,] bm25/, glossary.json}

Readers resolve `current` once and keep that build open, so a swap never shows them a half-written index.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from core.models import CaseStudy, Manifest, Passage

CURRENT = "current"
BUILDS = "builds"
KEEP_BUILDS = 2
# Below this many vectors an exact (flat) search is fast enough and loses nothing; above it, HNSW.
HNSW_THRESHOLD = 50_000  # vectors: passages for dense.faiss, sentences for sentences.faiss
SENTENCE_INDEX = "sentences.faiss"
# HNSW breadth per query (docs/benchmarks.md sweeps it): a query takes 20 passages and 80 sentences, and
# documents that repeat boilerplate crowd the sentence graph with near-copies, so sentences search wider.
PASSAGE_EF_SEARCH = 128
SENTENCE_EF_SEARCH = 256


@dataclass(frozen=True)
class Build:
    """One complete index build on disk."""

    path: Path
    manifest: Manifest

    @property
    def passages_path(self) -> Path:
        return self.path / "chunks.jsonl"


def current_build_path(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def read_manifest(build_path: Path) -> Manifest:
    return json.loads((build_path / "manifest.json").read_text(encoding="utf-8"))


def file_checksums(build_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of a build but the manifest, by path relative to the build."""
    return {
        path.relative_to(build_dir).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(build_dir.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


def damaged_files(build_path: Path, manifest: Manifest) -> list[str]:
    """Files of a build that are missing or no longer match the checksums its manifest recorded."""
    recorded = manifest.get("checksums") if isinstance(manifest, dict) else None
    if not isinstance(recorded, dict):
        return []  # a build from before checksums: the loaders' own checks still apply
    found = file_checksums(build_path)
    return sorted(name for name, digest in recorded.items() if found.get(name) != digest)


def dense_index(vectors: np.ndarray, index_type: str = "auto", ef_search: int = PASSAGE_EF_SEARCH) -> faiss.Index:
    """Inner-product FAISS index over normalised vectors: flat when small, HNSW when large."""
    dimension = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[0] else 384
    kind = index_type if index_type != "auto" else ("hnsw" if len(vectors) >= HNSW_THRESHOLD else "flat")
    index: faiss.Index
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


def load_passages(build_path: Path) -> list[Passage]:
    with (build_path / "chunks.jsonl").open(encoding="utf-8") as lines:
        return [Passage.from_json(json.loads(line)) for line in lines if line.strip()]


def load_case_studies(build_path: Path) -> list[CaseStudy]:
    data = json.loads((build_path / "case_studies.json").read_text(encoding="utf-8"))
    return [CaseStudy(**item) for item in data]
