"""Error translation at the HTTP edge: assistant errors and validation errors become specific, readable 4xx/503s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from assistant.http.schemas import ErrorOut
from core.errors import AssistantError, IndexCorrupt, IndexNotBuilt, NotFound, UnknownFilter

# How the OpenAPI document describes the error answers routes share.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "The request is malformed; `detail` says what to fix."},
    503: {"model": ErrorOut, "description": "The index is missing or damaged."},
    429: {"model": ErrorOut, "description": "Too many requests from this client; see the Retry-After header."},
    413: {"model": ErrorOut, "description": "The request body is over the size limit."},
}
ADMIN_RESPONSES: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}}

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


def _not_an_object(body: object) -> str:
    """Why a body that is not a JSON object was refused: JSON of another shape, or something that is not JSON."""
    shapes = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false"}
    shape = next((name for kind, name in shapes.items() if type(body) is kind), None)
    if body is None or shape is None or isinstance(body, (bytes, bytearray)):
        return "The request body must be a JSON object sent with `Content-Type: application/json`."
    return f"The request body must be a JSON object ({{…}} with named fields), not {shape}."


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
            message = _not_an_object(error.get("input"))
        elif kind == "value_error":
            message = msg.removeprefix("Value error, ")
            message = message if message.startswith(field) else f"{field}: {message}"
        elif kind == "extra_forbidden":
            message = f"{field} is not a known field."
        else:
            message = f"{field}: {msg}" if field else msg
        described.append({"field": field, "message": message})
    return described


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
