"""How close a question is to many candidates' sentences, in a few array operations.

The second stage (assistant/rerank.py) needs, for about fifty candidates per question, the cosine of each one's
closest sentence. Gathered passage by passage in Python (a list of rows, then a maximum, per candidate) it was
a sixth of a warm /search; here each passage's sentence rows are read once per store, and a question's cosines
are one gather, one product and one segmented maximum.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from stores.base import PassageStore

_NO_SENTENCE = -1.0  # a passage without sentences is never the closest by its sentences


class Closeness:
    """Best-sentence cosines for candidate passages of one store."""

    def __init__(self, store: PassageStore) -> None:
        self.store = store
        self._rows = {
            p.id: np.array([s.row for s in store.sentences_of(p.id)], dtype=np.int64) for p in store.passages()
        }

    def best_sentence(self, ids: Sequence[str], vector: np.ndarray) -> np.ndarray:
        """Per passage, the cosine of its closest sentence to `vector` (-1 for a passage without sentences)."""
        rows = [self._rows[i] for i in ids]
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        best = np.full(len(ids), _NO_SENTENCE)
        if not lengths.sum():
            return best
        flat = np.concatenate(rows)
        closeness = self.store.sentence_vectors(flat.tolist()) @ vector
        has = lengths > 0
        # Starts of the non-empty passages only: consecutive starts then bound each passage's own rows.
        best[has] = np.maximum.reduceat(closeness, (np.cumsum(lengths) - lengths)[has])
        return best
