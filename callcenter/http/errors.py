"""Every error of the API is JSON: `{"error": <code>, "reason": <sentence>, "fields": [...]}`.

Bad input names each field (`body.reason`, `query.limit`) and what was expected; nothing
reaches a client as a traceback. The bodies are `ErrorBody`, declared in the OpenAPI document
for every status an operation can answer with.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class FieldProblem(BaseModel):
    path: str  # where: `body.reason`, `query.limit`, `path.agent_id`
    expected: str  # what was wrong, and what was expected


class ErrorBody(BaseModel):
    error: str  # a short code: unauthorized, forbidden, not_found, conflict, invalid, ...
    reason: str  # one sentence for a person
    fields: list[FieldProblem] = []


class ApiError(Exception):
    """Raised by handlers; becomes an `ErrorBody` response."""

    def __init__(self, status: int, error: str, reason: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.error = error
        self.reason = reason
        self.headers = headers or {}


def unauthorized(reason: str) -> ApiError:
    return ApiError(401, "unauthorized", reason)


def forbidden(reason: str) -> ApiError:
    return ApiError(403, "forbidden", reason)


def not_found(reason: str) -> ApiError:
    return ApiError(404, "not_found", reason)


def conflict(reason: str) -> ApiError:
    """The engine refused the command in the state it is in (`CommandRefused`)."""
    return ApiError(409, "conflict", reason)


def invalid(reason: str, path: str = "") -> ApiError:
    return ApiError(422, "invalid", reason)


def _doc(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _doc("Not logged in, session expired or logged out, token unknown or revoked"),
    403: _doc("The permission table refuses it (audited), or a missing CSRF token"),
    404: _doc("No such agent, queue, call, customer or recording"),
    409: _doc("The engine refused the command in the state it is in"),
    413: _doc("The body is larger than 256 KiB"),
    422: _doc("A parameter or the body is not valid: each field and what was expected"),
    429: _doc("Too many failed logins: try again after Retry-After seconds"),
}
"""The error statuses every operation declares."""


def _path(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for item in loc:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else str(item))
    return out


def _body(status: int, error: str, reason: str,
          fields: list[FieldProblem] | None = None,
          headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(error=error, reason=reason, fields=fields or [])
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _body(exc.status, exc.error, exc.reason, headers=exc.headers)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [FieldProblem(path=_path(e.get("loc", ())), expected=str(e.get("msg", ""))[:300])
              for e in exc.errors()]
    where = ", ".join(f.path for f in fields[:5]) or "the request"
    return _body(422, "invalid", f"invalid input in {where}", fields)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # FastAPI's "error parsing the body": not UTF-8, not JSON
        return _body(422, "invalid", "the body is not JSON",
                     [FieldProblem(path="body", expected="a JSON document in UTF-8")])
    codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    reason = exc.detail if isinstance(exc.detail, str) else "request refused"
    if exc.status_code == 404:
        reason = f"no such path: {request.url.path[:200]}"
    return _body(exc.status_code, codes.get(exc.status_code, "error"), reason,
                 headers=dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("API %s %s failed: %s", request.method, request.url.path, type(exc).__name__,
              exc_info=exc)
    return _body(500, "internal", "the engine could not answer this request; see its log")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
