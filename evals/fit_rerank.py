"""Refit the second stage's weights (`RetrievalParams.rerank_*`) on both sets' dev splits.

    python -m evals.fit_rerank [--split dev]

Every candidate the second stage scores for a dev question is one example, relevant when it holds the
question's evidence; a logistic regression over the five signals gives the weights, scaled so the lexical one
is 1 and rounded. It prints them and found@5 on each set with them, beside the current defaults. Fit on dev,
then judge on test (`localities eval --split test`): never fit on the test split.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
from rich.console import Console
from sklearn.linear_model import LogisticRegression

from assistant.params import RetrievalParams
from assistant.rerank import Signals, rerank_scores
from assistant.service import Assistant, build_assistant
from assistant.settings import get_settings
from core.models import Turn
from evals.dataset import Question, is_relevant, load_questions, resolve_sets

SIGNALS = ("dense", "sentence", "lexical", "heading", "fused")
Example = tuple[Question, list[str], Signals, list[str]]  # question, candidate ids, their signals, their texts


def _features(signals: Signals, params: RetrievalParams) -> np.ndarray:
    """The columns `rerank_scores` weighs, one per signal (so a unit weight vector reproduces each term)."""
    columns = []
    for name in SIGNALS:
        unit = params.model_copy(update={f"rerank_{n}": float(n == name) for n in SIGNALS})
        columns.append(rerank_scores(signals, unit))
    return np.column_stack(columns)


def collect(assistant: Assistant, questions: Sequence[Question]) -> list[Example]:
    examples = []
    for question in questions:
        history = [Turn(t["role"], t["content"]) for t in question.history]
        result = assistant.retriever.search(question.question, assistant.params, history)
        if result.rescored:
            ids, signals = result.rescored
            examples.append((question, ids, signals, [assistant.store.passage(i).text for i in ids]))
    return examples


def found_at_5(examples: list[Example], params: RetrievalParams) -> float:
    found = []
    for question, _, signals, texts in examples:
        top = [texts[j] for j in np.argsort(-rerank_scores(signals, params))[:5]]
        found.append(all(any(is_relevant(t, evidence) for t in top) for evidence, _ in question.asks()))
    return float(np.mean(found)) if found else 0.0


def fit(examples: list[Example], params: RetrievalParams) -> dict[str, float]:
    features = np.vstack([_features(signals, params) for _, _, signals, _ in examples])
    labels = np.concatenate([[is_relevant(t, q.evidence) for t in texts] for q, _, _, texts in examples])
    weights = LogisticRegression(C=1.0, max_iter=2000).fit(features, labels).coef_[0]
    scaled = weights / weights[SIGNALS.index("lexical")]
    return {f"rerank_{name}": round(float(max(w, 0.0)), 2) for name, w in zip(SIGNALS, scaled)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev"], help="only dev: the test split is for judging")
    args = parser.parse_args()
    console = Console()
    assistant = build_assistant(get_settings())
    by_set = {
        name: collect(assistant, [q for q in load_questions(path, args.split) if q.answerable])
        for name, path in resolve_sets("all").items()
    }
    weights = fit([e for examples in by_set.values() for e in examples], assistant.params)
    console.print("fitted:", weights)
    fitted = assistant.params.model_copy(update=weights)
    for name, examples in by_set.items():
        console.print(
            f"{name} {args.split}: found@5 {found_at_5(examples, assistant.params):.3f} with the defaults, "
            f"{found_at_5(examples, fitted):.3f} with the fitted weights"
        )


if __name__ == "__main__":
    main()
