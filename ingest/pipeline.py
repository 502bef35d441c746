"""Ingest a corpus folder into any store: parse, chunk, embed what is new, write document by document.

One loop for every backend (`stores.base.StoreWriter`): a document whose digest the store already holds is
left alone (PostgreSQL keeps digests; a file build is rebuilt whole, each document parsed again); a changed
document is parsed and chunked, each distinct new text is embedded once (every other vector is reused, from
the store or from this run), and the document is handed to the store. Documents gone from the folder are
removed, and the store finishes with the corpus's glossary and manifest.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from core.embed import Embedder
from core.models import CaseStudy, DocumentReport, Manifest, Passage
from core.text import split_sentences
from ingest.chunk import MAX_WORDS, MIN_WORDS, chunk_paragraphs
from ingest.glossary import extract_acronyms
from ingest.loaders import DEFAULT_MAX_BYTES, CorpusMeta, UnreadableDocument, check_size, corpus_files, load_document
from stores.base import DocumentRefused, IngestReport, PreparedDocument, StoreWriter


def _code_version() -> str:
    """Hash of the parsing code (this package and the text helpers it uses, the lexical tokens the stores index
    included): a changed parser must rebuild."""
    digest = hashlib.sha256()
    core = Path(__file__).resolve().parent.parent / "core"
    for path in [*sorted(Path(__file__).parent.glob("*.py")), core / "text.py", core / "models.py", core / "lexical.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


PARSER_VERSION = _code_version()
Progress = Callable[[str, int, int], None]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """Hash of every document and metadata file: an unchanged fingerprint means nothing to do."""
    names = [p for p in sorted(corpus_dir.iterdir()) if p.is_file() and not p.name.startswith(".")]
    return {p.name: _sha256(p) for p in names}


def document_hash(path: Path, meta: CorpusMeta, model: str, min_words: int, max_words: int) -> str:
    """Everything that decides a document's passages and vectors: bytes, metadata, parser, model, sizes."""
    digest = hashlib.sha256()
    context = {
        "parser": PARSER_VERSION,
        "model": model,
        "min_words": min_words,
        "max_words": max_words,
        "meta": meta.files.get(path.name),
        "overrides": meta.overrides.get(path.name),
    }
    digest.update(json.dumps(context, sort_keys=True).encode())
    digest.update(path.name.encode() + b"\x00")
    digest.update(path.read_bytes())
    return digest.hexdigest()


def embed_key(model: str, text: str) -> str:
    """The cache key of one embedded text: a vector is reused wherever model and text are the same."""
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()


Chunker = Callable[[Path, CorpusMeta, int, int], tuple[list[Passage], list[CaseStudy]]]


def parse_document(path: Path, meta: CorpusMeta, min_words: int, max_words: int) -> tuple[list[Passage], list[CaseStudy]]:
    """One corpus file's passages and case studies; raises UnreadableDocument with a reason."""
    document = load_document(path, meta)
    return chunk_paragraphs(document.paragraphs, document.source, min_words, max_words), document.case_studies


def document_report(path: Path, meta: CorpusMeta, passages: list[Passage], case_studies: list[CaseStudy]) -> DocumentReport:
    """What one document yielded. Its title: the corpus metadata's, else its one case study's (a document added
    to the corpus is a case study titled from the document), else the file name."""
    title = meta.files.get(path.name, {}).get("title") or (case_studies[0].title if len(case_studies) == 1 else path.stem)
    return {
        "source": path.name,
        "title": str(title),
        "passages": len(passages),
        "sections": len({p.section for p in passages if p.section}),
        "pages": len({p.page for p in passages if p.page is not None}),
    }


def passage_sentences(passages: list[Passage]) -> list[tuple[str, str]]:
    """(passage id, sentence) for every sentence, in passage order: each gets its own vector.

    Its own forward pass, although the sentences are about half of the ingest's 124,000 tokens: neither shortcut
    kept the answers. Sentence vectors pooled from their passage's pass ('late chunking', cosine 0.73 to their
    own) took blind dev found@5 0.800 → 0.758 and answer facts 0.348 → 0.313; passage vectors as the mean of
    their sentences' took found@5 to 0.700 (issue 18, dev split).
    """
    return [(p.id, sentence) for p in passages for sentence in split_sentences(p.text)]


def embed_texts(embedder: Embedder, texts: list[str], notify: Progress) -> np.ndarray:
    """Vectors for texts, in the embedder's token-budget batches (`Embedder.encode_all`), the progress bar moving."""
    notify("embed", 0, len(texts))
    vectors = embedder.encode_all(texts, lambda done: notify("embed", done, len(texts)))
    notify("embed", len(texts), len(texts))
    return vectors


def load_glossary(corpus_dir: Path, passages: list[Passage]) -> dict[str, str]:
    """Acronyms the corpus defines, completed by the reviewed glossary file for those it only uses."""
    glossary = extract_acronyms(p.text.replace("\n", " ") for p in passages)
    curated = corpus_dir / "glossary.json"
    if curated.exists():
        glossary.update(json.loads(curated.read_text(encoding="utf-8")))
    return dict(sorted(glossary.items()))


class _Vectors:
    """Vectors by embed key: the store's, then this run's; the model is loaded only when something is new."""

    def __init__(self, store: StoreWriter, model: str, embedder: Embedder | None, notify: Progress) -> None:
        self.store, self.model, self.embedder, self.notify = store, model, embedder, notify
        self.fresh: dict[str, np.ndarray] = {}
        self.embedded = 0

    def for_texts(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        keys = [embed_key(self.model, t) for t in texts]
        found = {k: self.fresh[k] for k in keys if k in self.fresh}
        found.update(self.store.known_vectors([k for k in dict.fromkeys(keys) if k not in found]))
        first: dict[str, int] = {}  # each distinct new text is embedded once, however often it repeats
        for i, key in enumerate(keys):
            if key not in found:
                first.setdefault(key, i)
        missing = list(first.values())
        if missing:
            embedder = self._embedder()
            vectors = embed_texts(embedder, [texts[i] for i in missing], self.notify)
            self.fresh.update((keys[i], vector) for i, vector in zip(missing, vectors))
            found.update((keys[i], vector) for i, vector in zip(missing, vectors))
            self.embedded += len(missing)
        if not keys:  # asking the embedder its dimension would load the model for nothing
            return keys, np.zeros((0, self.store.dimension or 384), np.float32)
        return keys, np.vstack([found[k] for k in keys]).astype(np.float32)

    def _embedder(self) -> Embedder:
        self.embedder = self.embedder or Embedder(self.model)
        wanted = self.store.dimension
        if wanted is not None and self.embedder.dimension != wanted:
            raise ValueError(
                f"Model '{self.model}' makes {self.embedder.dimension}-dimensional vectors; the database holds "
                f"{wanted}. Use a {wanted}-dimensional model or add a migration."
            )
        return self.embedder


def ingest_into(
    store: StoreWriter,
    corpus_dir: Path,
    model: str,
    *,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    min_words: int = MIN_WORDS,
    max_words: int = MAX_WORDS,
    force: bool = False,
    parse: Chunker = parse_document,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IngestReport:
    """Bring a store in line with a corpus folder, document by document; unreadable files are skipped and reported.

    Args:
        store: where passages go (`stores.backends.open_writer` picks the configured one).
        corpus_dir: the folder of documents (and their .meta.json / glossary.json).
        model: the embedding model's name or path.
        embedder: the model, if already loaded; otherwise loaded only when something needs embedding.
        force: rewrite every document, changed or not (vectors are still reused).
        parse: turns one file into passages and case studies (the seam to swap the chunker).
        max_bytes: a larger file is skipped, with the reason, before anything reads it.

    Returns:
        What was written, skipped, removed and embedded.
    """
    started = time.perf_counter()
    report = IngestReport()
    notify = progress or (lambda stage, done, total: None)
    settings: dict[str, object] = {
        "min_words": min_words,
        "max_words": max_words,
        "parser": PARSER_VERSION,
        **store.build_settings,
    }
    fingerprint = corpus_fingerprint(corpus_dir)
    reused = None if force else store.reusable(fingerprint, model, settings)
    if reused is not None:
        reused.seconds = time.perf_counter() - started
        return reused

    stored = store.stored_digests()
    reports = store.stored_reports()
    vectors = _Vectors(store, model, embedder, notify)
    meta = CorpusMeta.read(corpus_dir)
    files = corpus_files(corpus_dir)
    present: set[str] = set()
    for done, path in enumerate(files):
        notify("parse", done, len(files))
        digest = document_hash(path, meta, model, min_words, max_words)
        if stored.get(path.name) == digest and not force:
            present.add(path.name)
            report.documents += 1
            report.unchanged += 1
            if path.name in reports:
                report.document_reports.append(reports[path.name])
            continue
        try:
            check_size(path, max_bytes)
            passages, case_studies = parse(path, meta, min_words, max_words)
        except UnreadableDocument as exc:
            report.skipped.append((path.name, str(exc)))
            continue
        present.add(path.name)
        report.documents += 1
        sentences = passage_sentences(passages)
        keys, matrix = vectors.for_texts([p.indexed_text() for p in passages] + [s for _, s in sentences])
        try:
            store.put(PreparedDocument(path.name, digest, passages, case_studies, sentences, keys, matrix))
        except DocumentRefused as exc:
            report.skipped.append((path.name, str(exc)))
            continue
        report.written.append(path.name)
        report.document_reports.append(document_report(path, meta, passages, case_studies))
    notify("parse", len(files), len(files))
    report.embedded = vectors.embedded
    report.removed = sorted(source for source in stored if source not in present)
    store.remove(report.removed)
    notify("write", 0, 1)
    manifest: Manifest = {"files": fingerprint, "model": model, "settings": settings, "documents": report.document_reports}
    store.finish(report, manifest, lambda passages: load_glossary(corpus_dir, passages))
    notify("write", 1, 1)
    report.seconds = time.perf_counter() - started
    return report


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
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IngestReport:
    """Build (or reuse) the file index for a corpus folder: `ingest_into` a new build of `index_dir`."""
    from stores.files.write import FileWriter

    return ingest_into(
        FileWriter(index_dir, index_type),
        corpus_dir,
        model,
        embedder=embedder,
        progress=progress,
        min_words=min_words,
        max_words=max_words,
        force=force,
        max_bytes=max_bytes,
    )


def ingest_to_postgres(
    corpus_dir: Path,
    database_url: str,
    model: str,
    *,
    embedder: Embedder | None = None,
    vectors: Mapping[str, np.ndarray] | None = None,
    progress: Progress | None = None,
    min_words: int = MIN_WORDS,
    max_words: int = MAX_WORDS,
    force: bool = False,
) -> IngestReport:
    """Bring a PostgreSQL database (schema migrated first) in line with a corpus folder: `ingest_into` it.

    `vectors`: known vectors by embed key (an existing file index's, say), reused instead of embedding.
    """
    from stores.postgres.write import PgWriter

    writer = PgWriter(database_url, vectors)
    try:
        return ingest_into(
            writer,
            corpus_dir,
            model,
            embedder=embedder,
            progress=progress,
            min_words=min_words,
            max_words=max_words,
            force=force,
        )
    finally:
        writer.close()
