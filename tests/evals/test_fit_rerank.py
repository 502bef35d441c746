"""Refitting the second stage's weights on dev questions, with the real assistant."""

from __future__ import annotations

from evals.dataset import load_questions, resolve_sets
from evals.fit_rerank import SIGNALS, collect, fit, found_at_5


def test_refitting_gives_one_weight_per_signal_and_scores_with_them(assistant) -> None:  # type: ignore[no-untyped-def]
    questions = [q for q in load_questions(resolve_sets("curated")["curated"], "dev") if q.answerable][:25]
    examples = collect(assistant, questions)
    assert len(examples) == len(questions)
    weights = fit(examples, assistant.params)
    assert set(weights) == {f"rerank_{name}" for name in SIGNALS}
    assert weights["rerank_lexical"] == 1.0 and all(w >= 0 for w in weights.values())
    fitted = assistant.params.model_copy(update=weights)
    # Fitted on these very questions, the weights can't do much worse here than the shipped ones.
    assert found_at_5(examples, fitted) >= found_at_5(examples, assistant.params) - 0.1
