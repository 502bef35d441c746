"""One machine, several processes: `localities serve --workers 2` over one index, and one SQLite feedback file.

Both workers must start, answer /search again and again, leave the index directory exactly as it was, and
store every one of many feedback posts sent at once (two processes writing one WAL-mode database).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.processes import served_process

WRITERS = 16
POSTS_EACH = 20
ADMIN = {"Authorization": "Bearer workers-admin-token"}


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    """Every file and link under `directory` with its size and modification time."""
    return {
        str(p.relative_to(directory)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(directory.rglob("*"))
    }


def _wait_for_workers(log: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while log.read_text(errors="replace").count("Application startup complete") < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{count} workers did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def test_two_workers_share_the_index_read_only_and_lose_no_feedback(built_index: Path, tmp_path: Path) -> None:
    before = _snapshot(built_index)
    env = {"LOCALITIES_DATA_DIR": str(tmp_path / "data"), "LOCALITIES_ADMIN_TOKEN": ADMIN["Authorization"][7:]}
    log = tmp_path / "server.log"
    with served_process(["--workers", "2", "--index", str(built_index)], env, tmp_path, log) as url:
        _wait_for_workers(log, 2)
        with httpx.Client(base_url=url, timeout=60) as http:
            for _ in range(20):
                response = http.post("/search", json={"query": "shared chief executive", "k": 3})
                assert response.status_code == 200 and len(response.json()["passages"]) == 3

        failures: list[str] = []

        def write(writer: int) -> None:
            # A connection per post, so the parent spreads them over both workers.
            for i in range(POSTS_EACH):
                body = {"question": f"writer {writer} post {i}", "answer": "An answer. [1]", "rating": "up"}
                try:
                    response = httpx.post(f"{url}/feedback", json=body, timeout=60)
                    if response.status_code != 201:
                        failures.append(f"{response.status_code}: {response.text}")
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))

        writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=300)
        assert failures == []

        stored = httpx.get(f"{url}/feedback", params={"limit": 10_000}, headers=ADMIN, timeout=60).json()
        expected = {f"writer {w} post {i}" for w in range(WRITERS) for i in range(POSTS_EACH)}
        assert len(stored) == len(expected) and {e["question"] for e in stored} == expected
        assert len({e["id"] for e in stored}) == len(stored)

    server_log = log.read_text(errors="replace")
    assert server_log.count("Started server process") == 2 and "Traceback" not in server_log
    assert _snapshot(built_index) == before  # nothing written, touched or pruned in the shared index
