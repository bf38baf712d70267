"""Queries of the identity context."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.queries import paginate
from taquilla.identity.models import User


async def get_by_username(session: AsyncSession, username: str) -> User | None:
    """The user with ``username`` (exact match), or None."""
    return await session.scalar(select(User).where(User.username == username))


async def get(session: AsyncSession, user_id: str) -> User | None:
    """The user with ``user_id``, or None."""
    return await session.get(User, user_id)


async def add(session: AsyncSession, user: User) -> User:
    """Insert ``user`` (flush, no commit)."""
    session.add(user)
    await session.flush()
    return user


async def list_page(session: AsyncSession, offset: int, limit: int) -> tuple[int, list[User]]:
    """``(total, users ordered by username)`` for one page."""
    return await paginate(session, select(User), offset, limit, User.username)
