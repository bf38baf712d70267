"""What every box office service needs besides the session, and the helpers they share.

* :class:`BoxOfficeContext` — Redis and the box office settings, injected into routes with
  :data:`BoxOfficeDep`;
* :func:`catalog_changed` / :func:`event_changed` — queue the cache invalidation to run after
  the request's transaction commits (dropped on rollback);
* :func:`require` — a row by primary key or 404; :func:`free_id` — a client-chosen id or a new one;
  :func:`flush_checked` — flush, turning the constraint violations that checks can miss under
  concurrency into domain errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice import cache
from taquilla.core.db import DriverTransaction, after_commit
from taquilla.core.errors import Conflict, NotFound, TaquillaError, sqlstate_of
from taquilla.core.ids import new_id

M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class BoxOfficeContext:
    """Redis (read model, rate limit) and the box office settings of the running app."""

    redis: Redis
    max_places_per_ticket: int
    cache_ttl_seconds: int
    oversell_guard_disabled: bool = False


async def box_office_context(request: Request) -> BoxOfficeContext:
    """FastAPI dependency: the :class:`BoxOfficeContext` of ``request``'s app (async: no thread hop)."""
    s = request.app.state.settings
    return BoxOfficeContext(
        redis=request.app.state.redis,
        max_places_per_ticket=s.max_places_per_ticket,
        cache_ttl_seconds=s.availability_cache_ttl_seconds,
        oversell_guard_disabled=s.debug_disable_oversell_guard,
    )


BoxOfficeDep = Annotated[BoxOfficeContext, Depends(box_office_context)]
"""Inject into a box office route that calls a service."""


def catalog_changed(session: AsyncSession, ctx: BoxOfficeContext) -> None:
    """After commit: outdate every cached event detail (a venue, show, zone or item changed)."""

    async def bump() -> None:
        await cache.invalidate_catalog(ctx.redis)

    after_commit(session, bump)


def event_changed(session: AsyncSession | DriverTransaction, ctx: BoxOfficeContext, event_id: str) -> None:
    """After commit: outdate the cached detail of ``event_id`` (a sale, cancellation or event edit)."""

    async def bump() -> None:
        await cache.invalidate_event(ctx.redis, event_id)

    after_commit(session, bump)


async def require(session: AsyncSession, model: type[M], row_id: str, code: str, label: str) -> M:
    """The ``model`` row with primary key ``row_id``. Raises NotFound ``code`` ("<label> '<id>' not found.")."""
    row: Any = await session.get(model, row_id)
    if row is None:
        raise NotFound(f"{label} {row_id!r} not found.", code=code)
    return row


async def free_id(session: AsyncSession, model: type, given: str | None, prefix: str, code: str, label: str) -> str:
    """``given`` when no ``model`` row has it (Conflict ``code`` otherwise), or a new ``<prefix>_…`` id."""
    if given is None:
        return new_id(prefix)
    if await session.get(model, given) is not None:
        raise Conflict(f"{label} {given!r} already exists.", code=code)
    return given


async def flush_checked(session: AsyncSession, *, unique: TaquillaError | None = None, foreign: TaquillaError | None = None) -> None:
    """Flush; a unique violation (23505) raises ``unique`` and a foreign-key violation (23503) ``foreign``."""
    try:
        await session.flush()
    except IntegrityError as exc:
        state = sqlstate_of(exc)
        if state == "23505" and unique is not None:
            raise unique from exc
        if state == "23503" and foreign is not None:
            raise foreign from exc
        raise
