"""What routes are given: the assistant (opened on first use if the lifespan did not run), settings, the
feedback store, the corpus follower, the re-indexer, the evaluator, the rate limit and the admin check."""

from __future__ import annotations

import logging
import secrets
import threading
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from assistant.feedback import FeedbackStore, open_feedback
from assistant.http.evaluation import Evaluator
from assistant.http.ratelimit import retry_after_header
from assistant.http.reindex import Reindexer
from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from stores.backends import follower, open_store
from stores.base import Follower

logger = logging.getLogger("assistant.api")
_START_LOCK = threading.Lock()


def start_serving(app: FastAPI) -> Assistant:
    """Open the store (unless an assistant was given) and attach its follower; once per app.

    Runs at startup, or on the first request when the server skipped the lifespan (a mounted app,
    `--lifespan off`): then a missing or damaged index is a 503 with its message, not a crash.
    """
    with _START_LOCK:
        state, settings = app.state, app.state.settings
        if state.assistant is None:
            store = open_store(settings.index_dir, settings.database_url, verify=True)
            state.assistant = build_assistant(settings, store=store)
        if state.follower is None:
            state.follower = follower(state.assistant, settings.index_dir)
            state.reindexer = Reindexer(settings, state.follower)
        return state.assistant


# The dependencies of every search and question are coroutines: FastAPI runs a plain function in its thread pool,
# and three hand-overs to a pool thread and back per request were a sixth of what held the GIL under load. They
# only read app.state (the rate limit takes a lock for microseconds); anything slow goes to the pool as before.
async def _assistant(request: Request) -> Assistant:
    if request.app.state.follower is None:
        return await run_in_threadpool(start_serving, request.app)
    return request.app.state.assistant


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _feedback(request: Request) -> FeedbackStore:
    if request.app.state.feedback is None:
        with _START_LOCK:
            if request.app.state.feedback is None:
                request.app.state.feedback = open_feedback(request.app.state.settings)
    return request.app.state.feedback


def _follower(request: Request) -> Follower:
    if request.app.state.follower is None:
        start_serving(request.app)
    return request.app.state.follower


def _reindexer(request: Request) -> Reindexer:
    if request.app.state.reindexer is None:
        start_serving(request.app)
    return request.app.state.reindexer


def _evaluator(request: Request) -> Evaluator:
    return request.app.state.evaluator


async def _rate_limited(request: Request, settings: Annotated[Settings, Depends(_settings)]) -> None:
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
FollowerDep = Annotated[Follower, Depends(_follower)]
ReindexerDep = Annotated[Reindexer, Depends(_reindexer)]
EvaluatorDep = Annotated[Evaluator, Depends(_evaluator)]
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
            "Admin endpoints (feedback export, documents, re-index, evaluation) are disabled: set LOCALITIES_ADMIN_TOKEN to enable them.",
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


def log_request(settings: Settings, route: str, text: str, **facts: object) -> None:
    """One line per request; the question itself only when the deployment opts in (it may identify people)."""
    summary = " ".join(f"{k}={v}" for k, v in facts.items())
    if settings.log_questions:
        logger.info("%s %s question=%r", route, summary, text)
    else:
        logger.info("%s %s", route, summary)


ResponsesDoc = dict[int | str, dict[str, Any]]
