"""Writing to PostgreSQL: one transaction per document, so a reader sees a document's old version or its new one.

Each document's digest is stored beside it (`documents.content_hash`): ingest leaves a document whose digest
is unchanged alone. A changed document's old passages are replaced in a single transaction; documents gone
from the folder are deleted. Every committed change bumps `corpus_state.version`, which replicas watch.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update
from sqlalchemy.exc import DataError

from core.models import DocumentReport, Manifest
from stores.base import DocumentRefused, Glossary, IngestReport, PreparedDocument
from stores.postgres import schema as db


class PgWriter:
    """Ingest's target in PostgreSQL (schema migrated on opening); `close()` releases its connections."""

    backend = "postgresql"
    dimension: int | None = db.EMBEDDING_DIMENSION

    def __init__(self, database_url: str, vectors: Mapping[str, np.ndarray] | None = None) -> None:
        """`vectors`: known vectors by embed key (an existing file index's, say), reused instead of embedding."""
        self.engine = db.engine_for(database_url)
        self.build_settings: dict[str, object] = {}  # PostgreSQL adds no choice of its own to the manifest
        self._given = vectors or {}
        try:
            db.migrate(self.engine)
        except BaseException:
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    def reusable(self, fingerprint: dict[str, str], model: str, settings: dict[str, object]) -> IngestReport | None:
        return None  # decided document by document, by digest

    def stored_digests(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            return dict(connection.execute(select(db.documents.c.source, db.documents.c.content_hash)).tuples().all())

    def stored_reports(self) -> dict[str, DocumentReport]:
        with self.engine.connect() as connection:
            manifest = connection.execute(select(db.corpus_state.c.manifest)).scalar() or {}
        return {str(r["source"]): r for r in manifest.get("documents", [])}

    def known_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        found = {k: self._given[k] for k in keys if k in self._given}
        wanted = [k for k in dict.fromkeys(keys) if k not in found]
        if wanted:
            found.update(_stored_vectors(self.engine, wanted))
        return found

    def put(self, document: PreparedDocument) -> None:
        try:
            _write(self.engine, document)
        except DataError as exc:
            # PostgreSQL refused the text (a NUL byte, say): the transaction rolled back, the old version stays.
            raise DocumentRefused(f"PostgreSQL could not store it ({exc.orig})") from exc

    def remove(self, sources: list[str]) -> None:
        if sources:
            with self.engine.begin() as connection:
                _lock_and_bump(connection)
                connection.execute(delete(db.documents).where(db.documents.c.source.in_(sources)))

    def finish(self, report: IngestReport, manifest: Manifest, glossary: Glossary) -> None:
        settings = manifest["settings"]
        assert isinstance(settings, dict)
        _finish(self.engine, str(manifest["model"]), report, dict(settings), glossary, list(manifest.get("documents", [])))


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


def _write(engine: Engine, document: PreparedDocument) -> None:
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
                        **db.passage_row(p),
                        "source": document.source,
                        "ordinal": ordinal,
                        "header": p.header(),
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
                    {**db.case_study_row(c), "source": document.source, "ordinal": n}
                    for n, c in enumerate(document.case_studies)
                ],
            )


def _finish(
    engine: Engine,
    model: str,
    report: IngestReport,
    settings: dict[str, object],
    load_glossary: Glossary,
    document_reports: list[DocumentReport],
) -> None:
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
    glossary = load_glossary(passages)
    manifest: Manifest = {
        "backend": "postgresql",
        "model": model,
        "settings": settings,
        "counts": {"documents": documents, "passages": len(passages), "case_studies": report.case_studies},
        "skipped": [list(s) for s in report.skipped],
        "documents": document_reports,
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
