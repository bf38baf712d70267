"""The success envelope: ``{"success": true, "data": …, "requestId": "…"}``."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from taquilla.core.context import current_request_id

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    """Every successful JSON response: the payload under ``data`` and the ``requestId``."""

    success: bool = True
    data: T
    requestId: str


class ErrorInfo(BaseModel):
    """``error`` of the error envelope."""

    code: str
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    """Every error response (DOMAIN.md "Errors")."""

    success: bool = False
    error: ErrorInfo
    requestId: str


def ok(data: Any) -> dict[str, Any]:
    """Wrap ``data`` in the success envelope with the current request id."""
    return {"success": True, "data": data, "requestId": current_request_id()}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each listed status documented with the error envelope."""
    return {s: {"model": ErrorEnvelope} for s in statuses}
