"""Start the project's own commands (`localities serve`, `localities ui`) as real processes, and stop them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.processes import free_port, localities, wait_until_up

__all__ = ["free_port", "localities", "running"]


@contextmanager
def running(
    name: str, command: list[str], env: dict[str, str], health_url: str, workdir: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` running until the block ends (SIGTERM, then SIGKILL); its output goes to workdir/<name>.log."""
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        # cwd=workdir: no stray .env from the checkout changes the process's settings. A session of its own, so
        # stopping it stops its children too (`localities ui` runs Streamlit as a child and does not pass SIGTERM on).
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(health_url, process, log)
            yield process
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process and its children; SIGKILL to any still there after 20 s."""
    group = process.pid  # start_new_session: the process leads its own group
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _group_alive(group):
        process.poll()  # reap the leader, or the group never looks empty
        time.sleep(0.1)
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    process.wait()


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def silent_server() -> Iterator[str]:
    """An address that accepts connections but never replies: a service that hangs."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)  # connections complete in the backlog; nothing ever reads or answers them
        yield f"http://127.0.0.1:{s.getsockname()[1]}"
