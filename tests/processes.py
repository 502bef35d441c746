"""The project's own commands as real processes in tests: a free port, the `localities` command, waiting for it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

STARTUP_TIMEOUT_S = 120


def free_port() -> int:
    """A port nothing listens on (closed again at once, so it also serves as a 'service down' address)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def localities() -> list[str]:
    """The installed console script, or the module when run from a checkout without it."""
    script = Path(sys.executable).parent / "localities"
    return [str(script)] if script.exists() else [sys.executable, "-m", "localities.cli"]


def wait_until_up(
    health_url: str,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
    timeout_s: float = STARTUP_TIMEOUT_S,
) -> None:
    """Poll `health_url` until it answers 200; fail with the process's log if it exits or the time runs out."""
    deadline = time.monotonic() + timeout_s
    output = lambda: log.read_text() if log else ""  # noqa: E731
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"{health_url} exited with {process.returncode}:\n{output()}")
        try:
            if httpx.get(health_url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{health_url} did not answer in {timeout_s:.0f} s:\n{output()}")


@contextmanager
def served_process(args: Sequence[str], env: dict[str, str], cwd: Path, log: Path) -> Iterator[str]:
    """`localities serve ARGS` in its own process on a free loopback port; yields its base URL."""
    port = free_port()
    with log.open("wb") as out:
        command = [*localities(), "serve", "--host", "127.0.0.1", "--port", str(port), *args]
        # cwd outside the checkout: no stray .env changes the server's settings.
        process = subprocess.Popen(command, env={**os.environ, **env}, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{url}/health", process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
