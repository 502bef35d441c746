"""Per-client rate limiting: one in-process token bucket per client address.

Each worker process keeps its own buckets, so with N workers a client may get up to N times the limit;
that is fine for its purpose (one runaway script must not starve everyone else), not a billing meter.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

# Buckets idle this long are full again and can be dropped, which keeps memory bounded by recent clients.
_IDLE_S = 120.0


class RateLimiter:
    """Allows `per_minute` requests per key, in bursts of up to `per_minute`, refilled evenly over the minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)
        self._lock = threading.Lock()
        self._swept = clock()

    def take(self, key: str) -> float:
        """Spend one token for `key`: 0.0 if allowed, else the seconds until a token is available."""
        with self._lock:
            now = self._clock()
            self._sweep(now)
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _sweep(self, now: float) -> None:
        if now - self._swept < _IDLE_S:
            return
        self._swept = now
        for key in [k for k, (_, last) in self._buckets.items() if now - last > _IDLE_S]:
            del self._buckets[key]


def retry_after_header(wait_s: float) -> str:
    """Retry-After takes whole seconds; round up so a client that obeys it is let through."""
    return str(max(1, math.ceil(wait_s)))
