"""HTTP pieces shared by the network's sub-routers: id parameters and documented error statuses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from taquilla.core.ids import CLIENT_ID_PATTERN
from taquilla.core.responses import error_responses

IdPath = Annotated[str, Path(pattern=CLIENT_ID_PATTERN)]
IdQuery = Annotated[str | None, Query(pattern=CLIENT_ID_PATTERN)]
Search = Annotated[str | None, Query(max_length=100, description="name contains (case-insensitive) or code equals")]
R_READ = error_responses(400, 401, 403, 404)
R_WRITE = error_responses(400, 401, 403, 404, 409, 422)
