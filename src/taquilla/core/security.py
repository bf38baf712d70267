"""Password hashing (pwdlib/argon2), JWT bearer tokens (PyJWT) and role checks.

A token carries the caller's identity and scope as claims::

    {"sub": user id, "username": str, "role": ADMIN|VENTANA|VENDEDOR|ORGANIZER,
     "organizerId"?: str, "ventanaId"?: str, "iat", "exp"}
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pwdlib import PasswordHash

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


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, built from the token's claims (no database read)."""

    user_id: str
    username: str
    role: Role
    organizer_id: str | None = None
    ventana_id: str | None = None

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
        "iat": now,
        "exp": expires,
    }
    if principal.organizer_id:
        claims["organizerId"] = principal.organizer_id
    if principal.ventana_id:
        claims["ventanaId"] = principal.ventana_id
    return jwt.encode(claims, secret, algorithm=_ALGORITHM), expires


def decode_access_token(token: str, *, secret: str) -> Principal:
    """Verify ``token`` and return its principal. Raises :class:`Unauthorized`."""
    try:
        claims = jwt.decode(token, secret, algorithms=[_ALGORITHM], options={"require": ["sub", "exp", "role"]})
        role = Role(claims["role"])
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The token has expired.", code="TOKEN_EXPIRED") from exc
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise Unauthorized("The token is invalid.", code="INVALID_TOKEN") from exc
    return Principal(
        user_id=str(claims["sub"]),
        username=str(claims.get("username", "")),
        role=role,
        organizer_id=claims.get("organizerId"),
        ventana_id=claims.get("ventanaId"),
    )


_bearer = HTTPBearer(auto_error=False, description="JWT from POST /api/v1/auth/login")


async def get_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The caller of the request. Raises :class:`Unauthorized` without a valid bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("A bearer token is required.", code="MISSING_TOKEN")
    principal = decode_access_token(credentials.credentials, secret=request.app.state.settings.jwt_secret)
    request.state.principal = principal
    return principal


async def get_optional_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The caller when a token is sent, else ``None`` (for storefront routes)."""
    if credentials is None:
        return None
    return await get_principal(request, credentials)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def require_roles(*roles: Role):  # noqa: ANN201 - a FastAPI dependency
    """Dependency that lets only ``roles`` through; raises :class:`Forbidden` otherwise."""

    async def _check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"Role {principal.role.value} may not do this.")
        return principal

    return Depends(_check)


AdminPrincipal = Annotated[Principal, require_roles(Role.ADMIN)]
