"""Percentiles of latency samples (one definition for the evaluation's reports and the benchmarks), scores
standardised over their set (one definition for the rerank's hub density and the case studies' fit), and the
vector halfway between two (a compound question's ask and the whole, a follow-up's own words and its conversation)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between the closest ranks; NaN for no samples."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def standardised(scores: np.ndarray) -> np.ndarray:
    """Scores as standard deviations from their mean; all zeros when they do not vary."""
    spread = float(scores.std())
    return (scores - scores.mean()) / spread if spread > 0 else np.zeros_like(scores, dtype=np.float64)


def halfway(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The unit vector halfway between two unit vectors."""
    mean = first + second
    return mean / (np.linalg.norm(mean) or 1.0)
