"""Token-budget batches: every text once, longest first, no batch padded past its budget."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.batching import plan_batches


@given(
    st.lists(st.integers(min_value=1, max_value=300), max_size=200),
    st.integers(min_value=1, max_value=1024),
    st.integers(min_value=1, max_value=64),
)
def test_every_text_is_in_one_batch_and_no_batch_pads_past_its_budget(counts: list[int], budget: int, rows: int) -> None:
    batches = plan_batches(counts, budget, rows)
    assert sorted(i for batch in batches for i in batch) == list(range(len(counts)))
    for batch in batches:
        padded = len(batch) * max(counts[i] for i in batch)
        assert len(batch) <= rows
        assert padded <= budget or len(batch) == 1, "only a text longer than the budget may exceed it, alone"


def test_texts_go_longest_first_so_each_batch_pads_to_about_its_own_length() -> None:
    counts = [12, 250, 14, 240, 13, 11]
    batches = plan_batches(counts, token_budget=500, max_rows=64)
    assert batches == [[1, 3], [2, 4, 0, 5]]
    assert [max(counts[i] for i in b) for b in batches] == [250, 14]
