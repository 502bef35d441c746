"""The second stage of retrieval: the fused candidates scored on how close each signal puts them, not only on
their ranks, so a passage one signal is sure of is not outvoted by lists that merely include it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.params import RetrievalParams
from core.stats import standardised


@dataclass(frozen=True)
class Signals:
    """Per candidate passage (aligned arrays): what each way of matching says about it."""

    dense: np.ndarray  # cosine of the question to the passage
    sentence: np.ndarray  # cosine of the question to the passage's closest sentence
    lexical: np.ndarray  # BM25 score over the best candidate's (0..1)
    heading: np.ndarray  # cosine of the question to the passage's case study, section or chapter name
    fused_rank: np.ndarray  # 0-based rank in the reciprocal-rank fusion (beyond the list: its length)
    # How crowded the passage's neighbourhood is (`neighbourhood_density`), in standard deviations from the index's
    # mean; 0 where not given.
    density: np.ndarray | None = None
    # Cosine of the question to the closest question written for the passage (`assistant.passage_questions`); None
    # where the store has none.
    asked: np.ndarray | None = None


def rerank_scores(signals: Signals, params: RetrievalParams) -> np.ndarray:
    """One score per candidate: a weighted sum of the signals, with the fused rank as a reciprocal-rank term.

    The weights were fitted on both dev splits' relevance labels (logistic regression over these five signals,
    then rounded): see evals/README.md for how to refit them.
    """
    top = float(signals.lexical.max()) if len(signals.lexical) else 0.0
    lexical = signals.lexical / top if top > 0 else signals.lexical
    fused = params.rrf_k / (params.rrf_k + signals.fused_rank + 1)
    score = (
        params.rerank_dense * signals.dense
        + params.rerank_sentence * signals.sentence
        + params.rerank_lexical * lexical
        + params.rerank_heading * signals.heading
        + params.rerank_fused * fused
    )
    if signals.asked is not None:
        score = score + params.rerank_asked * signals.asked
    if signals.density is not None and params.hub_penalty:
        score = score - params.hub_penalty * signals.density
    return score


def neighbourhood_density(vectors: np.ndarray, neighbours: int) -> np.ndarray:
    """Per passage (rows of unit `vectors`), the mean cosine to its `neighbours` closest other passages, in standard
    deviations from the mean over all passages.

    A passage in a crowded neighbourhood is a hub: close to many questions for saying a little about many things
    (the foreword's signature line, 'Retaining local accountability is important'), it topped questions it does not
    answer. The second stage subtracts `RetrievalParams.hub_penalty` times this, as cross-domain similarity local
    scaling discounts a point by its neighbours' closeness.
    """
    count = len(vectors)
    if count < 2:
        return np.zeros(count)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    k = min(neighbours, count - 1)
    closest = -np.sort(-similarity, axis=1)[:, :k]
    return standardised(closest.mean(axis=1))
