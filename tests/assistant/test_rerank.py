"""The second stage of retrieval: scores from the signals themselves, not only ranks."""

from __future__ import annotations

import numpy as np

from assistant.params import RetrievalParams
from assistant.rerank import Signals, neighbourhood_density, rerank_scores


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


def test_a_passage_in_a_crowded_neighbourhood_is_discounted() -> None:
    # Three near-identical passages and one on its own: the crowded ones are hubs, close to many questions.
    vectors = np.array([[1.0, 0.0, 0.0], [0.99, 0.14, 0.0], [0.99, 0.0, 0.14], [0.0, 0.0, 1.0]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    density = neighbourhood_density(vectors, neighbours=2)
    assert np.isclose(density.mean(), 0.0) and np.isclose(density.std(), 1.0)
    assert density[3] < min(density[:3])
    params = RetrievalParams(hub_penalty=0.1)
    plain = rerank_scores(_signals(), params)
    crowded = rerank_scores(_signals(density=[density[0], density[3]]), params)
    assert np.allclose(plain - crowded, params.hub_penalty * np.array([density[0], density[3]]))
    assert np.allclose(rerank_scores(_signals(density=[2.0, -1.0]), params.model_copy(update={"hub_penalty": 0.0})), plain)


def test_a_lone_passage_has_no_density() -> None:
    assert neighbourhood_density(np.array([[1.0, 0.0]]), neighbours=10).tolist() == [0.0]
