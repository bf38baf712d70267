"""Rules of the identity context: login and user creation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

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
from taquilla.identity.models import RefreshToken, User


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
    token, expires = access_token_of(settings, user)
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
    code: str | None = None,
    email: str | None = None,
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
        code=code,
        email=email,
    )
    return await repository.add(session, user)


# ---- refresh tokens ------------------------------------------------------------------------------

REFRESH_TTL = timedelta(days=30)
"""How long a refresh token may be exchanged (each exchange issues a new one with a fresh window)."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_refresh_token(session: AsyncSession, user: User, family_id: str | None = None) -> str:
    """A new opaque refresh token for ``user`` (stored as its SHA-256 hash), in ``family_id`` or a new family."""
    token = secrets.token_urlsafe(48)
    row = RefreshToken(
        id=new_id("rft"),
        user_id=user.id,
        family_id=family_id or new_id("rff"),
        token_hash=_token_hash(token),
        expires_at=datetime.now(UTC) + REFRESH_TTL,
    )
    await repository.add_refresh_token(session, row)
    return token


def access_token_of(settings: Settings, user: User) -> tuple[str, datetime]:
    """A signed access token of ``user`` and its expiry (UTC)."""
    return create_access_token(principal_of(user), secret=settings.jwt_secret, ttl_minutes=settings.jwt_ttl_minutes)


async def refresh(session: AsyncSession, settings: Settings, token: str) -> tuple[str, datetime, str, User]:
    """Exchange a refresh token: ``(access token, its expiry, the next refresh token, user)``.

    Rotation: the presented token is marked used and the next one of its family issued.
    Raises Unauthorized ``INVALID_REFRESH_TOKEN`` for an unknown, expired or revoked token or
    an inactive user; ``REFRESH_TOKEN_REUSED`` for a token that was already used — then
    every token of its family is revoked (a stolen copy is worthless from then on). The
    revocation must survive the request's rollback, so the caller commits before raising
    (:class:`RefreshReuse` carries the error).
    """
    row = await repository.refresh_token_for_update(session, _token_hash(token))
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized("The refresh token is invalid or expired; log in again.", code="INVALID_REFRESH_TOKEN")
    if row.used_at is not None:
        await repository.revoke_family(session, row.family_id, now)
        raise RefreshReuse()
    user = await repository.get(session, row.user_id)
    if user is None or not user.is_active:
        await repository.revoke_family(session, row.family_id, now)
        raise Unauthorized("The refresh token is invalid or expired; log in again.", code="INVALID_REFRESH_TOKEN")
    row.used_at = now
    next_token = await issue_refresh_token(session, user, row.family_id)
    access, expires = access_token_of(settings, user)
    return access, expires, next_token, user


class RefreshReuse(Exception):
    """A used refresh token came back: its family was revoked (commit, then answer 401 ``REFRESH_TOKEN_REUSED``)."""


def reuse_error() -> Unauthorized:
    return Unauthorized("This refresh token was already used; every session of this login is revoked.", code="REFRESH_TOKEN_REUSED")


async def logout(session: AsyncSession, token: str | None, user_id: str) -> None:
    """Revoke the family of ``token`` (when it is the caller's); no token → every refresh token of the caller."""
    now = datetime.now(UTC)
    if token:
        row = await repository.refresh_token_for_update(session, _token_hash(token))
        if row is not None and row.user_id == user_id:
            await repository.revoke_family(session, row.family_id, now)
        return
    await repository.revoke_user_tokens(session, user_id, now)
