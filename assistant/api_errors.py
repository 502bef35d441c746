"""Error translation at the HTTP edge: assistant errors and validation errors become specific, readable 4xx/503s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import AssistantError, IndexCorrupt, IndexNotBuilt, NotFound, UnknownFilter

_STATUS: tuple[tuple[type[AssistantError], int], ...] = (
    (IndexNotBuilt, status.HTTP_503_SERVICE_UNAVAILABLE),
    (IndexCorrupt, status.HTTP_503_SERVICE_UNAVAILABLE),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (UnknownFilter, status.HTTP_422_UNPROCESSABLE_CONTENT),
)


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
            message = (
                f"The request body is not valid JSON ({reason})." if reason else "The request body is not valid JSON."
            )
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


class ReadableStartupFailure:
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
                message = {**message, "message": " ".join(str(self.failures[-1]).split())}
            await send(message)

        await self.app(scope, receive, send_readable)


class BodyLimit:
    """Refuse request bodies over `max_bytes` with a 413 and a JSON message, without reading them whole.

    A declared Content-Length is refused before anything is read; a body streamed without one is cut off once
    it passes the limit. (FastAPI's own `max_body_size` answers the first case in plain text.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"The request body is too large: the limit is {self.max_bytes:,} bytes."
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            await JSONResponse({"detail": detail}, status_code=status.HTTP_413_CONTENT_TOO_LARGE)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # Raised inside the route's body read, so the app's HTTPException handler answers it.
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail)
            return message

        await self.app(scope, limited, send)


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


# Why a body could not be parsed, for the errors FastAPI reports as a bare "400 error parsing the body".
_UNPARSABLE: tuple[tuple[type[Exception], str], ...] = (
    (UnicodeDecodeError, "it is not UTF-8 text"),
    (RecursionError, "it is nested too deeply"),
)


async def _http_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, HTTPException)
    reason = next((why for kind, why in _UNPARSABLE if isinstance(exc.__cause__, kind)), None)
    if exc.status_code == status.HTTP_400_BAD_REQUEST and reason:
        # Malformed JSON like any other, so the same 422 and the same kind of message.
        message = f"The request body is not valid JSON ({reason})."
        return JSONResponse(
            {"detail": message, "errors": [{"field": "", "message": message}]},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return await http_exception_handler(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    """Translate assistant and validation errors once, for every route."""
    app.add_exception_handler(AssistantError, _assistant_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
