"""Ingest a corpus folder into PostgreSQL: one transaction per document, unchanged documents left alone.

Each document (source file) is hashed together with its metadata, the parser version, the model and the
chunk sizes; a document whose hash is already stored is skipped without a write. A changed document is
parsed and chunked by the same code as the file index, only its new texts are embedded (vectors are reused
by embed key from the database, or from an existing file index), and its old passages are replaced in a
single transaction, so a reader sees the old document or the new one, never half of it. Documents gone
from the folder are deleted. Every committed change bumps `corpus_state.version`, which replicas watch.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update
from sqlalchemy.exc import DataError

from assistant import pg_schema as db
from ingest.chunk import MAX_WORDS, MIN_WORDS
from ingest.embed import Embedder
from ingest.loaders import CorpusMeta, UnreadableDocument, corpus_files
from ingest.models import CaseStudy, Passage
from ingest.pipeline import (
    PARSER_VERSION,
    Progress,
    embed_key,
    embed_texts,
    indexed_texts,
    load_glossary,
    parse_document,
    passage_sentences,
)


@dataclass
class PgIngestReport:
    """What an ingest into PostgreSQL did, for the CLI's closing summary."""

    documents: int = 0  # readable documents in the folder
    written: list[str] = field(default_factory=list)  # documents (re)written
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    passages: int = 0  # in the database afterwards
    case_studies: int = 0
    embedded: int = 0  # texts embedded now; every other vector was reused
    skipped: list[tuple[str, str]] = field(default_factory=list)
    version: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class _Document:
    """One parsed document, ready to write: passages with their embedded text, sentences, vectors."""

    source: str
    digest: str
    passages: list[Passage]
    case_studies: list[CaseStudy]
    headers: list[str]
    sentences: list[tuple[str, str]]
    keys: list[str]  # passages first, then sentences
    vectors: np.ndarray


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
) -> PgIngestReport:
    """Bring the database in line with a corpus folder, document by document.

    Args:
        corpus_dir: the folder of documents (and their .meta.json / glossary.json).
        database_url: a `postgresql://…` URL; the schema is migrated first.
        model: the embedding model's name or path.
        embedder: the model, if already loaded; otherwise loaded only when something needs embedding.
        vectors: known vectors by embed key (e.g. an existing file index's), reused instead of embedding.
        force: rewrite every document, changed or not (vectors are still reused).

    Returns:
        What was written, skipped, removed and embedded.
    """
    engine = db.engine_for(database_url)
    try:
        db.migrate(engine)
        return _ingest(engine, corpus_dir, model, embedder, vectors or {}, progress, min_words, max_words, force)
    finally:
        engine.dispose()


def _ingest(
    engine: Engine,
    corpus_dir: Path,
    model: str,
    embedder: Embedder | None,
    known: Mapping[str, np.ndarray],
    progress: Progress | None,
    min_words: int,
    max_words: int,
    force: bool,
) -> PgIngestReport:
    started = time.perf_counter()
    report = PgIngestReport()
    notify = progress or (lambda stage, done, total: None)
    with engine.connect() as connection:
        stored = dict(connection.execute(select(db.documents.c.source, db.documents.c.content_hash)).tuples().all())
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
            continue
        try:
            passages, case_studies = parse_document(path, meta, min_words, max_words)
        except UnreadableDocument as exc:
            report.skipped.append((path.name, str(exc)))
            continue
        present.add(path.name)
        report.documents += 1
        document, embedder = _prepare(
            engine, path.name, digest, passages, case_studies, model, embedder, known, report, notify
        )
        try:
            _write(engine, document)
        except DataError as exc:
            # PostgreSQL refused the text (a NUL byte, say): the transaction rolled back, the old version stays.
            report.skipped.append((path.name, f"PostgreSQL could not store it ({exc.orig})"))
            continue
        report.written.append(path.name)
    notify("parse", len(files), len(files))
    report.removed = sorted(source for source in stored if source not in present)
    if report.removed:
        with engine.begin() as connection:
            _lock_and_bump(connection)
            connection.execute(delete(db.documents).where(db.documents.c.source.in_(report.removed)))
    _finish(
        engine, corpus_dir, model, report, {"min_words": min_words, "max_words": max_words, "parser": PARSER_VERSION}
    )
    report.seconds = time.perf_counter() - started
    return report


def _prepare(
    engine: Engine,
    source: str,
    digest: str,
    passages: list[Passage],
    case_studies: list[CaseStudy],
    model: str,
    embedder: Embedder | None,
    known: Mapping[str, np.ndarray],
    report: PgIngestReport,
    notify: Progress,
) -> tuple[_Document, Embedder | None]:
    """Embedded texts, keys and vectors for one document, embedding only texts never seen before."""
    indexed = indexed_texts(passages, case_studies)
    sentences = passage_sentences(passages)
    texts = indexed + [sentence for _, sentence in sentences]
    keys = [embed_key(model, t) for t in texts]
    found = {k: known[k] for k in keys if k in known}
    wanted = [k for k in dict.fromkeys(keys) if k not in found]
    if wanted:
        found.update(_stored_vectors(engine, wanted))
    first: dict[str, int] = {}  # each distinct new text is embedded once, however often it repeats
    for i, key in enumerate(keys):
        if key not in found:
            first.setdefault(key, i)
    missing = list(first.values())
    if missing:
        embedder = embedder or Embedder(model)
        if embedder.dimension != db.EMBEDDING_DIMENSION:
            raise ValueError(
                f"Model '{model}' makes {embedder.dimension}-dimensional vectors; the database holds "
                f"{db.EMBEDDING_DIMENSION}. Use a {db.EMBEDDING_DIMENSION}-dimensional model or add a migration."
            )
        fresh = embed_texts(embedder, [texts[i] for i in missing], notify)
        found.update((keys[i], vector) for i, vector in zip(missing, fresh))
        report.embedded += len(missing)
    matrix = np.vstack([found[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, db.EMBEDDING_DIMENSION))
    headers = [t.removesuffix(p.text).rstrip("\n") for t, p in zip(indexed, passages)]
    return _Document(source, digest, passages, case_studies, headers, sentences, keys, matrix), embedder


def _stored_vectors(engine: Engine, keys: list[str]) -> dict[str, np.ndarray]:
    """Vectors already in the database for these embed keys (a moved paragraph is not embedded again)."""
    found: dict[str, np.ndarray] = {}
    with engine.connect() as connection:
        for table in (db.passages, db.sentences):
            rows = connection.execute(
                select(table.c.embed_key, db.vector_bytes(table.c.embedding)).where(table.c.embed_key.in_(keys))
            )
            found.update((key, db.vector_from_bytes(data)) for key, data in rows)
    return found


def _lock_and_bump(connection: Connection) -> None:
    """Serialise writers, and tell replicas the corpus changed (visible when this transaction commits)."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": db.INGEST_LOCK})
    connection.execute(
        update(db.corpus_state)
        .where(db.corpus_state.c.id == 1)
        .values(version=db.corpus_state.c.version + 1, updated_at=func.now())
    )


def _write(engine: Engine, document: _Document) -> None:
    """Replace one document's rows in a single transaction."""
    count = len(document.passages)
    with engine.begin() as connection:
        _lock_and_bump(connection)
        connection.execute(delete(db.documents).where(db.documents.c.source == document.source))
        connection.execute(
            insert(db.documents),
            [
                {
                    "source": document.source,
                    "content_hash": document.digest,
                    "passages": count,
                    "ingested_at": datetime.now(UTC),
                }
            ],
        )
        if document.passages:
            connection.execute(
                insert(db.passages),
                [
                    {
                        "id": p.id,
                        "source": document.source,
                        "ordinal": ordinal,
                        "start_offset": p.start,
                        "end_offset": p.end,
                        "chapter": p.chapter,
                        "section": p.section,
                        "case_study": p.case_study,
                        "page": p.page,
                        "text": p.text,
                        "footnotes": list(p.footnotes),
                        "header": document.headers[ordinal],
                        "embed_key": document.keys[ordinal],
                        "embedding": document.vectors[ordinal],
                    }
                    for ordinal, p in enumerate(document.passages)
                ],
            )
        ordinals: dict[str, int] = {}
        sentence_rows = []
        for offset, (passage_id, sentence) in enumerate(document.sentences):
            ordinals[passage_id] = ordinals.get(passage_id, -1) + 1
            row = count + offset
            sentence_rows.append(
                {
                    "passage_id": passage_id,
                    "ordinal": ordinals[passage_id],
                    "text": sentence,
                    "embed_key": document.keys[row],
                    "embedding": document.vectors[row],
                }
            )
        if sentence_rows:
            connection.execute(insert(db.sentences), sentence_rows)
        if document.case_studies:
            connection.execute(
                insert(db.case_studies),
                [
                    {
                        "source": document.source,
                        "ordinal": n,
                        "id": c.id,
                        "title": c.title,
                        "chapter": c.chapter,
                        "page": c.page,
                        "label": c.label,
                    }
                    for n, c in enumerate(document.case_studies)
                ],
            )


def _finish(engine: Engine, corpus_dir: Path, model: str, report: PgIngestReport, settings: dict[str, object]) -> None:
    """Refresh the glossary and manifest; written only when they changed, so a no-op ingest writes nothing."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(*db.passage_columns(vectors=False)).order_by(
                db.passages.c.source.collate("C"), db.passages.c.ordinal
            )
        )
        passages = [db.passage_from_row(row) for row in rows]
        report.case_studies = int(connection.scalar(select(func.count()).select_from(db.case_studies)) or 0)
        documents = int(connection.scalar(select(func.count()).select_from(db.documents)) or 0)
        old_glossary = dict(connection.execute(select(db.glossary.c.acronym, db.glossary.c.expansion)).tuples().all())
        old_manifest, version = connection.execute(select(db.corpus_state.c.manifest, db.corpus_state.c.version)).one()
    report.passages = len(passages)
    glossary = load_glossary(corpus_dir, passages)
    manifest: dict[str, object] = {
        "backend": "postgresql",
        "model": model,
        "settings": settings,
        "counts": {"documents": documents, "passages": len(passages), "case_studies": report.case_studies},
        "skipped": [list(s) for s in report.skipped],
        "dense_index": "hnsw",
    }
    changed = report.written or report.removed
    if (
        not changed
        and glossary == old_glossary
        and {**old_manifest, "built_at": None} == {**manifest, "built_at": None}
    ):
        report.version = int(version)
        return
    manifest["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    with engine.begin() as connection:
        _lock_and_bump(connection)
        if glossary != old_glossary:
            connection.execute(delete(db.glossary))
            if glossary:
                connection.execute(insert(db.glossary), [{"acronym": a, "expansion": e} for a, e in glossary.items()])
        connection.execute(update(db.corpus_state).where(db.corpus_state.c.id == 1).values(manifest=manifest))
        report.version = int(connection.scalar(select(db.corpus_state.c.version)) or 0)
