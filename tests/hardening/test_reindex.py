"""Live re-indexing: a new build is served without dropping a request, whoever publishes it.

A real uvicorn server (in this process, so it shares the session's model) is hammered on /search and /ask
while a new build (the corpus plus one extra case study) is published, by `POST /admin/reindex` or by a
separate `localities ingest` process. Every request must succeed, each client must see the old build until
the swap and the new one after it, and the new case study must become findable.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from assistant.http.app import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from stores.files import schema as index_store
from tests.hardening.conftest import served_in_thread
from tests.processes import localities

TITLE = "Quillbridge shared ferry service"
EXTRA = (
    f"# {TITLE}\n\nQuillbridge and Marlowe district councils have run one shared ferry service across the estuary "
    "since 2021, saving £250,000 a year and keeping the night crossing open.\n\n## Lessons\n\n"
    "Agree the timetable with both councils' scrutiny committees before the first crossing.\n"
)
QUERY = "Quillbridge ferry service across the estuary"
ADMIN = {"Authorization": "Bearer test-admin-token"}
CLIENTS = 4
BUILD_TIMEOUT_S = 240


@dataclass
class Traffic:
    """What the hammering clients saw: request count, failures, and per client whether the new case study showed."""

    requests: int = 0
    errors: list[str] = field(default_factory=list)
    sightings: list[list[bool]] = field(default_factory=list)


def _finds_new_case_study(passages: list[dict[str, object]]) -> bool:
    return any(p["case_study"] == TITLE for p in passages)


@contextmanager
def hammering(url: str) -> Iterator[Traffic]:
    """CLIENTS threads alternating /search and /ask until the block ends."""
    traffic, stop, lock = Traffic(), threading.Event(), threading.Lock()

    def client(seen: list[bool]) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            while not stop.is_set():
                try:
                    search = http.post("/search", json={"query": QUERY, "k": 5})
                    ask = http.post("/ask", json={"question": f"What did {TITLE.split()[0]} save with its ferry?"})
                    ok = search.status_code == 200 and ask.status_code == 200
                    if ok:
                        seen.append(_finds_new_case_study(search.json()["passages"]))
                    else:
                        with lock:
                            traffic.errors.append(f"{search.status_code}/{ask.status_code}: {search.text[:200]}")
                except httpx.HTTPError as exc:
                    with lock:
                        traffic.errors.append(repr(exc))
                with lock:
                    traffic.requests += 2

    threads = []
    for _ in range(CLIENTS):
        seen: list[bool] = []
        traffic.sightings.append(seen)
        threads.append(threading.Thread(target=client, args=(seen,), daemon=True))
    for thread in threads:
        thread.start()
    try:
        yield traffic
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)


def _every_client_answered(traffic: Traffic, times: int, after: list[int] | None = None) -> Callable[[], bool]:
    """A condition: each client has seen `times` more answers than it had at `after` (default: none)."""
    start = after or [0] * len(traffic.sightings)
    return lambda: all(len(seen) >= begin + times for seen, begin in zip(traffic.sightings, start, strict=True))


def _assert_swapped_cleanly(traffic: Traffic) -> None:
    assert traffic.errors == []
    for seen in traffic.sightings:
        # Old build, then new build, never back: each request ran on one whole build.
        assert seen and not seen[0] and seen[-1], seen
        first = seen.index(True)
        assert all(seen[first:]), seen


@pytest.fixture()
def reindex_settings(settings: Settings, index_copy: Path, corpus_copy: Path, tmp_path: Path) -> Settings:
    (corpus_copy / "quillbridge.md").write_text(EXTRA, encoding="utf-8")
    return settings.model_copy(
        update={"index_dir": index_copy, "corpus_dir": corpus_copy, "data_dir": tmp_path / "data", "index_poll_s": 0.2}
    )


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


def test_admin_reindex_swaps_to_the_new_build_without_dropping_requests(
    reindex_settings: Settings, assistant_on: Callable[[Path], Assistant]
) -> None:
    index = reindex_settings.index_dir
    old_build = index_store.current_build_path(index)
    app = create_app(reindex_settings.model_copy(update={"index_poll_s": 0}), assistant_on(index))
    with served_in_thread(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert http.post("/admin/reindex").status_code == 401
        assert http.post("/admin/reindex", headers={"X-Admin-Token": "wrong"}).status_code == 403
        assert http.get("/admin/reindex").status_code == 401
        with hammering(url) as traffic:
            _wait_for(_every_client_answered(traffic, 2), 60, "traffic on the old build")
            started = http.post("/admin/reindex", headers=ADMIN)
            assert started.status_code == 202 and started.json()["state"] == "running"
            again = http.post("/admin/reindex", headers=ADMIN)
            assert again.status_code == 409 and "already running" in again.json()["detail"]

            def finished() -> bool:
                return bool(http.get("/admin/reindex", headers=ADMIN).json()["state"] != "running")

            _wait_for(finished, BUILD_TIMEOUT_S, "the build")
            status = http.get("/admin/reindex", headers=ADMIN).json()
            assert status["state"] == "succeeded", status
            swapped_at = [len(seen) for seen in traffic.sightings]
            _wait_for(_every_client_answered(traffic, 2, swapped_at), 60, "traffic on the new build")
        new_build = index_store.current_build_path(index)
        assert new_build != old_build and status["build"] == new_build.name  # type: ignore[union-attr]
        assert http.get("/health").json()["build"] == status["build"]
        _assert_swapped_cleanly(traffic)


def test_a_build_published_by_a_separate_ingest_is_picked_up(
    reindex_settings: Settings, assistant_on: Callable[[Path], Assistant], tmp_path: Path
) -> None:
    index = reindex_settings.index_dir
    app = create_app(reindex_settings, assistant_on(index))
    env = {
        **os.environ,
        "LOCALITIES_INDEX_DIR": str(index),
        "LOCALITIES_CORPUS_DIR": str(reindex_settings.corpus_dir),
        "LOCALITIES_DATA_DIR": str(tmp_path / "data"),
    }
    with served_in_thread(app) as url, hammering(url) as traffic:
        _wait_for(_every_client_answered(traffic, 2), 60, "traffic on the old build")
        done = subprocess.run(
            [*localities(), "ingest"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        new_build = index_store.current_build_path(index)
        assert new_build is not None
        _wait_for(lambda: httpx.get(f"{url}/health").json()["build"] == new_build.name, 30, "the swap")
        swapped_at = [len(seen) for seen in traffic.sightings]
        _wait_for(_every_client_answered(traffic, 2, swapped_at), 60, "traffic on the new build")
    _assert_swapped_cleanly(traffic)
