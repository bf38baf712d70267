"""Ids: server-generated ones (a type prefix and 24 hex chars: ``entry_…``, ``maj_…``, ``evt_…``)
and the shape of an id a client sends (:data:`ClientId` in bodies, :data:`IdPath`/:data:`IdQuery`
in paths and query strings): 1–64 of ``[A-Za-z0-9_-.:]``, so an over-long id is a 400 at the
edge. Behind that, a text longer than its column (SQLSTATE 22001) is a 400 ``VALUE_TOO_LONG``
(:mod:`taquilla.core.errors`), never a 500.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import Path, Query
from pydantic import StringConstraints

CLIENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-.:]{0,63}$"
_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)

ClientId = Annotated[str, StringConstraints(strict=True, pattern=CLIENT_ID_PATTERN)]
"""An id a client may choose or send: 1–64 of ``[A-Za-z0-9_-.:]``, must be a JSON string."""

IdPath = Annotated[str, Path(pattern=CLIENT_ID_PATTERN, max_length=64)]
"""A path parameter that is an id (a longer or malformed one → 400)."""

IdQuery = Annotated[str | None, Query(pattern=CLIENT_ID_PATTERN, max_length=64)]
"""An optional query parameter that is an id (a longer or malformed one → 400)."""


def new_id(prefix: str) -> str:
    """``prefix_`` + 24 hex chars."""
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def is_client_id(value: str) -> bool:
    """True when ``value`` is a well-formed id."""
    return bool(_CLIENT_ID.match(value))
