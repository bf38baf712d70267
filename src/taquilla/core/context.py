"""Request-scoped context: the ``requestId`` of the request being served."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    """A fresh id, ``req_`` + 24 hex chars."""
    return "req_" + uuid.uuid4().hex[:24]


def current_request_id() -> str:
    """The current request's id (a fresh one outside a request)."""
    rid = _request_id.get()
    if rid is None:
        rid = new_request_id()
        _request_id.set(rid)
    return rid


def set_request_id(value: str) -> None:
    """Bind ``value`` as the current request id."""
    _request_id.set(value)
