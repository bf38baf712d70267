"""Schemas of the network's people (``/api/v1/users`` as the front end sends and reads them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.network.schemas import (
    Code,
    CommissionPolicy,
    InModel,
)

# ---- users (the front end's /users: listeros, vendedores, admins) --------------------------------------

Username = Annotated[str, StringConstraints(strict=True, min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")]
Password = Annotated[str, StringConstraints(strict=True, min_length=8, max_length=256)]
Email = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")]
UserRole = Literal["ADMIN", "VENTANA", "VENDEDOR", "ORGANIZER"]
ShortText = Annotated[str, StringConstraints(strict=True, max_length=200)]


class PrintSettingsIn(InModel):
    name: ShortText | None = None
    phone: ShortText | None = None
    width: Annotated[int, Field(strict=True, ge=0, le=200)] | None = None
    footer: Annotated[str, StringConstraints(strict=True, max_length=500)] | None = None
    barcode: bool | None = None


class UserSettingsIn(InModel):
    theme: Annotated[str, StringConstraints(strict=True, max_length=20)] | None = None
    print: PrintSettingsIn | None = None


class UserCreateIn(InModel):
    """``POST /api/v1/users``: the front end's body (``name``); ``fullName`` is kept as its older spelling.

    A VENDEDOR user also gets its vendedor record (same id, ``code`` or one derived from the
    username) and its account. A VENTANA caller may create only VENDEDOR users of its ventana.
    """

    username: Username
    password: Password
    name: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=200)] | None = None
    fullName: Annotated[str, StringConstraints(strict=True, max_length=200)] | None = None
    email: Email | None = None
    code: Code | None = None
    role: UserRole
    ventanaId: ClientId | None = None
    organizerId: ClientId | None = None
    isActive: bool = True
    commissionPolicy: CommissionPolicy | None = None


class UserPatch(InModel):
    """``PATCH /api/v1/users/{id}``; ``settings`` and ``print*`` are the caller's own print/theme settings."""

    name: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=200)] | None = None
    fullName: Annotated[str, StringConstraints(strict=True, max_length=200)] | None = None
    email: Email | None = None
    code: Code | None = None
    role: UserRole | None = None
    ventanaId: ClientId | None = None
    password: Password | None = None
    isActive: bool | None = None
    settings: UserSettingsIn | None = None
    printName: ShortText | None = None
    printPhone: ShortText | None = None
    printWidth: Annotated[int, Field(strict=True, ge=0, le=200)] | None = None
    printFooter: Annotated[str, StringConstraints(strict=True, max_length=500)] | None = None
    printBarcode: bool | None = None
