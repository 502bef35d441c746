"""The HTTP API: thin FastAPI routes over one Assistant and the feedback store.

Run it with `localities serve`, or `uvicorn assistant.api:app_from_env --factory`.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from assistant.api_browse import router as browse_router
from assistant.api_errors import BodyLimit, ReadableStartupFailure, install_error_handlers
from assistant.config import Settings, get_settings
from assistant.errors import AssistantError
from assistant.feedback import FeedbackStore, open_feedback, to_csv
from assistant.index_watch import IndexWatcher, Reindexer, open_build
from assistant.ratelimit import RateLimiter, retry_after_header
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
    ReindexOut,
    SearchRequest,
    SearchResponse,
)
from assistant.service import Assistant, build_assistant, summarise, uses_postgres

logger = logging.getLogger("assistant.api")

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "The request is malformed; `detail` says what to fix."},
    503: {"model": ErrorOut, "description": "The index is missing or damaged."},
    429: {"model": ErrorOut, "description": "Too many requests from this client; see the Retry-After header."},
    413: {"model": ErrorOut, "description": "The request body is over the size limit."},
}
_START_LOCK = threading.Lock()
# 50 history turns of 20,000 characters fit even \u-escaped; anything larger is refused before it is read whole.
MAX_BODY_BYTES = 8 * 1024 * 1024


# --- dependencies ---------------------------------------------------------------------------------------------


def start_serving(app: FastAPI) -> Assistant:
    """Open the index (unless an assistant was given) and attach its watcher; once per app.

    Runs at startup, or on the first request when the server skipped the lifespan (a mounted app,
    `--lifespan off`): then a missing or damaged index is a 503 with its message, not a crash.
    """
    with _START_LOCK:
        state, settings = app.state, app.state.settings
        if state.assistant is None:
            # PostgreSQL deployments: build_assistant opens the database (LOCALITIES_DATABASE_URL).
            store = None if uses_postgres(settings) else open_build(settings.index_dir)
            state.assistant = build_assistant(settings, store=store)
        if state.watcher is None:
            state.watcher = IndexWatcher(state.assistant, settings.index_dir)
            state.reindexer = Reindexer(settings, state.watcher)
        return state.assistant  # type: ignore[no-any-return]


def _assistant(request: Request) -> Assistant:
    if request.app.state.watcher is None:
        return start_serving(request.app)
    return request.app.state.assistant  # type: ignore[no-any-return]


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _feedback(request: Request) -> FeedbackStore:
    if request.app.state.feedback is None:
        with _START_LOCK:
            if request.app.state.feedback is None:
                request.app.state.feedback = open_feedback(request.app.state.settings)
    return request.app.state.feedback  # type: ignore[no-any-return]


def _watcher(request: Request) -> IndexWatcher:
    if request.app.state.watcher is None:
        start_serving(request.app)
    return request.app.state.watcher  # type: ignore[no-any-return]


def _reindexer(request: Request) -> Reindexer:
    if request.app.state.reindexer is None:
        start_serving(request.app)
    return request.app.state.reindexer  # type: ignore[no-any-return]


def _rate_limited(request: Request, settings: Annotated[Settings, Depends(_settings)]) -> None:
    """429 once a client (by address) has used up its `rate_limit_per_minute` searches and questions."""
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.limiter.take(client)
    if wait:
        retry = retry_after_header(wait)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Too many requests: each client may send {settings.rate_limit_per_minute} searches and questions "
            f"a minute. Try again in {retry} s.",
            headers={"Retry-After": retry},
        )


AssistantDep = Annotated[Assistant, Depends(_assistant)]
SettingsDep = Annotated[Settings, Depends(_settings)]
FeedbackDep = Annotated[FeedbackStore, Depends(_feedback)]
WatcherDep = Annotated[IndexWatcher, Depends(_watcher)]
ReindexerDep = Annotated[Reindexer, Depends(_reindexer)]
RateLimited = Depends(_rate_limited)


def require_admin(
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))],
    header: Annotated[str | None, Depends(APIKeyHeader(name="X-Admin-Token", auto_error=False))],
) -> None:
    """Admin endpoints: 401 without a token, 403 with a wrong one or when none is configured."""
    if not settings.admin_token:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Admin endpoints (feedback export, re-index) are disabled: set LOCALITIES_ADMIN_TOKEN to enable them.",
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

# On every route: 413 (body limit), 422 (our handler's body replaces FastAPI's default schema) and 503 (index).
router = APIRouter(responses={413: _ERRORS[413], 422: _ERRORS[422], 503: _ERRORS[503]})
_LIMITED: dict[int | str, dict[str, Any]] = {429: _ERRORS[429]}


@router.post("/search", dependencies=[RateLimited], responses=_LIMITED, tags=["assistant"])
def search(body: SearchRequest, assistant: AssistantDep, settings: SettingsDep) -> SearchResponse:
    """The toolkit passages that best match a query, best first."""
    result = assistant.search(body.query, body.k, body.turns(), body.filters.to_core())
    _log(settings, "search", body.query, k=body.k, passages=len(result.hits))
    return SearchResponse.from_result(result)


@router.post("/ask", dependencies=[RateLimited], responses=_LIMITED, tags=["assistant"])
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
def health(assistant: AssistantDep, watcher: WatcherDep) -> HealthOut:
    """The index being served: backend, size, model, build and build time; 'degraded' if a newer build is bad."""
    served = watcher.served_build()
    return HealthOut.model_validate(
        {
            **assistant.health(),
            **({"status": "degraded", "index_error": watcher.error} if watcher.error else {}),
            "build": served.name if served else None,
        }
    )


@router.post("/feedback", status_code=status.HTTP_201_CREATED, tags=["feedback"])
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
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
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


@router.post(
    "/admin/reindex",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[AdminDep],
    responses={**_ADMIN_ERRORS, 409: {"model": ErrorOut}},
    tags=["admin"],
)
def reindex(reindexer: ReindexerDep, force: bool = False) -> ReindexOut:
    """Re-ingest the corpus folder in the background and serve the new build once it is published (admin token).

    Requests keep being answered from the current build until the swap. `force` rebuilds an unchanged corpus.
    """
    if not reindexer.start(force=force):
        started = ReindexOut.from_status(reindexer.status).started_at
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"A re-index is already running (started {started}); GET /admin/reindex follows it.",
        )
    return ReindexOut.from_status(reindexer.status)


@router.get("/admin/reindex", dependencies=[AdminDep], responses=_ADMIN_ERRORS, tags=["admin"])
def reindex_status(reindexer: ReindexerDep) -> ReindexOut:
    """The latest re-index run of the worker that answers (admin token required)."""
    return ReindexOut.from_status(reindexer.status)


# --- factory --------------------------------------------------------------------------------------------------


def create_app(settings: Settings, assistant: Assistant | None = None) -> FastAPI:
    """The API over `assistant`, or over one built from `settings` when the server starts."""
    failures: list[AssistantError] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            start_serving(app)
        except AssistantError as exc:
            failures.append(exc)
            raise
        app.state.feedback = open_feedback(settings)
        app.state.watcher.start(settings.index_poll_s)
        try:
            yield
        finally:
            app.state.watcher.stop()
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
    app.state.watcher = app.state.reindexer = app.state.feedback = None
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.include_router(router)
    app.include_router(browse_router)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.ui_origin],
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "X-Admin-Token"],
        expose_headers=["Retry-After"],
    )
    app.add_middleware(ReadableStartupFailure, failures=failures)
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn import strings (needed for several workers): settings from the environment."""
    return create_app(get_settings())
