"""Queries of the identity context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import Conflict, NotFound
from taquilla.core.queries import contains, paginate
from taquilla.core.security import UserState
from taquilla.identity.models import RefreshToken, User

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


async def add_refresh_token(session: AsyncSession, token: RefreshToken) -> None:
    """Insert one refresh-token row (flush)."""
    session.add(token)
    await session.flush()


async def refresh_token_for_update(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    """The refresh-token row with ``token_hash``, locked (two concurrent refreshes of one token serialize)."""
    return await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update())


async def revoke_family(session: AsyncSession, family_id: str, at: datetime) -> None:
    """Mark every live token of ``family_id`` revoked."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def users_page(
    session: AsyncSession,
    offset: int,
    limit: int,
    *,
    role: str | None = None,
    ventana_id: str | None = None,
    is_active: bool | None = None,
    search: str | None = None,
) -> tuple[int, list[User]]:
    """``(total, users ordered by username)`` for one page, filtered (``search``: name/username/email/code contains)."""
    stmt = select(User)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if ventana_id is not None:
        stmt = stmt.where(User.ventana_id == ventana_id)
    if is_active is not None:
        stmt = stmt.where(User.is_active == is_active)
    if search:
        stmt = stmt.where(
            contains(User.full_name, search) | contains(User.username, search) | contains(User.email, search)
            | (User.code == search)
        )
    return await paginate(session, stmt, offset, limit, User.username)


async def revoke_user_tokens(session: AsyncSession, user_id: str, at: datetime) -> None:
    """Mark every live refresh token of ``user_id`` revoked."""
    await session.execute(
        update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)).values(revoked_at=at)
    )


async def banca_of_ventana(session: AsyncSession, ventana_id: str | None) -> str | None:
    """The banca id of ``ventana_id`` (the ``ventanas`` table, named as the users' foreign key names it), or None."""
    if ventana_id is None:
        return None
    return await session.scalar(text("SELECT banca_id FROM ventanas WHERE id = :id"), {"id": ventana_id})
