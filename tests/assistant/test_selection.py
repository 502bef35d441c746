"""The answer's sentences scored by weights fitted on the dev split (assistant/selection_weights.json), on the real
toolkit. The questions are written for these tests; none is taken from an evaluation set."""

from __future__ import annotations

import pytest

from assistant.answer import candidates_per_ask
from assistant.composition import FEATURES, fitted_score, load_selection_weights
from core.text import normalise


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("How much money do the Lincolnshire districts save each year from their shared planning team?", "£100k"),
        ("How many councils joined the Kent business rates pool?", "15 principal authorities"),
    ],
)
def test_the_fitted_scorer_ranks_a_sentence_that_gives_the_fact_first(assistant, question: str, fact: str) -> None:  # type: ignore[no-untyped-def]
    understanding, result, ask_results = assistant.searched(question)
    params = assistant.params.model_copy(update={"fitted_selection": True})
    (candidates, *_) = candidates_per_ask(understanding, result, ask_results, assistant.store, params)
    assert normalise(fact) in normalise(candidates[0].render()), [c.text for c in candidates[:3]]
    weights = load_selection_weights()
    assert [c.score for c in candidates] == sorted(
        (fitted_score(c.features, weights) for c in candidates), reverse=True
    )


def test_every_feature_has_a_stored_weight() -> None:
    assert set(load_selection_weights()) == set(FEATURES)
