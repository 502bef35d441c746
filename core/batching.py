"""Batches for embedding many texts at once: each pads to its own longest text, under a token budget.

A transformer's batch is padded to its longest text, so 12-token sentences batched with 256-token passages
cost as much as passages; and on a CPU a big batch of long texts is slower per token than a small one, because
its attention matrices (rows x heads x length²) no longer fit the cache. Texts sorted by token count and cut
into batches of at most `token_budget` padded tokens avoid both: on the reference machine the toolkit's
125,000 tokens took 53 CPU s in batches of 256 padded tokens against 97 CPU s in batches of 64 texts sorted by
characters (164,000 padded tokens).
"""

from __future__ import annotations

from collections.abc import Sequence

TOKEN_BUDGET = 256
MAX_ROWS = 64
# Queries that arrive together (the server batches concurrent requests) are short and of mixed length. Padded to the
# longest as one batch, 8 to 16 of them cost 7.3 to 10.1 ms each on one thread, more than one at a time (7.3); cut at
# 96 padded tokens, 6.1 and 5.9 (64 and 128 within 0.1 ms, 256 at 7.3 and 6.5). For an ingest's texts the budget
# hardly matters (680 passages and sentences: 7.9 CPU s at 96, 7.6 at 256).
QUERY_TOKEN_BUDGET = 96


def plan_batches(
    token_counts: Sequence[int], token_budget: int = TOKEN_BUDGET, max_rows: int = MAX_ROWS
) -> list[list[int]]:
    """Indices of the texts, longest first, cut into batches whose rows x longest stays within the budget.

    A text longer than the budget gets a batch of its own. Every index appears exactly once.
    """
    order = sorted(range(len(token_counts)), key=lambda i: (-token_counts[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        # Sorted longest first, so the batch's first text sets its padded length.
        if current and (len(current) == max_rows or (len(current) + 1) * token_counts[current[0]] > token_budget):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches
