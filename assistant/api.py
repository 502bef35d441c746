"""The HTTP API: thin FastAPI routes over one Assistant and the feedback store.

Run it with `localities serve`, or `uvicorn assistant.api:app_from_env --factory`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from assistant.api_errors import ReadableStartupFailure, install_error_handlers
from assistant.config import Settings, get_settings
from assistant.errors import AssistantError
from assistant.feedback import FeedbackStore, open_feedback, to_csv
from assistant.schemas import (
    AskRequest,
    AskResponse,
    CaseStudyOut,
    CaseStudySummary,
    ErrorOut,
    FeedbackCreated,
    FeedbackIn,
    FeedbackOut,
    HealthOut,
    PassageOut,
    SearchRequest,
    SearchResponse,
)
from assistant.service import Assistant, build_assistant, summarise

logger = logging.getLogger("assistant.api")

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "The request is malformed; `detail` says what to fix."},
    503: {"model": ErrorOut, "description": "The index is missing or damaged."},
}


# --- dependencies ---------------------------------------------------------------------------------------------


def _assistant(request: Request) -> Assistant:
    return request.app.state.assistant  # type: ignore[no-any-return]


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _feedback(request: Request) -> FeedbackStore:
    return request.app.state.feedback  # type: ignore[no-any-return]


AssistantDep = Annotated[Assistant, Depends(_assistant)]
SettingsDep = Annotated[Settings, Depends(_settings)]
FeedbackDep = Annotated[FeedbackStore, Depends(_feedback)]


def require_admin(
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))],
    header: Annotated[str | None, Depends(APIKeyHeader(name="X-Admin-Token", auto_error=False))],
) -> None:
    """Admin endpoints: 401 without a token, 403 with a wrong one or when none is configured."""
    if not settings.admin_token:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Feedback export is disabled: set LOCALITIES_ADMIN_TOKEN to enable it."
        )
    given = bearer.credentials if bearer else header
    if not given:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "An admin token is required: send `Authorization: Bearer <token>` or `X-Admin-Token: <token>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not secrets.compare_digest(given.encode(), settings.admin_token.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The admin token is not valid.")


AdminDep = Depends(require_admin)


def _log(settings: Settings, route: str, text: str, **facts: object) -> None:
    """One line per request; the question itself only when the deployment opts in (it may identify people)."""
    summary = " ".join(f"{k}={v}" for k, v in facts.items())
    if settings.log_questions:
        logger.info("%s %s question=%r", route, summary, text)
    else:
        logger.info("%s %s", route, summary)


# --- routes ---------------------------------------------------------------------------------------------------

router = APIRouter(responses={503: _ERRORS[503]})


@router.post("/search", responses={422: _ERRORS[422]}, tags=["assistant"])
def search(body: SearchRequest, assistant: AssistantDep, settings: SettingsDep) -> SearchResponse:
    """The toolkit passages that best match a query, best first."""
    result = assistant.search(body.query, body.k, body.turns(), body.filters.to_core())
    _log(settings, "search", body.query, k=body.k, passages=len(result.hits))
    return SearchResponse.from_result(result)


@router.post("/ask", responses={422: _ERRORS[422]}, tags=["assistant"])
def ask(body: AskRequest, assistant: AssistantDep, settings: SettingsDep) -> AskResponse:
    """An answer in the toolkit's own words with numbered citations, or an abstention (`answered: false`)."""
    answer = assistant.ask(body.question, body.turns(), body.filters.to_core())
    _log(settings, "ask", body.question, answered=answer.answered, citations=len(answer.citations))
    return AskResponse.from_answer(answer)


@router.get("/case-studies", tags=["case studies"])
def case_studies(assistant: AssistantDep) -> list[CaseStudySummary]:
    """Every case study in the toolkit, in the toolkit's order."""
    return [CaseStudySummary.from_case_study(study, summary) for study, summary in assistant.case_studies()]


@router.get("/case-studies/{case_id}", responses={404: {"model": ErrorOut}}, tags=["case studies"])
def case_study(case_id: str, assistant: AssistantDep) -> CaseStudyOut:
    """One case study with its full text and passages."""
    detail = assistant.case_study(case_id)
    summary = CaseStudySummary.from_case_study(detail.case_study, summarise(detail.passages))
    passages = [PassageOut.from_passage(p) for p in detail.passages]
    return CaseStudyOut(**summary.model_dump(), text=detail.text, passages=passages)


@router.get("/health", tags=["service"])
def health(assistant: AssistantDep) -> HealthOut:
    """The index being served: backend, size, model and build time."""
    return HealthOut.model_validate(assistant.health())


@router.post("/feedback", status_code=status.HTTP_201_CREATED, responses={422: _ERRORS[422]}, tags=["feedback"])
def add_feedback(body: FeedbackIn, store: FeedbackDep) -> FeedbackCreated:
    """Record a thumbs up or down on an answer."""
    entry = store.add(
        question=body.question,
        answer=body.answer,
        rating=body.rating,
        reason=body.reason,
        comment=body.comment,
        passage_ids=body.passage_ids,
    )
    return FeedbackCreated(id=entry.id, created_at=entry.created_at)


_ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}}


@router.get("/feedback", dependencies=[AdminDep], responses=_ADMIN_ERRORS, tags=["feedback"])
def list_feedback(
    store: FeedbackDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[FeedbackOut]:
    """Stored feedback, newest first (admin token required)."""
    return [FeedbackOut.from_entry(e) for e in store.entries(limit, offset)]


@router.get(
    "/feedback.csv",
    dependencies=[AdminDep],
    responses={**_ADMIN_ERRORS, 200: {"content": {"text/csv": {}}}},
    response_class=Response,
    tags=["feedback"],
)
def export_feedback(store: FeedbackDep) -> Response:
    """All stored feedback as CSV, oldest first (admin token required)."""
    return Response(
        to_csv(store.entries(newest_first=False)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="feedback.csv"'},
    )


# --- factory --------------------------------------------------------------------------------------------------


def create_app(settings: Settings, assistant: Assistant | None = None) -> FastAPI:
    """The API over `assistant`, or over one built from `settings` when the server starts."""
    failures: list[AssistantError] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            if app.state.assistant is None:
                app.state.assistant = build_assistant(settings)
        except AssistantError as exc:
            failures.append(exc)
            raise
        app.state.feedback = open_feedback(settings)
        try:
            yield
        finally:
            app.state.feedback.close()

    app = FastAPI(
        title="Localities Assistant",
        summary="Search and cited answers over the Transformation in localities toolkit (DCN / Grant Thornton, 2018).",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs",
    )
    app.state.settings = settings
    app.state.assistant = assistant
    app.include_router(router)
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.ui_origin],
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "X-Admin-Token"],
    )
    app.add_middleware(ReadableStartupFailure, failures=failures)
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn import strings (needed for several workers): settings from the environment."""
    return create_app(get_settings())
