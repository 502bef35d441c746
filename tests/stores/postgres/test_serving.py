"""A server on PostgreSQL re-indexes into PostgreSQL and follows it; a one-shot assistant follows nothing."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from assistant.http.app import create_app
from assistant.service import build_assistant
from stores.postgres.read import PgStore

ADMIN = {"X-Admin-Token": "test-admin-token"}
HARBOURSIDE = """# Harbourside digital inclusion hub

Harbourside borough council opened a digital inclusion hub in the old ferry terminal, where volunteers
lend refurbished tablets to residents and teach them to book GP appointments and renew bus passes online.
"""


def _followers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "corpus-follower" and t.is_alive()]


def test_a_one_shot_assistant_on_postgres_starts_no_follower(
    fresh_toolkit_db: str, settings: Any, cached_encode: Callable[[str], Any]
) -> None:
    before = len(_followers())
    assistant = build_assistant(settings.model_copy(update={"database_url": fresh_toolkit_db}), encode=cached_encode)
    assert assistant.store.backend == "postgresql"
    assert assistant.ask("How much did Central Lincolnshire save?").answered
    assert len(_followers()) == before


def test_admin_reindex_on_postgres_ingests_into_postgres(
    fresh_toolkit_db: str, settings: Any, cached_encode: Callable[[str], Any], corpus_dir: Path, tmp_path: Path
) -> None:
    corpus = Path(shutil.copytree(corpus_dir, tmp_path / "corpus"))
    (corpus / "harbourside.md").write_text(HARBOURSIDE, encoding="utf-8")
    pg_settings = settings.model_copy(
        update={
            "database_url": fresh_toolkit_db,
            "corpus_dir": corpus,
            "index_dir": tmp_path / "no-file-index",  # must be neither read nor written
            "data_dir": tmp_path / "data",
            "index_poll_s": 0.2,
        }
    )
    assistant = build_assistant(pg_settings, store=PgStore.open(fresh_toolkit_db), encode=cached_encode)
    with TestClient(create_app(pg_settings, assistant)) as http:
        assert http.post("/admin/reindex", headers=ADMIN).status_code == 202
        deadline = time.monotonic() + 120
        while http.get("/admin/reindex", headers=ADMIN).json()["state"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        status = http.get("/admin/reindex", headers=ADMIN).json()
        assert status["state"] == "succeeded", status
        assert "Updated database" in status["message"] and "1 written" in status["message"], status
        found = http.post("/search", json={"query": "digital inclusion hub in the old ferry terminal", "k": 3}).json()
        assert any(p["case_study"] == "Harbourside digital inclusion hub" for p in found["passages"])
        assert http.get("/health").json()["backend"] == "postgresql"
    assert not (tmp_path / "no-file-index").exists()
