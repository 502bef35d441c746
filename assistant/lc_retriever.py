"""The assistant's retriever as a LangChain BaseRetriever, to drop into anyone's LangChain chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.retrieval import Hit
from core.models import Filters, Turn


def hit_to_document(hit: Hit) -> Document:
    """A retrieved passage as a LangChain Document: the toolkit's words, with every passage field as metadata."""
    fields = hit.passage.to_json()
    text = str(fields.pop("text"))
    return Document(page_content=text, metadata={**fields, "score": hit.score})


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
