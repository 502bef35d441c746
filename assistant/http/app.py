"""The HTTP API: thin FastAPI routes over one Assistant and the feedback store.

Run it with `localities serve`, or `uvicorn assistant.http.app:app_from_env --factory`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from assistant.feedback import open_feedback
from assistant.http.dependencies import start_serving
from assistant.http.errors import ERROR_RESPONSES, install_error_handlers
from assistant.http.evaluation import Evaluator
from assistant.http.middleware import BodyLimit, ReadableStartupFailure
from assistant.http.ratelimit import RateLimiter
from assistant.http.routes import admin, ask, case_studies, documents, evaluation, feedback, health, passages
from assistant.service import Assistant
from assistant.settings import Settings, get_settings
from core.errors import AssistantError

# 50 history turns of 20,000 characters fit even \u-escaped; anything larger is refused before it is read whole.
MAX_BODY_BYTES = 8 * 1024 * 1024
# On every route but the passage browser: 413 (body limit), 422 (our handler's body replaces FastAPI's default
# schema) and 503 (index).
_SHARED: dict[int | str, dict[str, Any]] = {code: ERROR_RESPONSES[code] for code in (413, 422, 503)}


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
        # Only a server follows the corpus (a new build, or a new version in the shared database).
        app.state.follower.start(settings.index_poll_s)
        try:
            yield
        finally:
            app.state.evaluator.stop()
            app.state.follower.stop()
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
    app.state.follower = app.state.reindexer = app.state.feedback = None
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.evaluator = Evaluator(settings)
    for routes in (ask, case_studies, health, feedback, admin, documents, evaluation):
        app.include_router(routes.router, responses=_SHARED)
    app.include_router(passages.router)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES, uploads=settings.max_document_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.ui_origin],
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Admin-Token"],
        expose_headers=["Retry-After"],
    )
    app.add_middleware(ReadableStartupFailure, failures=failures)
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn import strings (needed for several workers): settings from the environment."""
    return create_app(get_settings())
