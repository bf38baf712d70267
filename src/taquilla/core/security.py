"""Password hashing (pwdlib/argon2), JWT bearer tokens (PyJWT) and role checks.

A token carries the caller's identity and scope as claims::

    {"sub": user id, "username": str, "role": ADMIN|VENTANA|VENDEDOR|ORGANIZER,
     "organizerId"?: str, "ventanaId"?: str, "ver": token version, "iat", "exp"}

A signature is not enough: every authenticated request also checks that the user
still exists, is active, has the token's role and the token's version (the version
moves on deactivation, role, scope or password change, see
:mod:`taquilla.identity.events`). That state is one Redis GET
(``auth:user:<id>``, kept ``USER_STATE_CACHE_SECONDS``, rewritten when the user
changes); a miss reads the ``users`` row through the loader the identity context
registers on ``app.state.user_state_loader``.

Argon2 runs in worker threads (at most :data:`HASH_CONCURRENCY` at once), never on
the event loop.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import anyio.to_thread
import jwt
from anyio import CapacityLimiter
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pwdlib import PasswordHash
from redis.exceptions import RedisError

from taquilla.core.errors import Forbidden, Unauthorized


class Role(StrEnum):
    """The four roles of DOMAIN.md "Roles"."""

    ADMIN = "ADMIN"
    VENTANA = "VENTANA"
    VENDEDOR = "VENDEDOR"
    ORGANIZER = "ORGANIZER"


_hasher = PasswordHash.recommended()
_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    """An argon2 hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # noqa: BLE001 - a malformed hash is a mismatch
        return False


HASH_CONCURRENCY = max(1, (os.cpu_count() or 1) // 4)
"""Argon2 hashes computed at once per event loop. Each one (m=64 MiB, t=3, p=4) already keeps four
cores busy for ~0.1-0.3 s: more at once adds no throughput and starves the event loop's thread."""
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = weakref.WeakKeyDictionary()
_dummy_hash: str | None = None


def _limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = CapacityLimiter(HASH_CONCURRENCY)
    return limiter


async def hash_password_async(password: str) -> str:
    """:func:`hash_password` in a worker thread (the event loop keeps serving)."""
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_limiter())


async def verify_password_async(password: str, password_hash: str | None) -> bool:
    """:func:`verify_password` in a worker thread.

    ``password_hash`` ``None`` (unknown user) verifies against a dummy hash and returns
    False, so an unknown username takes as long as a wrong password (no enumeration by timing).
    """
    global _dummy_hash
    if password_hash is None:
        if _dummy_hash is None:
            _dummy_hash = await hash_password_async("taquilla-dummy-password")
        await anyio.to_thread.run_sync(verify_password, password, _dummy_hash, limiter=_limiter())
        return False
    return await anyio.to_thread.run_sync(verify_password, password, password_hash, limiter=_limiter())


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, built from the token's claims (no database read)."""

    user_id: str
    username: str
    role: Role
    organizer_id: str | None = None
    ventana_id: str | None = None
    token_version: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def create_access_token(principal: Principal, *, secret: str, ttl_minutes: int) -> tuple[str, datetime]:
    """Sign a token for ``principal``; return it with its expiry (UTC)."""
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=ttl_minutes)
    claims: dict[str, Any] = {
        "sub": principal.user_id,
        "username": principal.username,
        "role": principal.role.value,
        "ver": principal.token_version,
        "iat": now,
        "exp": expires,
    }
    if principal.organizer_id:
        claims["organizerId"] = principal.organizer_id
    if principal.ventana_id:
        claims["ventanaId"] = principal.ventana_id
    return jwt.encode(claims, secret, algorithm=_ALGORITHM), expires


_DECODED_MAX = 4096
_decoded: dict[tuple[str, str], tuple[Principal, float]] = {}
"""Verified tokens of this process: ``(token, secret) → (principal, exp as a POSIX timestamp)``. A token is
immutable, so its signature and claims need checking once; its expiry is checked on every use, and the
user's state (revocation, role, version) by :func:`check_user_state` on every request as before.
Measured: PyJWT's decode was ~6 % of the API's CPU on a lottery sale (bench/README.md "Lottery sale")."""


def decode_access_token(token: str, *, secret: str) -> Principal:
    """Verify ``token`` and return its principal. Raises :class:`Unauthorized`.

    The signature is verified once per token and process (:data:`_decoded`); the expiry on every call.
    """
    hit = _decoded.get((token, secret))
    if hit is not None:
        if datetime.now(UTC).timestamp() >= hit[1]:
            _decoded.pop((token, secret), None)
            raise Unauthorized("The token has expired.", code="TOKEN_EXPIRED")
        return hit[0]
    try:
        claims = jwt.decode(token, secret, algorithms=[_ALGORITHM], options={"require": ["sub", "exp", "role"]})
        role = Role(claims["role"])
        version = int(claims.get("ver", 0))
        expires = float(claims["exp"])
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The token has expired.", code="TOKEN_EXPIRED") from exc
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        raise Unauthorized("The token is invalid.", code="INVALID_TOKEN") from exc
    principal = Principal(
        user_id=str(claims["sub"]),
        username=str(claims.get("username", "")),
        role=role,
        organizer_id=claims.get("organizerId"),
        ventana_id=claims.get("ventanaId"),
        token_version=version,
    )
    if len(_decoded) >= _DECODED_MAX:
        _decoded.pop(next(iter(_decoded)))  # oldest first (insertion order)
    _decoded[(token, secret)] = (principal, expires)
    return principal


@dataclass(frozen=True)
class UserState:
    """What a token is checked against on every request: the user's current active flag, role and token version."""

    active: bool
    role: str
    version: int

    def encode(self) -> str:
        return f"{int(self.active)}|{self.role}|{self.version}"

    @classmethod
    def decode(cls, raw: str) -> UserState | None:
        if raw == _MISSING:
            return None
        active, role, version = raw.split("|")
        return cls(active == "1", role, int(version))


UserStateLoader = Callable[[Any, str], Awaitable[UserState | None]]
"""``(app, user_id) -> state or None``: reads the ``users`` row (registered by the identity context)."""
_MISSING = "-"


def user_state_key(user_id: str) -> str:
    """The Redis key of a user's cached :class:`UserState`."""
    return f"auth:user:{user_id}"


async def publish_user_state(redis: Any, user_id: str, state: UserState | None, ttl_seconds: int) -> None:
    """Overwrite the cached state of ``user_id`` (after a committed change), so tokens see it at once."""
    await redis.set(user_state_key(user_id), state.encode() if state else _MISSING, ex=ttl_seconds)


async def current_user_state(app: Any, user_id: str) -> UserState | None:
    """The user's state: one Redis GET; on a miss, the database row, cached with SET NX.

    NX: a reader that loaded the row before a change committed never overwrites the
    state :func:`publish_user_state` wrote after it. Redis down → the database answers.
    """
    redis = app.state.redis
    key = user_state_key(user_id)
    try:
        raw = await redis.get(key)
    except RedisError:
        return await app.state.user_state_loader(app, user_id)
    if raw is not None:
        return UserState.decode(raw)
    state = await app.state.user_state_loader(app, user_id)
    try:
        await redis.set(key, state.encode() if state else _MISSING, ex=app.state.settings.user_state_cache_seconds, nx=True)
    except RedisError:
        pass
    return state


async def check_user_state(app: Any, principal: Principal) -> None:
    """Raise :class:`Unauthorized` unless ``principal``'s user exists, is active and matches the token."""
    state = await current_user_state(app, principal.user_id)
    if state is None:
        raise Unauthorized("The token's user no longer exists.", code="USER_NOT_FOUND")
    if not state.active:
        raise Unauthorized("The user is deactivated.", code="USER_INACTIVE")
    if state.role != principal.role.value or state.version != principal.token_version:
        raise Unauthorized("The user changed since this token was issued; log in again.", code="TOKEN_REVOKED")


_bearer = HTTPBearer(auto_error=False, description="JWT from POST /api/v1/auth/login")


async def _authenticate(request: Request, token: str) -> Principal:
    """Verify ``token`` and its user's state once per request (memoised on ``request.state``)."""
    state = request.state
    if getattr(state, "auth_token", None) == token:
        return state.principal
    principal = decode_access_token(token, secret=request.app.state.settings.jwt_secret)
    await check_user_state(request.app, principal)
    state.auth_token, state.principal = token, principal
    return principal


async def get_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The caller of the request. Raises :class:`Unauthorized` without a valid bearer token of an active user.

    ``credentials`` declares the bearer scheme in OpenAPI; the header is read by :func:`principal_of`.
    """
    return await principal_of(request)


async def principal_of(request: Request) -> Principal:
    """The caller, from the ``Authorization`` header read as ``HTTPBearer`` reads it (``get_principal``'s body;
    hand-resolved routes, ``core.routing.hand_resolved``, call it directly). Raises :class:`Unauthorized`
    ``MISSING_TOKEN`` without a bearer token, and :func:`_authenticate`'s errors."""
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if not (scheme and token) or scheme.lower() != "bearer":
        raise Unauthorized("A bearer token is required.", code="MISSING_TOKEN")
    return await _authenticate(request, token)


async def get_optional_principal(request: Request) -> Principal | None:
    """The caller when a valid bearer token is sent, else ``None`` (storefront routes).

    Declares no security in OpenAPI (the route is anonymous) and never answers 401: a
    stale, invalid or revoked token is ignored and the request served anonymously.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return await _authenticate(request, token.strip())
    except Unauthorized:
        return None


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def check_roles(principal: Principal, roles: tuple[Role, ...]) -> Principal:
    """``principal`` when its role is one of ``roles``; raises :class:`Forbidden` otherwise (:func:`require_roles`' check)."""
    if principal.role not in roles:
        raise Forbidden(f"Role {principal.role.value} may not do this.")
    return principal


def require_roles(*roles: Role):
    """Dependency that lets only ``roles`` through; raises :class:`Forbidden` otherwise."""

    async def _check(principal: CurrentPrincipal) -> Principal:
        return check_roles(principal, roles)

    return Depends(_check)


AdminPrincipal = Annotated[Principal, require_roles(Role.ADMIN)]
