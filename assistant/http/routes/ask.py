"""Search and ask: the toolkit's passages for a query, and cited answers to a question."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from assistant.http.dependencies import AssistantDep, RateLimited, SettingsDep, log_request
from assistant.http.errors import ERROR_RESPONSES
from assistant.http.schemas import AskRequest, AskResponse, SearchRequest, SearchResponse

router = APIRouter(tags=["assistant"], dependencies=[RateLimited], responses={429: ERROR_RESPONSES[429]})


def _json(model: BaseModel) -> Response:
    """The response serialised in the route's own pool thread. A plain route that returns a model has FastAPI
    validate it again in a second pool thread, one more hand-over per request for the GIL to pass around."""
    return Response(model.model_dump_json(), media_type="application/json")


@router.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, assistant: AssistantDep, settings: SettingsDep) -> Response:
    """The toolkit passages that best match a query, best first."""
    result = assistant.search(body.query, body.k, body.turns(), body.filters.to_core())
    log_request(settings, "search", body.query, k=body.k, passages=len(result.hits))
    return _json(SearchResponse.from_result(result))


@router.post("/ask", response_model=AskResponse)
def ask(body: AskRequest, assistant: AssistantDep, settings: SettingsDep) -> Response:
    """An answer in the toolkit's own words with numbered citations, or an abstention (`answered: false`)."""
    answer = assistant.ask(body.question, body.turns(), body.filters.to_core())
    log_request(settings, "ask", body.question, answered=answer.answered, citations=len(answer.citations))
    return _json(AskResponse.from_answer(answer))
