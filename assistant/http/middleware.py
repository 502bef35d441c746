"""ASGI middleware: a readable startup failure, and a limit on request bodies."""

from __future__ import annotations

from fastapi import status
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import AssistantError


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
