"""Versioned read answers of the network's dashboards and sales home screens: ETag, 304 and the Redis cache.

An answer is versioned by the facts under it: the sum of ``revision`` and the row count of the
rollup rows it reads (every fact change adds 1 to its row's revision in the fact's own
transaction, a new row adds a row; a rebuild starts above every earlier sum), plus a stamp of
the names and states of the ventanas/vendedores it shows. So the version changes whenever a
fact under the answer changes, and only the answer computed for that version is served:

* ``ETag`` = a hash of (endpoint, parameters, caller's scope, version); ``If-None-Match`` equal to
  it → **304** without a body;
* Redis key ``net:dash:<hash of endpoint, parameters, scope>`` holds ``"<version>|<json>"``; a
  cached body is served only when its version equals the current one (a body computed while a
  sale was committing carries the older version and is never served after that sale). An answer
  over 64 KB is written after the response is sent (a background task). Entries expire after
  ``DASHBOARD_CACHE_TTL_SECONDS``. Redis is a cache only: when it fails the answer
  is computed from the database.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.background import BackgroundTask

from taquilla.core.db import SessionDep
from taquilla.core.jsonenc import dumps
from taquilla.core.responses import envelope

_PREFIX = "net:dash:"
_STORE_AFTER_BYTES = 64 * 1024
"""Answers larger than this are written to Redis after the response is sent (cxc by vendedor of the
scaled dataset: 1.1 MB, ~10 ms of SET the caller no longer waits for; a request arriving meanwhile
computes the answer again)."""
log = logging.getLogger(__name__)


async def _read_session(session: SessionDep) -> AsyncSession:
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


ReadSessionDep = Annotated[AsyncSession, Depends(_read_session)]
"""The request's session for a versioned read: its statements run without BEGIN/COMMIT (two round trips
less). Nothing is lost: under READ COMMITTED each statement of a transaction takes its own snapshot
anyway, and an answer is stored under the version read *before* its figures, so figures newer than
their version are only ever recomputed, never served for a newer version."""


def _digest(*parts: Any) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def etag_of(endpoint: str, params: Any, scope_key: str, version: str) -> str:
    """The strong ETag (quoted) of one answer: endpoint, canonical parameters, scope and version."""
    return f'"{_digest(endpoint, params, scope_key, version)[:32]}"'


def _matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags


async def respond(
    request: Request,
    endpoint: str,
    params: Any,
    scope_key: str,
    version: str,
    compute: Callable[[str], Awaitable[Any]],
) -> Response:
    """The versioned answer: 304 when ``If-None-Match`` holds the current ETag, else the cached body of
    this version, else ``compute(etag)`` (the ``data`` of the envelope), cached under the version.

    ``x-cache: hit|miss`` tells which; every 200 and 304 carries the ``ETag``.
    """
    etag = etag_of(endpoint, params, scope_key, version)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if _matches(request, etag):
        return Response(status_code=304, headers=headers)
    redis = request.app.state.redis
    key = _PREFIX + _digest(endpoint, params, scope_key)
    try:
        cached = await redis.get(key)
    except Exception:  # noqa: BLE001 - Redis is only a cache
        cached = None
    if cached is not None:
        stored_version, _, data_json = cached.partition("|")
        if stored_version == version:
            return _json(data_json.encode(), headers | {"x-cache": "hit"})
    data_json = dumps(await compute(etag))
    ttl = request.app.state.settings.dashboard_cache_ttl_seconds

    async def store() -> None:
        try:
            await redis.set(key, b"%s|%s" % (version.encode(), data_json), ex=ttl)
        except Exception:
            log.warning("dashboard cache write failed", exc_info=True)

    response = _json(data_json, headers | {"x-cache": "miss"})
    if len(data_json) > _STORE_AFTER_BYTES:
        response.background = BackgroundTask(store)
    else:  # small answers are stored before they are sent: the next request finds them
        await store()
    return response


def _json(data_json: bytes, headers: dict[str, str]) -> Response:
    """The success envelope around an already rendered ``data`` (no second rendering of the figures)."""
    body = envelope(None)
    head = dumps({k: v for k, v in body.items() if k != "data"})
    content = b"".join((b'{"data":', data_json, b",", head[1:]))  # one copy (``+`` made three of a 1 MB answer)
    return Response(content=content, media_type="application/json", headers=headers)
