"""Refitting the answer's sentence scorer on the dev questions reproduces the weights the assistant ships."""

from __future__ import annotations

import json

from assistant.composition import SELECTION_WEIGHTS
from evals.fit_selection import SHRINK, STRENGTH, refit


def test_the_refit_reproduces_the_stored_weights(assistant) -> None:  # type: ignore[no-untyped-def]
    stored = json.loads(SELECTION_WEIGHTS.read_text(encoding="utf-8"))
    weights, examples = refit(assistant, stored["shrink"])
    assert stored["shrink"] == SHRINK and stored["C"] == STRENGTH
    assert len(examples) == stored["asks"] and sum(len(e.labels) for e in examples) == stored["sentences"]
    # Rounded to three places; a float's last bits may tip one rounding.
    assert weights.keys() == stored["weights"].keys()
    assert all(abs(weights[name] - w) <= 0.0015 for name, w in stored["weights"].items()), (weights, stored["weights"])
