"""The composition root: every part injectable, the retriever included."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.params import RetrievalParams
from assistant.question import rewrite
from assistant.retrieval import DEFAULT_PARAMS, Encode, Hit, Retriever, SearchResult
from assistant.service import Assistant, build_assistant
from core.models import Filters, Turn
from stores.base import PassageStore


class ReadingOrder:
    """A retriever of our own for the seam: the first k passages of the toolkit, whatever the question."""

    def __init__(self, store: PassageStore, encode: Encode, synonyms: dict[str, str]) -> None:
        self.store, self._encode = store, encode
        self._plain = Retriever(store, encode, synonyms)

    def encode(self, text: str) -> np.ndarray:
        return self._encode(text)

    def resolve_filters(self, filters: Filters | None) -> Filters | None:
        return self._plain.resolve_filters(filters)

    def search(
        self, question: str, params: RetrievalParams = DEFAULT_PARAMS, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> SearchResult:
        passages = self.store.passages()[: params.k]
        query = rewrite(question, history, self._plain.speller, {}, {}, use_spelling=False)
        vector = self.encode(question)
        return SearchResult([Hit(p, 1.0, 1.0, 0.0) for p in passages], query, 1.0, vector)


def test_the_retriever_is_a_seam(settings: Any, assistant: Assistant) -> None:
    swapped = build_assistant(settings, store=assistant.store, encode=assistant.retriever.encode, retriever=ReadingOrder)
    first = [p.id for p in assistant.store.passages()[:3]]
    assert [h.passage.id for h in swapped.search("shared chief executive", k=3).hits] == first
    assert {c.hit.passage.id for c in swapped.ask("What is a locality?").citations} <= set(first)
    assert [h.passage.id for h in assistant.search("shared chief executive", k=3).hits] != first
