"""The second stage of retrieval: scores from the signals themselves, not only ranks."""

from __future__ import annotations

import numpy as np

from assistant.params import RetrievalParams
from assistant.rerank import Signals, rerank_scores


def _signals(**overrides: list[float]) -> Signals:
    base = {"dense": [0.5, 0.5], "sentence": [0.5, 0.5], "lexical": [1.0, 1.0], "heading": [0.2, 0.2], "fused_rank": [0, 1]}
    base.update(overrides)
    return Signals(**{name: np.array(values, dtype=float) for name, values in base.items()})


def test_with_equal_signals_the_fused_order_decides() -> None:
    scores = rerank_scores(_signals(), RetrievalParams())
    assert scores[0] > scores[1]


def test_a_passage_one_signal_is_sure_of_overtakes_one_merely_ranked_higher() -> None:
    # The second passage holds a sentence that says what was asked; the first is only a little ahead in the fusion.
    scores = rerank_scores(_signals(sentence=[0.35, 0.75]), RetrievalParams())
    assert scores[1] > scores[0]


def test_lexical_scores_count_relative_to_the_best_candidate() -> None:
    params = RetrievalParams()
    scaled = rerank_scores(_signals(lexical=[10.0, 2.0]), params)
    unit = rerank_scores(_signals(lexical=[1.0, 0.2]), params)
    assert np.allclose(scaled, unit)


def test_without_lexical_matches_nothing_divides_by_zero() -> None:
    assert np.isfinite(rerank_scores(_signals(lexical=[0.0, 0.0]), RetrievalParams())).all()
