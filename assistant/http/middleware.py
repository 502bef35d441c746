"""ASGI middleware: a readable startup failure, and a limit on request bodies."""

from __future__ import annotations

from fastapi import status
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import AssistantError
from core.text import readable_size


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


# Room for the multipart form around an uploaded document (boundaries, headers, the file name).
FORM_OVERHEAD_BYTES = 64 * 1024


class BodyLimit:
    """Refuse request bodies over `max_bytes` with a 413 and a JSON message, without reading them whole.

    A declared Content-Length is refused before anything is read; a body streamed without one is cut off once
    it passes the limit. (FastAPI's own `max_body_size` answers the first case in plain text.) A document upload
    (POST /documents) has its own limit, `uploads`, which the route checks again on the file itself.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, uploads: int | None = None) -> None:
        self.app, self.max_bytes, self.uploads = app, max_bytes, uploads

    def _limit(self, scope: Scope) -> tuple[int, str]:
        if self.uploads is not None and scope.get("method") == "POST" and scope.get("path") == "/documents":
            limit = readable_size(self.uploads)
            return self.uploads + FORM_OVERHEAD_BYTES, f"The document is too large: documents may be at most {limit}."
        return self.max_bytes, f"The request body is too large: the limit is {self.max_bytes:,} bytes."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes, detail = self._limit(scope)
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            await JSONResponse({"detail": detail}, status_code=status.HTTP_413_CONTENT_TOO_LARGE)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > max_bytes:
                # Raised inside the route's body read, so the app's HTTPException handler answers it.
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail)
            return message

        await self.app(scope, limited, send)
