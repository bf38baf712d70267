"""Server-generated ids: a type prefix and 24 hex chars (``entry_…``, ``maj_…``, ``evt_…``)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from pydantic import StringConstraints

CLIENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-.:]{0,63}$"
_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)

ClientId = Annotated[str, StringConstraints(strict=True, pattern=CLIENT_ID_PATTERN)]
"""An id a client may choose or send: 1–64 of ``[A-Za-z0-9_-.:]``, must be a JSON string."""


def new_id(prefix: str) -> str:
    """``prefix_`` + 24 hex chars."""
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def is_client_id(value: str) -> bool:
    """True when ``value`` is a well-formed id."""
    return bool(_CLIENT_ID.match(value))
