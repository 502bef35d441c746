"""The feedback store on a real SQLite file: concurrency, WAL, retention and CSV export."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, MetaData, event

from assistant.feedback import CSV_COLUMNS, Base, FeedbackStore, feedback_url, open_feedback, to_csv
from assistant.settings import Settings


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[FeedbackStore]:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    yield store
    store.close()


def _add(store: FeedbackStore, question: str = "What is an LEP?", **extra: object) -> int:
    return store.add(question=question, answer="A partnership. [1]", rating="up", **extra).id  # type: ignore[arg-type]


def test_added_feedback_comes_back_whole(store: FeedbackStore) -> None:
    entry = store.add(
        question="What is an LEP?",
        answer="A partnership. [1]",
        rating="down",
        reason="other",
        comment="ünïcode ✓",
        passage_ids=["p1", "p2"],
    )
    [stored] = store.entries()
    assert stored == entry
    assert stored.created_at.tzinfo is not None and abs(datetime.now(UTC) - stored.created_at) < timedelta(minutes=1)
    assert (stored.rating, stored.reason, stored.comment, stored.passage_ids) == (
        "down",
        "other",
        "ünïcode ✓",
        ("p1", "p2"),
    )


def test_entries_are_newest_first_and_paged(store: FeedbackStore) -> None:
    ids = [_add(store, f"question {i}") for i in range(5)]
    assert [e.id for e in store.entries()] == ids[::-1]
    assert [e.id for e in store.entries(2, 1)] == ids[::-1][1:3]
    assert [e.id for e in store.entries(newest_first=False)] == ids


def test_sqlite_runs_in_wal_mode_in_a_created_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "feedback.db"
    store = FeedbackStore(f"sqlite:///{path}")
    _add(store)
    assert path.exists() and store.journal_mode() == "wal"
    store.close()


def test_a_table_another_worker_creates_mid_startup_is_taken_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "feedback.db"
    # The race two worker processes run at startup: both check, the other one creates, then this one creates.
    def other_worker_creates(target: MetaData, connection: Connection, **_: object) -> None:
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE feedback (id INTEGER NOT NULL, PRIMARY KEY (id))")

    event.listen(Base.metadata, "before_create", other_worker_creates, once=True)
    try:
        store = FeedbackStore(f"sqlite:///{path}")
    finally:
        if event.contains(Base.metadata, "before_create", other_worker_creates):
            event.remove(Base.metadata, "before_create", other_worker_creates)
    assert store.count() == 0
    store.close()


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    # Two stores on one file, as two API worker processes would have, each shared by several threads.
    stores = [FeedbackStore(url), FeedbackStore(url)]
    threads, per_thread, errors = 8, 25, []

    def write(worker: int) -> None:
        try:
            for i in range(per_thread):
                _add(stores[worker % 2], f"worker {worker} item {i}")
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(w,)) for w in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    entries = stores[0].entries()
    assert stores[1].count() == len(entries) == threads * per_thread
    assert len({e.id for e in entries}) == len(entries)
    assert {e.question for e in entries} == {f"worker {w} item {i}" for w in range(threads) for i in range(per_thread)}
    for s in stores:
        s.close()


def test_purge_deletes_only_what_is_past_retention(store: FeedbackStore) -> None:
    now = datetime.now(UTC)
    old = _add(store, "old", created_at=now - timedelta(days=400))
    edge = _add(store, "just inside", created_at=now - timedelta(days=364))
    new = _add(store, "new")
    assert store.purge(365, now=now) == 1
    assert {e.id for e in store.entries()} == {edge, new}
    assert old not in {e.id for e in store.entries()}


def test_opening_the_configured_store_purges_old_feedback(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, feedback_retention_days=30)
    first = FeedbackStore(feedback_url(settings))
    _add(first, "stale", created_at=datetime.now(UTC) - timedelta(days=31))
    _add(first, "fresh")
    first.close()
    store = open_feedback(settings)
    assert [e.question for e in store.entries()] == ["fresh"]
    assert settings.feedback_path == tmp_path / "feedback.db" and settings.feedback_path.exists()
    store.close()


def test_database_url_setting_wins_over_the_sqlite_path(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://u:p@db/feedback")
    assert feedback_url(settings) == "postgresql+psycopg://u:p@db/feedback"
    assert feedback_url(Settings(data_dir=tmp_path)) == f"sqlite:///{tmp_path / 'feedback.db'}"


def test_csv_export_quotes_text_and_defuses_formulas(store: FeedbackStore) -> None:
    _add(store, 'Commas, "quotes"\nand newlines?', comment="=1+1", passage_ids=["a", "b"])
    _add(store, "@SUM(A1)", comment=None, reason="did_not_answer")
    rows = list(csv.reader(io.StringIO(to_csv(store.entries(newest_first=False)))))
    assert tuple(rows[0]) == CSV_COLUMNS
    first, second = (dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:])
    assert first["question"] == 'Commas, "quotes"\nand newlines?' and first["comment"] == "'=1+1"
    assert first["passage_ids"] == "a b"
    assert second["question"] == "'@SUM(A1)" and second["comment"] == "" and second["reason"] == "did_not_answer"
    assert datetime.fromisoformat(first["created_at"]).tzinfo is not None
