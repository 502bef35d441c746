"""Search and ask: the toolkit's passages for a query, and cited answers to a question."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.http.dependencies import AssistantDep, RateLimited, SettingsDep, log_request
from assistant.http.errors import ERROR_RESPONSES
from assistant.http.schemas import AskRequest, AskResponse, SearchRequest, SearchResponse

router = APIRouter(tags=["assistant"], dependencies=[RateLimited], responses={429: ERROR_RESPONSES[429]})


@router.post("/search")
def search(body: SearchRequest, assistant: AssistantDep, settings: SettingsDep) -> SearchResponse:
    """The toolkit passages that best match a query, best first."""
    result = assistant.search(body.query, body.k, body.turns(), body.filters.to_core())
    log_request(settings, "search", body.query, k=body.k, passages=len(result.hits))
    return SearchResponse.from_result(result)


@router.post("/ask")
def ask(body: AskRequest, assistant: AssistantDep, settings: SettingsDep) -> AskResponse:
    """An answer in the toolkit's own words with numbered citations, or an abstention (`answered: false`)."""
    answer = assistant.ask(body.question, body.turns(), body.filters.to_core())
    log_request(settings, "ask", body.question, answered=answer.answered, citations=len(answer.citations))
    return AskResponse.from_answer(answer)
