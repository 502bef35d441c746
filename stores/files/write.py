"""Writing the file index: a new build beside the old ones, swapped in atomically through `current`."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import faiss
import numpy as np

from core.models import CaseStudy, DocumentReport, Manifest, Passage
from stores.base import Glossary, IngestReport, PreparedDocument
from stores.files.read import previous_vectors
from stores.files.schema import (
    BUILDS,
    CURRENT,
    KEEP_BUILDS,
    SENTENCE_INDEX,
    current_build_path,
    dense_index,
    file_checksums,
    read_manifest,
    sentence_dense_index,
)


def new_build_dir(index_dir: Path) -> Path:
    builds = index_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    path = builds / f".tmp-{name}"
    path.mkdir()
    return path


def write_build(
    build_dir: Path,
    passages: list[Passage],
    case_studies: list[CaseStudy],
    vectors: np.ndarray,
    embed_keys: list[str],
    sentences: list[tuple[str, str]],
    manifest: Manifest,
    glossary: dict[str, str],
    index_type: str = "auto",
) -> None:
    """Write every file of a build; the manifest goes last, so a build without one is incomplete.

    `vectors` holds one row per passage, then one per sentence (in `sentences` order); the sentence
    rows let the offline answerer pick the sentences closest to a question without embedding at query time.
    """
    import bm25s

    from core.lexical import lexical_tokens
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




class FileWriter:
    """Ingest's target in an index directory: every document goes into one new build, published at the end."""

    backend = "faiss"
    dimension: int | None = None  # any model: the build records its own

    def __init__(self, index_dir: Path, index_type: str = "auto") -> None:
        self.index_dir = index_dir
        self.index_type = index_type
        self.build_settings: dict[str, object] = {"index_type": index_type}
        self._previous: dict[str, np.ndarray] | None = None
        self._documents: list[PreparedDocument] = []
        self._started = time.perf_counter()

    def close(self) -> None:
        """Nothing held open."""

    def reusable(self, fingerprint: dict[str, str], model: str, settings: dict[str, object]) -> IngestReport | None:
        """The current build, when it was built from these very files, model and settings."""
        current = current_build_path(self.index_dir)
        if current is None:
            return None
        try:
            manifest = read_manifest(current)
        except (OSError, ValueError):
            return None
        same = manifest.get("files") == fingerprint and manifest.get("model") == model
        if not same or manifest.get("settings") != settings:
            return None
        counts = manifest.get("counts", {})
        assert isinstance(counts, dict)
        skipped = manifest.get("skipped", [])
        assert isinstance(skipped, list)
        return IngestReport(
            documents=int(counts.get("documents", 0)),
            passages=int(counts.get("passages", 0)),
            case_studies=int(counts.get("case_studies", 0)),
            skipped=[(str(name), str(reason)) for name, reason in skipped],
            document_reports=list(manifest.get("documents", [])),
            reused_build=True,
            build_path=current,
        )

    def stored_digests(self) -> dict[str, str]:
        return {}  # a new build holds every document, so each is parsed again (its vectors are reused)

    def stored_reports(self) -> dict[str, DocumentReport]:
        return {}  # every document is parsed again, so each reports afresh

    def known_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        if self._previous is None:
            self._previous = previous_vectors(self.index_dir)
        return {k: self._previous[k] for k in keys if k in self._previous}

    def put(self, document: PreparedDocument) -> None:
        self._documents.append(document)

    def remove(self, sources: list[str]) -> None:
        """A new build holds only what was put: nothing to remove."""

    def finish(self, report: IngestReport, manifest: Manifest, glossary: Glossary) -> None:
        documents = self._documents
        passages = [p for d in documents for p in d.passages]
        case_studies = [c for d in documents for c in d.case_studies]
        sentences = [s for d in documents for s in d.sentences]
        # Passage rows first, then sentence rows, as the build's vectors.npy lays them out.
        keys = [k for d in documents for k in d.keys[: len(d.passages)]]
        keys += [k for d in documents for k in d.keys[len(d.passages) :]]
        rows = [d.vectors[: len(d.passages)] for d in documents] + [d.vectors[len(d.passages) :] for d in documents]
        dimension = next((r.shape[1] for r in rows if r.ndim == 2 and r.shape[1]), 384)
        matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dimension), dtype=np.float32)
        build_dir = new_build_dir(self.index_dir)
        try:
            manifest_out: Manifest = {
                **manifest,
                "counts": {"documents": report.documents, "passages": len(passages), "case_studies": len(case_studies)},
                "skipped": report.skipped,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "build_seconds": round(time.perf_counter() - self._started, 2),
            }
            write_build(
                build_dir, passages, case_studies, matrix, keys, sentences, manifest_out, glossary(passages), self.index_type
            )
            report.build_path = publish(self.index_dir, build_dir)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        report.passages = len(passages)
        report.case_studies = len(case_studies)
