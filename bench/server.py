"""Servers under test: a real uvicorn subprocess on a free 127.0.0.1 port, or one in a thread (tests).

Either way the benchmark gets a base URL and a pid, whose memory a sampler watches for its peak.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import httpx

from bench.ingestion import localities_program


class Server(Protocol):
    name: str
    url: str
    pid: int

    def stop(self) -> None: ...


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, path: str, timeout: float, alive: object = None) -> float:
    """Seconds until GET url+path answers 200; raise if the process dies or time runs out."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if alive is not None and not alive():  # type: ignore[operator]
            raise RuntimeError(f"server for {url} exited during startup")
        try:
            if httpx.get(url + path, timeout=2.0).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url}{path} not ready after {timeout:.0f} s")


class SubprocessServer:
    """`command` (which must bind the given port) run as a child process, logs to a file."""

    def __init__(
        self, name: str, command: Sequence[str], port: int, env: dict[str, str], log: Path, timeout: float = 300.0
    ) -> None:
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self._log_file = log.open("wb")
        self._process = subprocess.Popen(
            list(command), env={**os.environ, **env}, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        self.pid = self._process.pid
        try:
            self.startup_s = wait_ready(self.url, "/health", timeout, lambda: self._process.poll() is None)
        except (RuntimeError, TimeoutError, KeyboardInterrupt):
            self.stop()
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"{name} failed to start; log tail:\n{tail}") from None

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._log_file.close()


def ours_command(port: int, index_dir: Path) -> list[str]:
    """`localities serve`, exactly as a deployment runs it."""
    return [*localities_program(), "serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index_dir)]


def langchain_command(port: int, corpus_file: Path, model: str, store_cache: Path | None = None) -> list[str]:
    """The baseline server (bench.langchain_app), loading its store from `store_cache` when it is there."""
    return [*_langchain_program(corpus_file, model, store_cache), "--port", str(port)]


def langchain_store_command(corpus_file: Path, model: str, store_cache: Path) -> list[str]:
    """Fill the baseline's store cache and exit: its one-off embedding, done before any server is timed."""
    return [*_langchain_program(corpus_file, model, store_cache), "--build-only"]


def _langchain_program(corpus_file: Path, model: str, store_cache: Path | None) -> list[str]:
    command = [sys.executable, "-m", "bench.langchain_app", "--corpus", str(corpus_file), "--model", model]
    return command + (["--store-cache", str(store_cache)] if store_cache else [])


class ThreadServer:
    """An ASGI app served by uvicorn in a daemon thread of this process (tiny mode and tests)."""

    def __init__(self, name: str, app: object, timeout: float = 60.0) -> None:
        import uvicorn

        port = free_port()
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        self.pid = os.getpid()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)  # type: ignore[arg-type]
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        self.startup_s = wait_ready(self.url, "/health", timeout, self._thread.is_alive)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


class RssSampler:
    """Samples a process's resident memory (with its children) in the background; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        import psutil

        self._process = psutil.Process(pid)
        self._interval = interval
        self.peak_bytes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                rss = self._process.memory_info().rss
                rss += sum(c.memory_info().rss for c in self._process.children(recursive=True))
            except psutil.Error:
                return
            self.peak_bytes = max(self.peak_bytes, rss)
            self.samples += 1
            self._stop.wait(self._interval)

    def high_water_mark(self) -> int | None:
        """The kernel's own peak RSS (VmHWM) for the process, where /proc has it."""
        try:
            for line in Path(f"/proc/{self._process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return None

    def stop(self) -> dict[str, object]:
        hwm = self.high_water_mark()
        self._stop.set()
        self._thread.join(timeout=5)
        return {
            "peak_rss_mb": round(self.peak_bytes / 2**20, 1),
            "vm_hwm_mb": round(hwm / 2**20, 1) if hwm else None,
            "samples": self.samples,
        }
