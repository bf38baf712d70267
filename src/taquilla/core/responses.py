"""The envelopes (DOMAIN.md "Envelope" and "Errors"), built by one helper each.

* success: ``{"success": true, "data": …, "requestId": "…"}`` — :func:`ok`;
* list: the same plus ``"meta": {page, pageSize, total, totalPages, hasNextPage,
  hasPrevPage}`` — :func:`ok_page`;
* error: ``{"success": false, "error": {code, message, details?}, "code",
  "message", "requestId"}`` — :func:`taquilla.core.errors.error_body`.

Routes return the :class:`TaquillaJSONResponse` these helpers build, so amounts
(``Decimal``) reach the JSON encoder exactly; ``response_model=Envelope[X]`` /
``ListEnvelope[X]`` on the route documents the shape in OpenAPI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from taquilla.core.context import current_request_id
from taquilla.core.jsonenc import TaquillaJSONResponse
from taquilla.core.pagination import Meta, PageParams

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    """Every successful JSON response: the payload under ``data`` and the ``requestId``."""

    success: bool = True
    data: T
    requestId: str


class ListEnvelope(BaseModel, Generic[T]):
    """A paginated list: ``data`` is the page's rows, ``meta`` the paging block."""

    success: bool = True
    data: list[T]
    meta: Meta
    requestId: str


class ErrorInfo(BaseModel):
    """``error`` of the error envelope."""

    code: str
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    """Every error response (DOMAIN.md "Errors"): nested ``error`` plus top-level ``code``/``message``."""

    success: bool = False
    error: ErrorInfo
    code: str
    message: str
    requestId: str


def envelope(data: Any, meta: Meta | None = None, **extra: Any) -> dict[str, Any]:
    """The success envelope as a dict (``meta`` and seed-specific top-level keys optional)."""
    body: dict[str, Any] = {"success": True, "data": data}
    if meta is not None:
        body["meta"] = meta
    body.update(extra)
    body["requestId"] = current_request_id()
    return body


def ok(data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None) -> TaquillaJSONResponse:
    """``data`` in the success envelope, rendered with exact amounts."""
    return TaquillaJSONResponse(envelope(data), status_code=status, headers=dict(headers or {}))


def ok_page(
    items: Sequence[Any], page: PageParams, total: int, *, headers: Mapping[str, str] | None = None
) -> TaquillaJSONResponse:
    """A list page in the envelope with ``meta``. Raises BadRequest for a page past the end."""
    return TaquillaJSONResponse(envelope(list(items), page.block(total)), headers=dict(headers or {}))


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each listed status documented with the error envelope."""
    return {s: {"model": ErrorEnvelope} for s in statuses}


def created(data: Any, *, headers: Mapping[str, str] | None = None) -> TaquillaJSONResponse:
    """:func:`ok` with status 201 (a create route's answer)."""
    return ok(data, status=201, headers=headers)
