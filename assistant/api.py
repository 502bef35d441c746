"""The HTTP API: thin FastAPI routes over one Assistant and the feedback store.

Run it with `localities serve`, or `uvicorn assistant.api:app_from_env --factory`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.config import Settings, get_settings
from assistant.errors import AssistantError, IndexCorrupt, IndexNotBuilt, NotFound, UnknownFilter
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

_STATUS: tuple[tuple[type[AssistantError], int], ...] = (
    (IndexNotBuilt, status.HTTP_503_SERVICE_UNAVAILABLE),
    (IndexCorrupt, status.HTTP_503_SERVICE_UNAVAILABLE),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (UnknownFilter, status.HTTP_422_UNPROCESSABLE_CONTENT),
)
_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "The request is malformed; `detail` says what to fix."},
    503: {"model": ErrorOut, "description": "The index is missing or damaged."},
}


def status_for(exc: AssistantError) -> int:
    """The HTTP status an assistant error maps to (400 for any error without a specific one)."""
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), status.HTTP_400_BAD_REQUEST)


def _field(loc: Sequence[int | str]) -> str:
    """('body', 'history', 0, 'role') → 'history[0].role'."""
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def describe_validation_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    """pydantic's error list as {field, message} pairs whose messages read as sentences."""
    described = []
    for error in errors:
        field, kind, msg = _field(error.get("loc", ())), error.get("type", ""), str(error.get("msg", "is invalid"))
        if kind == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            message = f"The request body is not valid JSON ({reason})." if reason else "The request body is not valid JSON."
            field = ""
        elif kind == "missing" and not field:
            message = "The request body is missing; send a JSON object."
        elif not field and kind in ("model_attributes_type", "model_type", "dict_type"):
            message = "The request body must be a JSON object sent with `Content-Type: application/json`."
        elif kind == "value_error":
            message = msg.removeprefix("Value error, ")
            message = message if message.startswith(field) else f"{field}: {message}"
        elif kind == "extra_forbidden":
            message = f"{field} is not a known field."
        else:
            message = f"{field}: {msg}" if field else msg
        described.append({"field": field, "message": message})
    return described


class _ReadableStartupFailure:
    """Startup failing for a known reason reports its one-line message, not a traceback.

    uvicorn logs whatever text a failed lifespan sends, and Starlette sends the formatted traceback.
    """

    def __init__(self, app: ASGIApp, failures: list[AssistantError]) -> None:
        self.app, self.failures = app, failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_readable(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed" and self.failures:
                message = {**message, "message": str(self.failures[-1])}
            await send(message)

        await self.app(scope, receive, send_readable)


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
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Feedback export is disabled: set LOCALITIES_ADMIN_TOKEN to enable it.")
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


# --- error translation ----------------------------------------------------------------------------------------


async def _assistant_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AssistantError)
    body: dict[str, object] = {"detail": str(exc)}
    if isinstance(exc, UnknownFilter):
        body["valid_values"] = exc.valid
    return JSONResponse(body, status_code=status_for(exc))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = describe_validation_errors(exc.errors())
    detail = "; ".join(e["message"] for e in errors) or "The request is not valid."
    return JSONResponse({"detail": detail, "errors": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


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
    app.add_exception_handler(AssistantError, _assistant_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.ui_origin],
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "X-Admin-Token"],
    )
    app.add_middleware(_ReadableStartupFailure, failures=failures)
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn import strings (needed for several workers): settings from the environment."""
    return create_app(get_settings())
