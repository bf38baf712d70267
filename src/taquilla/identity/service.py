"""Rules of the identity context: login and user creation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Conflict, Unauthorized
from taquilla.core.ids import new_id
from taquilla.core.ratelimit import AttemptLimiter, Window
from taquilla.core.security import (
    Principal,
    Role,
    create_access_token,
    hash_password_async,
    verify_password_async,
)
from taquilla.core.settings import Settings
from taquilla.identity import repository
from taquilla.identity.models import User


def principal_of(user: User) -> Principal:
    """The token principal of ``user`` (with its current token version)."""
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        organizer_id=user.organizer_id,
        ventana_id=user.ventana_id,
        token_version=user.token_version or 0,
    )


def login_windows(settings: Settings, username: str, address: str) -> list[Window]:
    """The failed-login windows of one attempt: per username (case-folded) and per client address."""
    return [
        Window(settings.login_rate_limit_username, "login-username", username.casefold()),
        Window(settings.login_rate_limit_address, "login-address", address),
    ]


async def check_credentials(
    session: AsyncSession, settings: Settings, limiter: AttemptLimiter, username: str, password: str, address: str
) -> User | None:
    """The active user whose password matches, or None (the failure is counted).

    Raises TooManyRequests ``RATE_LIMITED`` (with ``Retry-After``) while the username or the
    address has used up its failed attempts (``LOGIN_RATE_LIMIT_USERNAME``/``_ADDRESS``):
    then not even the right password is checked. An unknown username is verified against a
    dummy hash, so it takes as long as a wrong password. Argon2 runs in a worker thread.
    """
    windows = login_windows(settings, username, address)
    await limiter.check(windows, "Too many failed logins for this user or from this address.")
    user = await repository.get_by_username(session, username)
    matches = await verify_password_async(password, user.password_hash if user is not None else None)
    if user is None or not user.is_active or not matches:
        await limiter.fail(windows)
        return None
    return user


async def login(
    session: AsyncSession, settings: Settings, limiter: AttemptLimiter, username: str, password: str, address: str
) -> tuple[str, datetime, User]:
    """Check credentials; return ``(token, expiresAt UTC, user)``.

    Raises Unauthorized ``INVALID_CREDENTIALS``; TooManyRequests ``RATE_LIMITED`` (see
    :func:`check_credentials`).
    """
    user = await check_credentials(session, settings, limiter, username, password, address)
    if user is None:
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
    """Create a user with a hashed password (argon2 in a worker thread).

    Raises Conflict ``USERNAME_TAKEN``; BadRequest when an ORGANIZER has no ``organizer_id``
    or a VENTANA/VENDEDOR no ``ventana_id``; NotFound ``ORGANIZER_NOT_FOUND``/
    ``VENTANA_NOT_FOUND`` when the named organizer or ventana does not exist.
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
        password_hash=await hash_password_async(password),
        full_name=full_name,
        role=role.value,
        organizer_id=organizer_id,
        ventana_id=ventana_id,
        is_active=True,
        token_version=0,
    )
    return await repository.add(session, user)
