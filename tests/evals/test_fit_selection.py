"""Refitting the answer's sentence scorer on the dev questions reproduces the weights the assistant ships."""

from __future__ import annotations

import json

from assistant.composition import SELECTION_WEIGHTS
from evals.fit_selection import SHRINK, chosen_strength, refit


def test_the_refit_reproduces_the_stored_weights(assistant) -> None:  # type: ignore[no-untyped-def]
    stored = json.loads(SELECTION_WEIGHTS.read_text(encoding="utf-8"))
    weights, strength, examples, _ = refit(assistant, stored["shrink"])
    assert stored["shrink"] == SHRINK and strength == stored["C"]
    assert len(examples) == stored["asks"] and sum(len(e.labels) for e in examples) == stored["sentences"]
    # Rounded to three places; a float's last bits may tip one rounding.
    assert weights.keys() == stored["weights"].keys()
    assert all(abs(weights[name] - w) <= 0.0015 for name, w in stored["weights"].items()), (weights, stored["weights"])


def test_a_strength_better_by_less_than_an_ask_does_not_displace_a_more_regularised_one() -> None:
    """Held-out shares an ask apart are a tie, and a tie goes to the more regularised fit."""
    asks = 279
    assert chosen_strength({0.01: 0.438, 0.1: 0.443, 1.0: 0.442, 10.0: 0.442}, asks) == 0.1
    assert chosen_strength({0.01: 0.440, 0.1: 0.443, 1.0: 0.442, 10.0: 0.442}, asks) == 0.01
    assert chosen_strength({0.01: 0.430, 0.1: 0.436, 1.0: 0.443, 10.0: 0.442}, asks) == 1.0
