"""HTTP load: sequential latency per endpoint, and closed-loop concurrent clients on a mixed load.

All requests go to 127.0.0.1, and every run is bounded both in time and in request count.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.queries import RequestStream
from bench.stats import summarise_ms

MAX_REQUESTS_PER_RUN = 50_000
TIMEOUT_S = 30.0


def sequential_latency(url: str, path: str, payloads: list[dict[str, object]]) -> list[float]:
    """Seconds per request, one at a time over one keep-alive connection; any failure raises."""
    samples = []
    with httpx.Client(base_url=url, timeout=TIMEOUT_S) as client:
        for payload in payloads:
            started = time.perf_counter()
            response = client.post(path, json=payload)
            samples.append(time.perf_counter() - started)
            response.raise_for_status()
    return samples


def search_payloads(queries: list[str], k: int = 5) -> list[dict[str, object]]:
    return [{"query": q, "k": k} for q in queries]


def ask_payloads(queries: list[str]) -> list[dict[str, object]]:
    return [{"question": q} for q in queries]


@dataclass
class LoadRun:
    """What N closed-loop clients got from one server in a fixed time (possibly several segments)."""

    clients: int
    seconds: float = 0.0
    ok: int = 0
    errors: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"/search": [], "/ask": []})
    error_samples: list[str] = field(default_factory=list)
    server_cpu_s: float | None = None
    segments_rps: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        every = self.latencies["/search"] + self.latencies["/ask"]
        result: dict[str, object] = {
            "clients": self.clients,
            "seconds": round(self.seconds, 2),
            "requests": self.ok + self.errors,
            "errors": self.errors,
            "throughput_rps": round(self.ok / self.seconds, 2) if self.seconds else 0.0,
            "segments_rps": self.segments_rps,
            "latency": summarise_ms(every),
            "search": summarise_ms(self.latencies["/search"]),
            "ask": summarise_ms(self.latencies["/ask"]),
            "error_samples": self.error_samples[:3],
        }
        if self.server_cpu_s is not None and self.ok:
            result["server_cpu_ms_per_request"] = round(self.server_cpu_s * 1000 / self.ok, 2)
            result["server_cores_busy"] = round(self.server_cpu_s / self.seconds, 2)
        return result


def merge(runs: list[LoadRun]) -> LoadRun:
    """Segments of one level on one server as a single run (throughput over their total time)."""
    merged = LoadRun(runs[0].clients)
    for run in runs:
        merged.seconds += run.seconds
        merged.ok += run.ok
        merged.errors += run.errors
        for path, samples in run.latencies.items():
            merged.latencies[path].extend(samples)
        merged.error_samples.extend(run.error_samples)
        merged.segments_rps.extend(run.segments_rps)
        if run.server_cpu_s is not None:
            merged.server_cpu_s = (merged.server_cpu_s or 0.0) + run.server_cpu_s
    return merged


async def _client_loop(
    client: httpx.AsyncClient, next_request: Callable[[], tuple[str, dict[str, object]]], deadline: float, run: LoadRun
) -> None:
    while time.perf_counter() < deadline and run.ok + run.errors < MAX_REQUESTS_PER_RUN:
        path, payload = next_request()
        started = time.perf_counter()
        try:
            response = await client.post(path, json=payload)
            failed = response.status_code >= 400
            reason = f"HTTP {response.status_code}: {response.text[:200]}" if failed else ""
        except httpx.HTTPError as exc:
            failed, reason = True, f"{exc.__class__.__name__}: {exc}"
        elapsed = time.perf_counter() - started
        if failed:
            run.errors += 1
            run.error_samples.append(reason)
        else:
            run.ok += 1
            run.latencies[path].append(elapsed)


async def _closed_loop(url: str, clients: int, seconds: float, stream: RequestStream) -> LoadRun:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    run = LoadRun(clients)
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT_S, limits=limits) as client:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(_client_loop(client, stream.next, deadline, run) for _ in range(clients)))
        # Requests in flight at the deadline finish late; throughput counts the time they really took.
        run.seconds = time.perf_counter() - started
    run.segments_rps = [round(run.ok / run.seconds, 2)] if run.seconds else []
    return run


def _cpu_seconds(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def measure(url: str, clients: int, seconds: float, stream: RequestStream, pid: int | None = None) -> LoadRun:
    """N clients each sending the next mixed request as soon as the last one returns, for `seconds`;
    with the server's `pid`, also the CPU time it spent (both cores count: up to 2 s per second)."""
    cpu = _cpu_seconds(pid) if pid is not None else 0.0
    run = asyncio.run(_closed_loop(url, clients, seconds, stream))
    if pid is not None:
        run.server_cpu_s = _cpu_seconds(pid) - cpu
    return run


def closed_loop(
    url: str, clients: int, seconds: float, stream: RequestStream, warmup_s: float = 0.0, pid: int | None = None
) -> dict[str, object]:
    """One warm-up (unmeasured) and one measured run, as JSON."""
    if warmup_s > 0:
        measure(url, clients, warmup_s, stream)
    return measure(url, clients, seconds, stream, pid).to_json()
