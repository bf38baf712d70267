"""SQLAlchemy models of the identity context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from taquilla.core.db import Base


class User(Base):
    """A person who logs in. ``organizer_id`` scopes an ORGANIZER; ``ventana_id`` a VENTANA/VENDEDOR.

    Both reference their table in the database (``fk_users_organizer_id_organizers``,
    ``fk_users_ventana_id_ventanas``); the ORM declares no ``ForeignKey`` so that this
    context imports neither the director's nor the network's models. ``token_version``
    moves whenever the user is deactivated or its role, scope or password changes
    (:mod:`taquilla.identity.events`): tokens carry it and stop working when it moves.
    """

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    organizer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ventana_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class RefreshToken(Base):
    """One issued refresh token, kept as its SHA-256 hash (the token itself is never stored).

    ``family_id`` links the tokens of one login: each refresh marks the presented token
    ``used_at`` and issues the next one of the family. A token presented after it was used
    (a stolen copy, or a replay) revokes the whole family (``revoked_at``).
    """

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
