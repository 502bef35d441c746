"""End to end: `localities serve` in its own process, called over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import served_process


@pytest.fixture()
def server_url(built_index: Path, tmp_path: Path) -> Iterator[str]:
    """A real uvicorn server over the session index, stopped (SIGTERM, then SIGKILL) afterwards."""
    env = {"LOCALITIES_INDEX_DIR": str(built_index), "LOCALITIES_DATA_DIR": str(tmp_path / "data")}
    with served_process([], env, cwd=tmp_path, log=tmp_path / "server.log") as url:
        yield url


def test_served_api_answers_over_http(server_url: str) -> None:
    with httpx.Client(base_url=server_url, timeout=30) as http:
        health = http.get("/health").json()
        assert health["status"] == "ok" and health["passages"] > 0

        passages = http.post("/search", json={"query": "shared services", "k": 3}).json()["passages"]
        assert len(passages) == 3

        answer = http.post("/ask", json={"question": "How have district councils worked with LEPs?"}).json()
        assert answer["answered"] and answer["citations"]

        empty = http.post("/ask", json={"question": " "})
        assert empty.status_code == 422 and "question must not be empty" in empty.json()["detail"]
