"""Ingest a corpus folder into an index build: parse, chunk, embed what changed, write, swap in."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest import index_store
from ingest.chunk import MAX_WORDS, MIN_WORDS, chunk_paragraphs
from ingest.embed import Embedder
from ingest.glossary import extract_acronyms
from ingest.loaders import CorpusMeta, UnreadableDocument, corpus_files, load_document
from ingest.models import CaseStudy, Passage
from ingest.text import split_sentences

def _code_version() -> str:
    """Hash of the ingest package's source: a changed parser or chunker must rebuild, not reuse."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


PARSER_VERSION = _code_version()
Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What an ingest did, for the CLI's closing summary."""

    documents: int = 0
    passages: int = 0
    case_studies: int = 0
    embedded: int = 0
    reused_build: bool = False
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    build_path: Path | None = None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """Hash of every document and metadata file: an unchanged fingerprint means nothing to do."""
    names = [p for p in sorted(corpus_dir.iterdir()) if p.is_file() and not p.name.startswith(".")]
    return {p.name: _sha256(p) for p in names}


def embed_key(model: str, text: str) -> str:
    """The cache key of one embedded text: a vector is reused wherever model and text are the same."""
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()


def previous_vectors(index_dir: Path) -> dict[str, np.ndarray]:
    """The current build's vectors by embed key (empty when there is no readable build)."""
    path = index_store.current_build_path(index_dir)
    if path is None:
        return {}
    try:
        keys = json.loads((path / "embed_keys.json").read_text(encoding="utf-8"))
        vectors = np.load(path / "vectors.npy")
    except (OSError, ValueError):
        return {}
    return dict(zip(keys, vectors)) if len(keys) == len(vectors) else {}


def parse_document(path: Path, meta: CorpusMeta, min_words: int, max_words: int) -> tuple[list[Passage], list[CaseStudy]]:
    """One corpus file's passages and case studies; raises UnreadableDocument with a reason."""
    document = load_document(path, meta)
    return chunk_paragraphs(document.paragraphs, document.source, min_words, max_words), document.case_studies


def indexed_texts(passages: list[Passage], case_studies: list[CaseStudy]) -> list[str]:
    """What is embedded (and BM25-indexed) for each passage: its text under its context header."""
    return [p.indexed_text() for p in passages]


def passage_sentences(passages: list[Passage]) -> list[tuple[str, str]]:
    """(passage id, sentence) for every sentence, in passage order: each gets its own vector."""
    return [(p.id, sentence) for p in passages for sentence in split_sentences(p.text)]


def embed_texts(embedder: Embedder, texts: list[str], notify: Progress, batch: int = 64) -> np.ndarray:
    """Vectors for texts, in batches so the progress bar moves.

    Texts go to the model longest first, so each batch pads its texts to about their own length
    (a 12-word sentence batched with 250-word passages would cost as much as a passage).
    """
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for begin in range(0, len(order), batch):
        notify("embed", begin, len(texts))
        rows = order[begin : begin + batch]
        vectors[rows] = embedder.encode([texts[i] for i in rows])
    notify("embed", len(texts), len(texts))
    return vectors


def load_glossary(corpus_dir: Path, passages: list[Passage]) -> dict[str, str]:
    """Acronyms the corpus defines, completed by the reviewed glossary file for those it only uses."""
    glossary = extract_acronyms(p.text.replace("\n", " ") for p in passages)
    curated = corpus_dir / "glossary.json"
    if curated.exists():
        glossary.update(json.loads(curated.read_text(encoding="utf-8")))
    return dict(sorted(glossary.items()))


def ingest(
    corpus_dir: Path,
    index_dir: Path,
    model: str,
    *,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    min_words: int = MIN_WORDS,
    max_words: int = MAX_WORDS,
    index_type: str = "auto",
    force: bool = False,
) -> IngestReport:
    """Build (or reuse) the index for a corpus folder; unreadable files are skipped and reported."""
    started = time.perf_counter()
    report = IngestReport()
    notify = progress or (lambda stage, done, total: None)
    fingerprint = corpus_fingerprint(corpus_dir)
    settings = {"min_words": min_words, "max_words": max_words, "parser": PARSER_VERSION, "index_type": index_type}

    current = index_store.current_build_path(index_dir)
    if current is not None and not force:
        try:
            manifest = index_store.read_manifest(current)
        except (OSError, ValueError):
            manifest = {}
        if manifest.get("files") == fingerprint and manifest.get("model") == model and manifest.get("settings") == settings:
            counts = manifest.get("counts", {})
            assert isinstance(counts, dict)
            report.documents = int(counts.get("documents", 0))
            report.passages = int(counts.get("passages", 0))
            report.case_studies = int(counts.get("case_studies", 0))
            report.skipped = [tuple(s) for s in manifest.get("skipped", [])]  # type: ignore[misc, union-attr]
            report.reused_build = True
            report.build_path = current
            report.seconds = time.perf_counter() - started
            return report

    meta = CorpusMeta.read(corpus_dir)
    files = corpus_files(corpus_dir)
    passages: list[Passage] = []
    case_studies: list[CaseStudy] = []
    for done, path in enumerate(files, start=1):
        notify("parse", done - 1, len(files))
        try:
            document_passages, document_case_studies = parse_document(path, meta, min_words, max_words)
        except UnreadableDocument as exc:
            report.skipped.append((path.name, str(exc)))
            continue
        passages.extend(document_passages)
        case_studies.extend(document_case_studies)
        report.documents += 1
    notify("parse", len(files), len(files))

    sentences = passage_sentences(passages)
    texts = indexed_texts(passages, case_studies) + [sentence for _, sentence in sentences]
    keys = [embed_key(model, text) for text in texts]
    cached = previous_vectors(index_dir)
    missing = [i for i, key in enumerate(keys) if key not in cached]
    new_vectors: dict[int, np.ndarray] = {}
    if missing:
        embedder = embedder or Embedder(model)
        new_vectors.update(zip(missing, embed_texts(embedder, [texts[i] for i in missing], notify)))
    dimension = next(iter(cached.values())).shape[0] if cached else (embedder.dimension if embedder else 384)
    matrix = np.zeros((len(texts), dimension), dtype=np.float32)
    for i, key in enumerate(keys):
        matrix[i] = new_vectors[i] if i in new_vectors else cached[key]
    report.embedded = len(missing)

    notify("write", 0, 1)
    build_dir = index_store.new_build_dir(index_dir)
    try:
        manifest_out: dict[str, object] = {
            "files": fingerprint,
            "model": model,
            "settings": settings,
            "counts": {"documents": report.documents, "passages": len(passages), "case_studies": len(case_studies)},
            "skipped": report.skipped,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 2),
        }
        index_store.write_build(
            build_dir, passages, case_studies, matrix, keys, sentences, manifest_out, load_glossary(corpus_dir, passages), index_type
        )
        report.build_path = index_store.publish(index_dir, build_dir)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    notify("write", 1, 1)
    report.passages = len(passages)
    report.case_studies = len(case_studies)
    report.seconds = time.perf_counter() - started
    return report
