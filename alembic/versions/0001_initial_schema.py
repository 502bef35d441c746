"""Initial schema: pgvector, the corpus (documents, passages, sentences, case studies, glossary, version),
feedback and evaluation history.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSION = 384
SEARCH_TEXT = "setweight(to_tsvector('english', header), 'A') || setweight(to_tsvector('english', text), 'B')"
HNSW = {"postgresql_using": "hnsw", "postgresql_with": {"m": 16, "ef_construction": 64}}


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "corpus_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("manifest", postgresql.JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute("INSERT INTO corpus_state (id, version, manifest, updated_at) VALUES (1, 0, '{}', now())")
    op.create_table(
        "documents",
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("passages", sa.Integer, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "passages",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("source", sa.Text, sa.ForeignKey("documents.source", ondelete="CASCADE"), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("start_offset", sa.Integer, nullable=False),
        sa.Column("end_offset", sa.Integer, nullable=False),
        sa.Column("chapter", sa.Text, nullable=False),
        sa.Column("section", sa.Text),
        sa.Column("case_study", sa.Text),
        sa.Column("page", sa.Integer),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("footnotes", postgresql.JSONB, nullable=False),
        sa.Column("header", sa.Text, nullable=False),
        sa.Column("embed_key", sa.Text, nullable=False),
        sa.Column("embedding", Vector(DIMENSION), nullable=False),
        sa.Column("search_text", postgresql.TSVECTOR, sa.Computed(SEARCH_TEXT, persisted=True)),
        # Rows stay whole in the table (no TOAST) up to a full page: lexical search reads every candidate's
        # tsvector several times (once per query word), and fetching it from TOAST each time cost 3×.
        postgresql_with={"toast_tuple_target": 8160},
    )
    op.create_index("ix_passages_embed_key", "passages", ["embed_key"])
    op.create_index("passages_source_ordinal", "passages", ["source", "ordinal"])
    op.create_index(
        "passages_embedding_hnsw", "passages", ["embedding"], postgresql_ops={"embedding": "vector_cosine_ops"}, **HNSW
    )
    op.create_index("passages_search_text_gin", "passages", ["search_text"], postgresql_using="gin")
    op.create_table(
        "sentences",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("passage_id", sa.Text, sa.ForeignKey("passages.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("embed_key", sa.Text, nullable=False),
        sa.Column("embedding", Vector(DIMENSION), nullable=False),
    )
    op.create_index("ix_sentences_embed_key", "sentences", ["embed_key"])
    op.create_index("sentences_passage_ordinal", "sentences", ["passage_id", "ordinal"])
    op.create_index(
        "sentences_embedding_hnsw",
        "sentences",
        ["embedding"],
        postgresql_ops={"embedding": "vector_cosine_ops"},
        **HNSW,
    )
    op.create_table(
        "case_studies",
        sa.Column("source", sa.Text, sa.ForeignKey("documents.source", ondelete="CASCADE"), primary_key=True),
        sa.Column("ordinal", sa.Integer, primary_key=True),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("chapter", sa.Text, nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("label", sa.Text),
    )
    op.create_table(
        "glossary",
        sa.Column("acronym", sa.Text, primary_key=True),
        sa.Column("expansion", sa.Text, nullable=False),
    )
    # The same table assistant/feedback.py maps (FeedbackRow); SQLite deployments create it themselves.
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(32)),
        sa.Column("comment", sa.Text),
        sa.Column("passage_ids", sa.JSON, nullable=False),
    )
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("split", sa.Text, nullable=False),
        sa.Column("system", sa.Text, nullable=False),
        sa.Column("summary", postgresql.JSONB, nullable=False),
        sa.Column("meta", postgresql.JSONB, nullable=False),
    )
    op.create_index("ix_eval_runs_created_at", "eval_runs", ["created_at"])


def downgrade() -> None:
    for table in (
        "eval_runs",
        "feedback",
        "glossary",
        "case_studies",
        "sentences",
        "passages",
        "documents",
        "corpus_state",
    ):
        op.drop_table(table)
