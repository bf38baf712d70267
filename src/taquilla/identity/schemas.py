"""Pydantic schemas of the identity context."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from taquilla.core.security import Role

Username = Annotated[str, StringConstraints(strict=True, min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")]
Password = Annotated[str, StringConstraints(strict=True, min_length=8, max_length=256)]


class LoginIn(BaseModel):
    """``POST /api/v1/auth/login`` body."""

    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=256)]


class PrintSettings(BaseModel):
    """Ticket print settings of a user or ventana (the front end's ``settings.print``)."""

    name: str | None = None
    phone: str | None = None
    width: int | None = None
    footer: str | None = None
    barcode: bool | None = None


class UserSettings(BaseModel):
    """A user's front-end settings: ``theme`` and ``print``."""

    theme: str | None = None
    print: PrintSettings = PrintSettings()


class UserOut(BaseModel):
    """A user as the API shows it (never the hash). ``name`` = ``fullName`` (the front end reads ``name``)."""

    id: str
    username: str
    name: str
    fullName: str
    email: str | None = None
    code: str | None = None
    role: Role
    organizerId: str | None = None
    ventanaId: str | None = None
    bancaId: str | None = None
    isActive: bool
    deletedAt: datetime | None = None
    settings: UserSettings = UserSettings()
    printName: str | None = None
    printPhone: str | None = None
    printWidth: int | None = None
    printFooter: str | None = None
    printBarcode: bool | None = None
    createdAt: datetime | None = None


class TokenOut(BaseModel):
    """Login and refresh answer: a bearer token, its expiry (UTC), the refresh token and the user."""

    accessToken: str
    refreshToken: str
    tokenType: str = "bearer"
    expiresAt: datetime
    user: UserOut


class RefreshIn(BaseModel):
    """``POST /api/v1/auth/refresh`` body."""

    model_config = ConfigDict(extra="forbid")
    refreshToken: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)]


class LogoutIn(BaseModel):
    """``POST /api/v1/auth/logout`` body (optional): the refresh token whose login ends."""

    model_config = ConfigDict(extra="forbid")
    refreshToken: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)] | None = None
