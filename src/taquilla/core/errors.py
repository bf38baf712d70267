"""Domain errors that carry their HTTP status, and the one handler that renders them.

Envelope (DOMAIN.md "Errors")::

    {"success": false, "error": {"code": "...", "message": "...", "details"?: [...]},
     "code": "...", "message": "...", "requestId": "..."}

(seed 003's nested ``error``, plus ``code``/``message`` at the top level where the
network's front end reads them.)
"""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from taquilla.core.context import current_request_id
from taquilla.core.jsonenc import TaquillaJSONResponse

log = structlog.get_logger(__name__)


class TaquillaError(Exception):
    """Base domain error: ``status`` (HTTP), ``code`` (stable, UPPER_SNAKE) and a message."""

    status: int = 400
    code: str = "BAD_REQUEST"

    def __init__(
        self, message: str, *, code: str | None = None, details: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details
        self.headers = headers  # extra response headers (``Retry-After`` of a 429)


class BadRequest(TaquillaError):
    """400: the input is malformed or out of range."""

    status, code = 400, "BAD_REQUEST"


class Unauthorized(TaquillaError):
    """401: no token, an invalid or an expired one, or wrong credentials."""

    status, code = 401, "UNAUTHORIZED"


class Forbidden(TaquillaError):
    """403: the caller's role or scope does not allow this."""

    status, code = 403, "FORBIDDEN"


class NotFound(TaquillaError):
    """404: the named record does not exist (or is outside the caller's scope)."""

    status, code = 404, "NOT_FOUND"


class Conflict(TaquillaError):
    """409: the request conflicts with the current state (sold out, already settled, in flight)."""

    status, code = 409, "CONFLICT"


class PayloadTooLarge(TaquillaError):
    """413: the body exceeds ``MAX_BODY_BYTES``."""

    status, code = 413, "PAYLOAD_TOO_LARGE"


class Unprocessable(TaquillaError):
    """422: well-formed but semantically refused (e.g. an idempotency key reused with another payload)."""

    status, code = 422, "UNPROCESSABLE"


class AmountTooLarge(BadRequest):
    """400: an amount, count or product of them beyond what can be stored (DOMAIN.md "Errors")."""

    status, code = 400, "AMOUNT_TOO_LARGE"


class TooManyRequests(TaquillaError):
    """429: rate limit exceeded."""

    status, code = 429, "RATE_LIMITED"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The error envelope as a dict, with the current ``requestId``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"success": False, "error": error, "code": code, "message": message, "requestId": current_request_id()}


def error_response(status: int, code: str, message: str, details: Any = None) -> TaquillaJSONResponse:
    """A response carrying the error envelope."""
    return TaquillaJSONResponse(status_code=status, content=error_body(code, message, details))


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        details.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid"), "type": err.get("type")})
    return details


def sqlstate_of(exc: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE of a driver error (raw asyncpg or wrapped by SQLAlchemy), else None."""
    for candidate in (exc, getattr(exc, "orig", None), exc.__cause__):
        state = getattr(candidate, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


def _constraint(exc: BaseException) -> dict[str, str] | None:
    """``{"constraint": name}`` of a driver integrity error, when the driver reports it."""
    for candidate in (exc, getattr(exc, "orig", None), exc.__cause__):
        name = getattr(candidate, "constraint_name", None)
        if isinstance(name, str):
            return {"constraint": name}
    return None


def install_error_handlers(app: FastAPI) -> None:
    """Render every error through the one envelope; unknown exceptions become 500 (never 422)."""

    @app.exception_handler(TaquillaError)
    async def _domain(_: Request, exc: TaquillaError) -> TaquillaJSONResponse:
        response = error_response(exc.status, exc.code, exc.message, exc.details)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> TaquillaJSONResponse:
        details = _validation_details(exc)
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(400, "MALFORMED_JSON", "The request body is not valid JSON.")
        first = details[0] if details else {"field": None, "message": "invalid input"}
        where = f" ({first['field']})" if first.get("field") else ""
        return error_response(400, "VALIDATION_ERROR", f"Invalid input{where}: {first['message']}", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> TaquillaJSONResponse:
        codes = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}
        response = error_response(exc.status_code, codes.get(exc.status_code, "HTTP_ERROR"), str(exc.detail))
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response

    async def _database(_: Request, exc: Exception) -> TaquillaJSONResponse:
        # The session dependency rolled the transaction back: nothing was written.
        state = sqlstate_of(exc)
        if state == "22003":  # numeric_value_out_of_range: a sum beyond BIGINT
            return error_response(400, "AMOUNT_TOO_LARGE", "An amount or a total it adds to is too large to store.")
        if state == "22001":  # string_data_right_truncation: a text longer than its column
            return error_response(400, "VALUE_TOO_LONG", "A value is longer than its field allows.")
        if state in ("22021", "22P05"):  # a NUL or other byte PostgreSQL text cannot hold
            return error_response(400, "INVALID_CHARACTER", "A value holds a character that cannot be stored (U+0000).")
        # Safety nets behind the services' own checks (which name the conflict precisely):
        if state == "23505":  # unique_violation: e.g. a record moved onto a taken slot
            return error_response(409, "CONFLICT", "The change conflicts with an existing record.", _constraint(exc))
        if state == "23503":  # foreign_key_violation: a reference to nothing, or a record still in use
            return error_response(409, "REFERENCE_CONFLICT", "The change refers to a missing record or one still in use.", _constraint(exc))
        log.exception("database_error", error=repr(exc))
        return error_response(500, "INTERNAL_ERROR", "Unexpected server error.")

    app.add_exception_handler(DBAPIError, _database)  # SQLAlchemy-wrapped driver errors
    app.add_exception_handler(asyncpg.PostgresError, _database)  # hand-written SQL on the driver connection

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> TaquillaJSONResponse:
        log.exception("unhandled_error", error=repr(exc))
        return error_response(500, "INTERNAL_ERROR", "Unexpected server error.")
