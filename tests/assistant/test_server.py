"""End to end: `localities serve` in its own process, called over real HTTP."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import free_port, localities, wait_until_up


@pytest.fixture()
def server_url(built_index: Path, tmp_path: Path) -> Iterator[str]:
    """A real uvicorn server over the session index, stopped (SIGTERM, then SIGKILL) afterwards."""
    port = free_port()
    env = {**os.environ, "LOCALITIES_INDEX_DIR": str(built_index), "LOCALITIES_DATA_DIR": str(tmp_path / "data")}
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        command = [*localities(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        # cwd=tmp_path: no stray .env from the checkout changes the server's settings.
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{url}/health", process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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
