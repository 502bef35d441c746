"""The benchmark's query stream: the curated questions, each phrased many ways.

Every request gets a wording not used in the last few thousand, so a query-embedding cache cannot turn
the benchmark into a cache benchmark: each /search and /ask pays for its model forward pass, as a real
user's new question does. Both systems receive the same stream.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

from evals.dataset import DEFAULT_SET, load_questions

PREFIXES = (
    "", "Please tell me: ", "Quick question: ", "I'd like to know: ", "For a briefing, ", "Can you tell me ",
    "Out of interest, ", "From the toolkit, ", "One more thing: ", "I am an officer. ", "Help me understand: ",
    "Short answer please: ",
)  # fmt: skip
SUFFIXES = ("", " Thanks.", " (for a committee paper)", " Thank you!", " - any detail helps.", " Cheers.")


def base_questions(path: Path = DEFAULT_SET, limit: int | None = None) -> list[str]:
    """The curated questions' text (history dropped: both systems get the bare question)."""
    questions = [q.question for q in load_questions(path)]
    return questions[:limit] if limit else questions


def variants(questions: list[str]) -> Iterator[str]:
    """An endless stream cycling wordings: questions × prefixes × suffixes before any repeat."""
    for prefix, suffix in itertools.cycle(list(itertools.product(PREFIXES, SUFFIXES))):
        for question in questions:
            yield f"{prefix}{question}{suffix}"


def unique_count(questions: list[str]) -> int:
    """How many requests the stream serves before a wording comes round again."""
    return len(questions) * len(PREFIXES) * len(SUFFIXES)


class RequestStream:
    """Alternating /search and /ask requests over the query stream (the mixed load)."""

    def __init__(self, questions: list[str], k: int = 5) -> None:
        self._queries = variants(questions)
        self._count = 0
        self.k = k

    def next(self) -> tuple[str, dict[str, object]]:
        query = next(self._queries)
        self._count += 1
        if self._count % 2:
            return "/search", {"query": query, "k": self.k}
        return "/ask", {"question": query}

    def take(self, n: int) -> list[str]:
        """The next n wordings, for sequential latency runs."""
        return [next(self._queries) for _ in range(n)]
