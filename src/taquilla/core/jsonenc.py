"""JSON rendering with exact money (DOMAIN.md "Amounts in JSON are exact").

Every response body goes through :func:`dumps`: ``Decimal`` values are written
as JSON numbers with their exact digits (``Decimal('99000000000000.01')`` →
``99000000000000.01``), never through a binary float; Pydantic models are dumped
in Python mode (so their ``Decimal`` fields stay ``Decimal``); datetimes are
ISO-8601 (orjson's RFC 3339).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from fastapi.responses import JSONResponse
from pydantic import BaseModel


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError("non-finite Decimal is not JSON")
        text = str(value)  # the exact digits; 4× cheaper than format(value, "f"), which only exponents need
        return orjson.Fragment((format(value, "f") if "E" in text else text).encode())
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python", by_alias=True)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    """``value`` as UTF-8 JSON bytes; Decimals exact, models dumped, keys may be non-str."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS)


def loads(raw: bytes | str) -> Any:
    """Parse JSON (the inverse of :func:`dumps` for stored responses)."""
    return orjson.loads(raw)


class TaquillaJSONResponse(JSONResponse):
    """The one JSON response class: renders through :func:`dumps`."""

    def render(self, content: Any) -> bytes:
        return dumps(content)
