"""Rules of the identity context: login and user creation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Conflict, Unauthorized
from taquilla.core.ids import new_id
from taquilla.core.security import Principal, Role, create_access_token, hash_password, verify_password
from taquilla.core.settings import Settings
from taquilla.identity import repository
from taquilla.identity.models import User


def principal_of(user: User) -> Principal:
    """The token principal of ``user``."""
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        organizer_id=user.organizer_id,
        ventana_id=user.ventana_id,
    )


async def login(session: AsyncSession, settings: Settings, username: str, password: str) -> tuple[str, datetime, User]:
    """Check credentials; return ``(token, expiresAt UTC, user)``. Raises Unauthorized ``INVALID_CREDENTIALS``."""
    user = await repository.get_by_username(session, username)
    if user is None or not user.is_active or not verify_password(password, user.password_hash):
        raise Unauthorized("Wrong username or password.", code="INVALID_CREDENTIALS")
    token, expires = create_access_token(principal_of(user), secret=settings.jwt_secret, ttl_minutes=settings.jwt_ttl_minutes)
    return token, expires, user


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str = "",
    organizer_id: str | None = None,
    ventana_id: str | None = None,
    user_id: str | None = None,
) -> User:
    """Create a user with a hashed password.

    Raises Conflict ``USERNAME_TAKEN``; BadRequest when an ORGANIZER has no ``organizer_id``
    or a VENTANA/VENDEDOR no ``ventana_id``.
    """
    if role is Role.ORGANIZER and not organizer_id:
        raise BadRequest("An ORGANIZER user needs organizerId.", code="ORGANIZER_REQUIRED")
    if role in (Role.VENTANA, Role.VENDEDOR) and not ventana_id:
        raise BadRequest(f"A {role.value} user needs ventanaId.", code="VENTANA_REQUIRED")
    if await repository.get_by_username(session, username) is not None:
        raise Conflict(f"Username {username!r} is taken.", code="USERNAME_TAKEN")
    user = User(
        id=user_id or new_id("usr"),
        username=username,
        password_hash=hash_password(password),
        full_name=full_name,
        role=role.value,
        organizer_id=organizer_id,
        ventana_id=ventana_id,
        is_active=True,
    )
    return await repository.add(session, user)
