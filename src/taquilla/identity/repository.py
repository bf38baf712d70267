"""Queries of the identity context."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import Conflict, NotFound
from taquilla.core.queries import paginate
from taquilla.core.security import UserState
from taquilla.identity.models import User

_REFERENCES = {
    "fk_users_organizer_id_organizers": ("organizer", "ORGANIZER_NOT_FOUND"),
    "fk_users_ventana_id_ventanas": ("ventana", "VENTANA_NOT_FOUND"),
}


def _constraint(exc: IntegrityError) -> str | None:
    """The violated constraint's name (asyncpg puts it on the driver error under SQLAlchemy's wrapper)."""
    for candidate in (exc.orig, getattr(exc.orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if name:
            return str(name)
    return None


async def get_by_username(session: AsyncSession, username: str) -> User | None:
    """The user with ``username`` (exact match), or None."""
    return await session.scalar(select(User).where(User.username == username))


async def get(session: AsyncSession, user_id: str) -> User | None:
    """The user with ``user_id``, or None."""
    return await session.get(User, user_id)


async def add(session: AsyncSession, user: User) -> User:
    """Insert ``user`` (flush, no commit).

    Raises NotFound ``ORGANIZER_NOT_FOUND``/``VENTANA_NOT_FOUND`` when ``organizer_id``/
    ``ventana_id`` names no row (the foreign keys say so; the request's transaction then
    rolls back, nothing is written).
    """
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        constraint = _constraint(exc)
        if constraint == "uq_users_username":  # a concurrent create won the race
            raise Conflict(f"Username {user.username!r} is taken.", code="USERNAME_TAKEN") from exc
        if constraint in _REFERENCES:
            what, code = _REFERENCES[constraint]
            value = user.organizer_id if what == "organizer" else user.ventana_id
            raise NotFound(f"The {what} {value!r} does not exist.", code=code) from exc
        raise
    return user


async def list_page(session: AsyncSession, offset: int, limit: int) -> tuple[int, list[User]]:
    """``(total, users ordered by username)`` for one page."""
    return await paginate(session, select(User), offset, limit, User.username)


async def load_user_state(app: Any, user_id: str) -> UserState | None:
    """The active flag, role and token version of ``user_id`` (own short connection), or None.

    The :data:`taquilla.core.security.UserStateLoader` of this context: read on a cache miss.
    """
    stmt = select(User.is_active, User.role, User.token_version).where(User.id == user_id)
    async with app.state.engine.connect() as conn:
        row = (await conn.execute(stmt)).first()
    return None if row is None else UserState(bool(row.is_active), row.role, int(row.token_version))
