"""The composition root: every part injectable, the retriever included."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

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


@pytest.mark.parametrize("words", ["combined authority", "combined authorities"])
def test_the_case_study_search_lists_one_about_a_topic_whose_general_pages_come_closer(assistant: Assistant, words: str) -> None:
    """The toolkit's own pages on combined authorities are far closer to 'combined authority' than any case study;
    the Case studies page still lists the case study about being in one."""
    top = assistant.search(words, k=5)
    assert all(hit.passage.case_study is None for hit in top.hits[:1])  # the general pages do come first
    found = [study for study, _ in assistant.find_case_studies(words)]
    assert found
    own = " ".join(p.text for p in assistant.store.passages() if p.case_study == found[0].title).lower()
    assert "combined authorit" in own
