"""Pydantic schemas of the identity context."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.core.security import Role

Username = Annotated[str, StringConstraints(strict=True, min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")]
Password = Annotated[str, StringConstraints(strict=True, min_length=8, max_length=256)]


class LoginIn(BaseModel):
    """``POST /api/v1/auth/login`` body."""

    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=256)]


class UserOut(BaseModel):
    """A user as the API shows it (never the hash)."""

    id: str
    username: str
    fullName: str
    role: Role
    organizerId: str | None = None
    ventanaId: str | None = None
    isActive: bool
    createdAt: datetime | None = None


class TokenOut(BaseModel):
    """Login answer: a bearer token, its expiry (UTC) and the user."""

    accessToken: str
    tokenType: str = "bearer"
    expiresAt: datetime
    user: UserOut


class UserCreateIn(BaseModel):
    """``POST /api/v1/users`` body (ADMIN)."""

    model_config = ConfigDict(extra="forbid")
    username: Username
    password: Password
    fullName: Annotated[str, StringConstraints(strict=True, max_length=200)] = ""
    role: Role
    organizerId: ClientId | None = None
    ventanaId: ClientId | None = None
