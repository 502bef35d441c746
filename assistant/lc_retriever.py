"""The assistant's retriever as a LangChain BaseRetriever, to drop into anyone's LangChain chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.query import Turn
from assistant.retrieval import Filters, Hit


def hit_to_document(hit: Hit) -> Document:
    """A retrieved passage as a LangChain Document: the toolkit's words, with every passage field as metadata."""
    passage = hit.passage
    return Document(
        page_content=passage.text,
        metadata={
            "id": passage.id,
            "source": passage.source,
            "start": passage.start,
            "end": passage.end,
            "chapter": passage.chapter,
            "section": passage.section,
            "case_study": passage.case_study,
            "page": passage.page,
            "footnotes": list(passage.footnotes),
            "score": hit.score,
        },
    )


class LocalitiesRetriever(BaseRetriever):
    """Hybrid search over the toolkit. Example: `LocalitiesRetriever(assistant=build_assistant(settings), k=5)`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any
    k: int = 5
    history: list[Turn] = []
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.assistant.search(query, k=self.k, history=self.history, filters=self.filters)
        return [hit_to_document(hit) for hit in result.hits]
