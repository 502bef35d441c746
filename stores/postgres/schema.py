"""The PostgreSQL schema (owned by the Alembic migrations in alembic/), its engine and the upgrade step.

Tables: `documents` (one row per source file, with the content hash that makes ingest incremental),
`passages` (fields, a pgvector embedding with an HNSW cosine index, a weighted tsvector with a GIN index),
`sentences` (with their embeddings), `case_studies`, `glossary`, `corpus_state` (the version replicas watch),
`feedback` (see assistant/feedback.py) and `eval_runs` (evaluation history, see evals/history.py).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    Column,
    Computed,
    DateTime,
    Engine,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.engine import make_url

from core.models import CaseStudy, Passage

# The Alembic migrations (alembic.ini, alembic/) sit at the project's root.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The default model's size; the column is typed so that HNSW can index it. Another model needs a migration.
EMBEDDING_DIMENSION = 384
# pgvector's HNSW scan returns at most ef_search rows: enough for the 4 × 20 sentences that retrieval's 20 candidates
# (RetrievalParams.candidates) ask for, with room for a wider setting.
EF_SEARCH = 200
# Arbitrary constants naming PostgreSQL advisory locks: one migrator at a time, one document writer at a time.
MIGRATION_LOCK = 7_150_001
INGEST_LOCK = 7_150_002
# The header (case study, chapter, section: the context line the embedder sees) weighs A, body text B,
# so a query naming a title finds its passages.
SEARCH_TEXT = "setweight(to_tsvector('english', header), 'A') || setweight(to_tsvector('english', text), 'B')"

metadata = MetaData()

corpus_state = Table(
    "corpus_state",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("version", BigInteger, nullable=False),
    Column("manifest", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("source", Text, primary_key=True),
    Column("content_hash", Text, nullable=False),
    Column("passages", Integer, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

passages = Table(
    "passages",
    metadata,
    Column("id", Text, primary_key=True),
    Column("source", Text, ForeignKey("documents.source", ondelete="CASCADE"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("chapter", Text, nullable=False),
    Column("section", Text),
    Column("case_study", Text),
    Column("page", Integer),
    Column("earliest_page", Integer),  # see 0002: where `page` is unknown, the printed pages it lies between
    Column("latest_page", Integer),
    Column("surrounding_section", Text),  # see 0003: the section a case study's box is printed in, for search only
    Column("text", Text, nullable=False),
    Column("footnotes", JSONB, nullable=False),
    Column("marks", JSONB),  # see 0004: where the text goes on under another heading or page, for citations
    Column("header", Text, nullable=False),
    Column("embed_key", Text, nullable=False, index=True),
    Column("embedding", Vector(EMBEDDING_DIMENSION), nullable=False),
    Column("search_text", TSVECTOR, Computed(SEARCH_TEXT, persisted=True)),
    Index("passages_source_ordinal", "source", "ordinal"),
    Index(
        "passages_embedding_hnsw",
        "embedding",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    ),
    Index("passages_search_text_gin", "search_text", postgresql_using="gin"),
    postgresql_with={"toast_tuple_target": 8160},  # see the migration: whole rows, no TOAST reads per word
)

sentences = Table(
    "sentences",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("passage_id", Text, ForeignKey("passages.id", ondelete="CASCADE"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("embed_key", Text, nullable=False, index=True),
    Column("embedding", Vector(EMBEDDING_DIMENSION), nullable=False),
    Index("sentences_passage_ordinal", "passage_id", "ordinal"),
    Index(
        "sentences_embedding_hnsw",
        "embedding",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    ),
)

case_studies = Table(
    "case_studies",
    metadata,
    Column("source", Text, ForeignKey("documents.source", ondelete="CASCADE"), primary_key=True),
    Column("ordinal", Integer, primary_key=True),
    Column("id", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("chapter", Text, nullable=False),
    Column("page", Integer),
    Column("label", Text),
)

glossary = Table(
    "glossary",
    metadata,
    Column("acronym", Text, primary_key=True),
    Column("expansion", Text, nullable=False),
)

eval_runs = Table(
    "eval_runs",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("split", Text, nullable=False),
    Column("system", Text, nullable=False),
    Column("summary", JSONB, nullable=False),
    Column("meta", JSONB, nullable=False),
)


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` as SQLAlchemy's psycopg 3 URL (plain `postgresql://` would mean psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def shown_url(url: str) -> str:
    """The URL for messages and logs, password masked."""
    return make_url(url).render_as_string(hide_password=True)


def engine_for(url: str) -> Engine:
    """A pooled engine for a PostgreSQL URL; dropped connections are replaced, not surfaced as errors.

    Every connection searches HNSW indexes with ef_search = EF_SEARCH, so a nearest-neighbour query
    needs no per-query setting (and no transaction) unless it wants more rows than that.
    """
    engine = create_engine(sqlalchemy_url(url), pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: object) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET hnsw.ef_search = {EF_SEARCH}")
        dbapi_connection.commit()

    return engine


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest Alembic revision; replicas starting together wait for each other."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


# Passage fields whose columns are named otherwise (`start` and `end` are SQL keywords); every other column is
# named as its field.
_RENAMED = {"start": "start_offset", "end": "end_offset"}


def passage_row(passage: Passage) -> dict[str, Any]:
    """A Passage as the values of its `passages` columns (the fields, by column name)."""
    return {_RENAMED.get(name, name): value for name, value in passage.to_json().items()}


def passage_from_row(row: Any) -> Passage:
    """A `passages` row as the core's Passage."""
    columns = row._mapping
    return Passage.from_json({name: columns[_RENAMED.get(name, name)] for name in _passage_fields()})


def _passage_fields() -> list[str]:
    return [f.name for f in fields(Passage)]


def case_study_row(study: CaseStudy) -> dict[str, Any]:
    return {f.name: getattr(study, f.name) for f in fields(CaseStudy)}


def case_study_from_row(row: Any) -> CaseStudy:
    return CaseStudy(**{f.name: getattr(row, f.name) for f in fields(CaseStudy)})


def vector_bytes(column: Any) -> Any:
    """A vector column in pgvector's binary form, labelled as the column: far cheaper to read than its text."""
    return func.vector_send(column).label(column.name)


def vector_from_bytes(data: bytes) -> np.ndarray:
    """pgvector's binary form (dimension, reserved, big-endian float32s) as a float32 array."""
    return np.frombuffer(data, dtype=">f4", offset=4).astype(np.float32)


def passage_columns(*, vectors: bool) -> list[Any]:
    """The columns a Passage is made of (and its embedding, in binary form, if asked for)."""
    fields = [c for c in passages.c if c.name not in ("search_text", "header", "embed_key", "embedding")]
    return [*fields, vector_bytes(passages.c.embedding)] if vectors else fields
