"""How much a benchmark run measures: the full run, `--quick` for a smoke test, and `tiny` for the unit test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    latency_queries: int  # sequential requests per endpoint per round
    rounds: int  # repeats of the sequential latency runs
    clients: tuple[int, ...]  # concurrency levels of the mixed load
    load_s: float  # measured seconds per level and system
    warmup_s: float  # unmeasured seconds before each level
    profile_s: float  # py-spy sampling of our server under load (0: skip)
    profile_clients: int
    scales: tuple[float, ...]  # synthetic corpus sizes, in toolkits (10 = 10× the toolkit's passages)
    embed_sample: int  # synthetic passages embedded afresh to measure the embedding rate
    scale_queries: int  # query vectors for the FAISS flat/HNSW comparison
    e2e_queries: int  # Assistant.search calls timed over each synthetic build (0: skip)
    retrieval_split: str | None = None  # evaluate this split on the served encoder and on torch (None: skip)


# Sized to finish in about 20 minutes on the shared 2-core machine with three servers: each level's servers
# alternate in A-B-C-C-B-A segments, so 20 s per server and level still pools two segments of 10 s.
FULL = Plan(
    name="full", latency_queries=40, rounds=3, clients=(1, 4, 16, 32), load_s=20.0, warmup_s=2.0,
    profile_s=10.0, profile_clients=16, scales=(10, 50), embed_sample=64, scale_queries=180, e2e_queries=40,
    retrieval_split="dev",
)  # fmt: skip
QUICK = Plan(
    name="quick", latency_queries=20, rounds=2, clients=(1, 4, 16, 32), load_s=5.0, warmup_s=1.0,
    profile_s=5.0, profile_clients=16, scales=(1, 2), embed_sample=32, scale_queries=60, e2e_queries=20,
)  # fmt: skip
TINY = Plan(
    name="tiny", latency_queries=3, rounds=1, clients=(1, 2), load_s=1.5, warmup_s=0.0,
    profile_s=2.0, profile_clients=2, scales=(0.05, 0.1), embed_sample=6, scale_queries=10, e2e_queries=4,
)  # fmt: skip
PLANS = {p.name: p for p in (FULL, QUICK, TINY)}
