"""The project's own commands as real processes in tests: a free port, the `localities` command, waiting for it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
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
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


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
