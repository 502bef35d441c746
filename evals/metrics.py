"""IR metrics with ranx, plus the simple rates the report adds."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from ranx import Qrels, Run, evaluate

from core.stats import percentile  # noqa: F401 - the one definition, shared with bench/

RANK_METRICS = ("hit_rate@1", "hit_rate@3", "hit_rate@5", "recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10")
MISSING = "__no_relevant_passage__"


def rank_metrics(relevant: dict[str, set[str]], ranked: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Per-query ranx metrics. A query whose evidence is in no passage scores 0 rather than vanishing."""
    qrels = Qrels({q: {d: 1 for d in (docs or {MISSING})} for q, docs in relevant.items()})
    run = Run({q: {d: float(len(docs) - i) for i, d in enumerate(docs)} or {"__none__": 0.0} for q, docs in ranked.items()})
    scores = evaluate(qrels, run, list(RANK_METRICS), return_mean=False, make_comparable=True)
    ids = list(qrels.keys())
    return {q: {m: float(scores[m][i]) for m in RANK_METRICS} for i, q in enumerate(ids)}


def warm_up() -> None:
    """Compile ranx's metrics now: numba compiles them on first use (75 s on this 2-core machine) and caches the
    result beside the installed package, so `make install` calls this once and no evaluation stalls on it."""
    rank_metrics({"q": {"a"}}, {"q": ["a", "b"]})


def mean(values: Sequence[float]) -> float:
    return float(statistics.fmean(values)) if values else 0.0
