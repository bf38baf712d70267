"""SQLAlchemy models of the box office context (seed 004 table names)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from taquilla.core.db import Base


class Event(Base):
    """A dated function of a presentation. ``type`` standard|premium is read by the director context."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("type IN ('standard','premium')", name="type"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
    status: Mapped[str] = mapped_column(String(16), default="on_sale", server_default="on_sale")
    start_at: Mapped[datetime | None] = mapped_column(nullable=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
