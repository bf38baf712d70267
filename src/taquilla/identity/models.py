"""SQLAlchemy models of the identity context."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, func
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
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
