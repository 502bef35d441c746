"""End to end: `localities serve` in its own process, called over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

STARTUP_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _localities() -> list[str]:
    script = Path(sys.executable).parent / "localities"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server did not start in {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture()
def server_url(built_index: Path, tmp_path: Path) -> Iterator[str]:
    """A real uvicorn server over the session index, stopped (SIGTERM, then SIGKILL) afterwards."""
    port = _free_port()
    env = {**os.environ, "LOCALITIES_INDEX_DIR": str(built_index), "LOCALITIES_DATA_DIR": str(tmp_path / "data")}
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        command = [*_localities(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        # cwd=tmp_path: no stray .env from the checkout changes the server's settings.
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process, log)
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
