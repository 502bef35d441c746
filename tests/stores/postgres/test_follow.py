"""Two `localities serve` replicas on one PostgreSQL: both see new documents, no feedback is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from ingest.pipeline import ingest_to_postgres
from tests.processes import free_port, localities, wait_until_up
from tests.stores.postgres.conftest import MODEL

STARTUP_TIMEOUT_S = 180
FOLLOW_TIMEOUT_S = 30
ADMIN = "replica-admin-token"
NEW_CASE_STUDY = """# Harbourside digital inclusion hub

Harbourside borough council opened a digital inclusion hub in the old ferry terminal, where volunteers
lend refurbished tablets to residents and teach them to book GP appointments and renew bus passes online.

The hub is funded jointly by the council, the clinical commissioning group and the ferry operator.
"""


def _command(port: int) -> list[str]:
    return [*localities(), "serve", "--host", "127.0.0.1", "--port", str(port)]


@pytest.fixture()
def corpus_copy(corpus_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(corpus_dir, tmp_path / "corpus"))


@pytest.fixture()
def replicas(fresh_toolkit_db: str, corpus_copy: Path, tmp_path: Path) -> Iterator[list[str]]:
    """Two API servers (separate processes, ports and data folders) over one database."""
    processes: list[tuple[subprocess.Popen[bytes], Path, str]] = []
    try:
        for n in range(2):
            port, log = free_port(), tmp_path / f"replica{n}.log"
            env = {
                **os.environ,
                "LOCALITIES_DATABASE_URL": fresh_toolkit_db,
                "LOCALITIES_CORPUS_DIR": str(corpus_copy),
                "LOCALITIES_INDEX_DIR": str(tmp_path / "no-file-index"),  # must not be needed
                "LOCALITIES_DATA_DIR": str(tmp_path / f"data{n}"),
                "LOCALITIES_ADMIN_TOKEN": ADMIN,
                "HF_HUB_OFFLINE": "1",
            }
            with log.open("wb") as out:
                process = subprocess.Popen(_command(port), env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
            processes.append((process, log, f"http://127.0.0.1:{port}"))
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        for process, log, url in processes:
            wait_until_up(f"{url}/health", process, log, max(1.0, deadline - time.monotonic()))
        yield [url for _, _, url in processes]
    finally:
        for process, _, _ in processes:
            process.terminate()
        for process, _, _ in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _finds_new_case_study(url: str) -> bool:
    response = httpx.post(
        f"{url}/search", json={"query": "digital inclusion hub in the old ferry terminal", "k": 3}, timeout=30
    )
    response.raise_for_status()
    return any(p["case_study"] == "Harbourside digital inclusion hub" for p in response.json()["passages"])


def test_replicas_serve_one_database(
    replicas: list[str], corpus_copy: Path, fresh_toolkit_db: str, embedder: Any
) -> None:
    for url in replicas:
        health = httpx.get(f"{url}/health", timeout=10).json()
        assert health["backend"] == "postgresql" and health["status"] == "ok", health
        assert not _finds_new_case_study(url)

    (corpus_copy / "harbourside.md").write_text(NEW_CASE_STUDY, encoding="utf-8")
    report = ingest_to_postgres(corpus_copy, fresh_toolkit_db, MODEL, embedder=embedder)
    assert report.written == ["harbourside.md"] and report.unchanged == 1
    deadline = time.monotonic() + FOLLOW_TIMEOUT_S
    waiting = set(replicas)
    while waiting and time.monotonic() < deadline:
        waiting = {url for url in waiting if not _finds_new_case_study(url)}
        time.sleep(0.5)
    assert not waiting, f"replicas that never served the new document: {waiting}"
    for url in replicas:
        studies = httpx.get(f"{url}/case-studies", timeout=10).json()
        assert any(s["title"] == "Harbourside digital inclusion hub" for s in studies)

    def post(n: int) -> int:
        body = {
            "question": f"question {n}",
            "answer": "an answer",
            "rating": "up" if n % 2 else "down",
            "passage_ids": [],
        }
        return httpx.post(f"{replicas[n % 2]}/feedback", json=body, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(40)))
    assert statuses == [201] * 40
    with psycopg.connect(fresh_toolkit_db) as connection:
        stored = {row[0] for row in connection.execute("SELECT question FROM feedback")}
    assert stored == {f"question {n}" for n in range(40)}
    listed = httpx.get(
        f"{replicas[1]}/feedback", params={"limit": 100}, headers={"X-Admin-Token": ADMIN}, timeout=10
    ).json()
    assert len(listed) == 40
