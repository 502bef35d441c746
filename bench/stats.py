"""Pure statistics over latency samples: summaries and ratios (percentiles from core.stats, as the evaluation)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from core.stats import percentile


def summarise_ms(samples_s: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean/max in milliseconds of samples given in seconds."""
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else math.nan,
        "max_ms": round(max(ms), 2) if ms else math.nan,
    }


def rounds_summary(rounds: Sequence[Sequence[float]]) -> dict[str, object]:
    """Pooled percentiles over repeated rounds, plus each round's p50 to show the run-to-run spread."""
    pooled = [s for r in rounds for s in r]
    summary: dict[str, object] = dict(summarise_ms(pooled))
    summary["round_p50_ms"] = [round(percentile([s * 1000 for s in r], 50), 2) for r in rounds]
    return summary


def ratio(ours: float, theirs: float) -> float:
    """ours / theirs, rounded; NaN when either side is missing or zero."""
    if not theirs or math.isnan(theirs) or math.isnan(ours):
        return math.nan
    return round(ours / theirs, 3)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def fmt(value: Any, digits: int = 1) -> str:
    """A table cell: thousands separators, fixed digits, '–' for missing or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (int, float)):
        return f"{value:,.{digits}f}"
    return str(value)
