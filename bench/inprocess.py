"""Latency of the library itself (Assistant.search / Assistant.ask), without HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable

from assistant.service import Assistant
from bench.stats import rounds_summary


def timed(call: Callable[[str], object], queries: list[str]) -> list[float]:
    samples = []
    for query in queries:
        started = time.perf_counter()
        call(query)
        samples.append(time.perf_counter() - started)
    return samples


def library_latency(assistant: Assistant, rounds: list[tuple[list[str], list[str]]]) -> dict[str, object]:
    """search and ask latency over fresh wordings (each pays its model forward pass), then warm repeats.

    `rounds` holds (search queries, ask queries) per repeat, all distinct. The warm figures repeat the
    last round's queries, so they hit the query-embedding cache: what the pipeline costs besides the model.
    """
    search_rounds, ask_rounds = [], []
    for search_queries, ask_queries in rounds:
        search_rounds.append(timed(assistant.search, search_queries))
        ask_rounds.append(timed(assistant.ask, ask_queries))
    last_search, last_ask = rounds[-1]
    return {
        "search": rounds_summary(search_rounds),
        "ask": rounds_summary(ask_rounds),
        "search_warm": rounds_summary([timed(assistant.search, last_search)]),
        "ask_warm": rounds_summary([timed(assistant.ask, last_ask)]),
    }
