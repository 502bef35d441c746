"""Ingest into PostgreSQL: same passages as the file index, per-document transactions, nothing redone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
from typer.testing import CliRunner

from ingest.pipeline import ingest_to_postgres
from localities.cli import app
from stores.files import schema as index_store
from tests.stores.postgres.conftest import MODEL, NoEmbedder, pg_store_url, small_corpus

LONELINESS = """# Greatwood loneliness pilot

Greatwood district council paired volunteer befrienders with residents living alone on the estate.
The befrienders visited weekly and referred residents to the lunch club run with the housing association.

## What changed

Within a year the number of residents reporting that they felt isolated had fallen by a third, and GP
appointments for low-level anxiety among the residents visited dropped noticeably.
"""

COASTAL = """# Saltmarsh coastal partnership

Three coastal districts pooled their flood wardens and shared one emergency planning officer.
"""


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchall()  # type: ignore[arg-type]


def test_moving_the_file_index_embeds_nothing_and_keeps_every_passage(
    toolkit_ingest: Any, pg_store: Any, built_index: Path
) -> None:
    build = index_store.current_build_path(built_index)
    assert build is not None
    assert toolkit_ingest.embedded == 0 and toolkit_ingest.skipped == []
    assert list(pg_store.passages()) == index_store.load_passages(build)
    assert pg_store.case_studies() == index_store.load_case_studies(build)
    assert pg_store.glossary == json.loads((build / "glossary.json").read_text(encoding="utf-8"))
    sentences = sum(1 for line in (build / "sentences.jsonl").read_text(encoding="utf-8").splitlines() if line.strip())
    assert _rows(pg_store_url(pg_store), "SELECT count(*) FROM sentences")[0][0] == sentences
    assert pg_store.backend == "postgresql" and pg_store.manifest["model"] == MODEL


def test_reingesting_an_unchanged_corpus_writes_nothing(fresh_toolkit_db: str, corpus_dir: Path) -> None:
    # xmin is the id of the transaction that wrote a row: unchanged xmins mean no row was rewritten.
    before = _rows(fresh_toolkit_db, "SELECT xmin::text, id FROM passages ORDER BY id")
    state = _rows(fresh_toolkit_db, "SELECT xmin::text, version FROM corpus_state")
    report = ingest_to_postgres(corpus_dir, fresh_toolkit_db, MODEL, embedder=NoEmbedder())  # type: ignore[arg-type]
    assert report.written == [] and report.removed == [] and report.unchanged == 1 and report.embedded == 0
    assert _rows(fresh_toolkit_db, "SELECT xmin::text, id FROM passages ORDER BY id") == before
    assert _rows(fresh_toolkit_db, "SELECT xmin::text, version FROM corpus_state") == state


def test_documents_are_added_changed_and_removed_one_transaction_each(
    make_database: Any, tmp_path: Path, embedder: Any
) -> None:
    url = make_database()
    corpus = small_corpus(tmp_path / "corpus", {"greatwood.md": LONELINESS, "saltmarsh.md": COASTAL})
    first = ingest_to_postgres(corpus, url, MODEL, embedder=embedder)
    assert first.written == ["greatwood.md", "saltmarsh.md"] and first.case_studies == 2
    texts = _rows(url, "SELECT count(*) FROM passages")[0][0] + _rows(url, "SELECT count(*) FROM sentences")[0][0]
    assert first.embedded == texts
    # Two documents, two transactions: the version moved once for each (and once for glossary and manifest).
    assert first.version == 3

    saltmarsh_rows = _rows(url, "SELECT xmin::text, id FROM passages WHERE source = 'saltmarsh.md'")
    (corpus / "greatwood.md").write_text(LONELINESS.replace("by a third", "by almost half"), encoding="utf-8")
    changed = ingest_to_postgres(corpus, url, MODEL, embedder=embedder)
    assert changed.written == ["greatwood.md"] and changed.unchanged == 1
    assert 0 < changed.embedded < first.embedded  # only the changed passage and sentence are new
    greatwood = " ".join(t for (t,) in _rows(url, "SELECT text FROM passages WHERE source = 'greatwood.md'"))
    assert "by almost half" in greatwood and "by a third" not in greatwood
    assert _rows(url, "SELECT xmin::text, id FROM passages WHERE source = 'saltmarsh.md'") == saltmarsh_rows
    # The unchanged document keeps the figures it was written with; the manifest lists both.
    assert changed.document_reports == first.document_reports
    assert _rows(url, "SELECT manifest->'documents' FROM corpus_state")[0][0] == first.document_reports
    assert [d["source"] for d in first.document_reports] == ["greatwood.md", "saltmarsh.md"]

    (corpus / "saltmarsh.md").unlink()
    removed = ingest_to_postgres(corpus, url, MODEL, embedder=NoEmbedder())  # type: ignore[arg-type]
    assert removed.removed == ["saltmarsh.md"] and removed.embedded == 0
    assert [d["source"] for d in removed.document_reports] == ["greatwood.md"]
    assert _rows(url, "SELECT DISTINCT source FROM passages") == [("greatwood.md",)]
    assert _rows(url, "SELECT source FROM case_studies") == [("greatwood.md",)]
    orphans = "SELECT count(*) FROM sentences s LEFT JOIN passages p ON p.id = s.passage_id WHERE p.id IS NULL"
    assert _rows(url, orphans)[0][0] == 0


def test_a_document_postgres_refuses_keeps_its_previous_version(
    make_database: Any, tmp_path: Path, embedder: Any
) -> None:
    url = make_database()
    corpus = small_corpus(tmp_path / "corpus", {"greatwood.md": LONELINESS})
    ingest_to_postgres(corpus, url, MODEL, embedder=embedder)
    before = _rows(url, "SELECT id, text FROM passages ORDER BY id")
    # A NUL byte past the loader's binary sniff reaches the passage text; PostgreSQL text cannot hold it,
    # so the document's transaction fails after its old rows were deleted, and must roll back whole.
    filler = "Padding for the sniffing window. " * 130
    (corpus / "greatwood.md").write_text(LONELINESS + "\n\n" + filler + "\n\nA late \x00 byte.\n", encoding="utf-8")
    report = ingest_to_postgres(corpus, url, MODEL, embedder=embedder)
    assert report.written == [] and [name for name, _ in report.skipped] == ["greatwood.md"]
    assert "PostgreSQL could not store it" in report.skipped[0][1]
    assert _rows(url, "SELECT id, text FROM passages ORDER BY id") == before


def test_cli_ingest_into_the_database(toolkit_db: str, built_index: Path, corpus_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["ingest", "--database-url", toolkit_db, "--corpus", str(corpus_dir), "--index", str(built_index)]
    )
    assert result.exit_code == 0, result.output
    assert "Database unchanged" in result.output and "0 embedded" in result.output
    assert "1 unchanged" in result.output


def test_cli_ingest_reports_an_unreachable_database(tmp_path: Path, corpus_dir: Path) -> None:
    url = f"postgresql://postgres@/nowhere?host={tmp_path}"
    result = CliRunner().invoke(app, ["ingest", "--database-url", url, "--corpus", str(corpus_dir)])
    assert result.exit_code == 1
    assert "Cannot ingest into 'postgresql://postgres@/nowhere" in " ".join(result.output.split())
