"""SQLAlchemy models of the box office context (seed 004 table names, DOMAIN.md "Box office").

Money is integer cents (``*_cents``, BIGINT) plus an ISO-4217 code in lower case.
Inventory is per event: ``event_inventory_slots`` count the places sold (not cancelled)
of each (event, location section) in slots (view ``event_inventory``: their sum); numbered seats are also unique per
(event, location section, index) among live ticket lines (a partial unique index).
Relationships are ``lazy="raise"``: a query loads what it needs or fails loudly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taquilla.core.db import Base
from taquilla.core.ids import new_id


class Location(Base):
    """A venue (theatre, stadium, field). ``name`` is unique (case-insensitive)."""

    __tablename__ = "locations"
    __table_args__ = (Index("uq_locations_name_lower", text("lower(name)"), unique=True),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: new_id("loc"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="", server_default="")
    city: Mapped[str] = mapped_column(String(120), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    def __str__(self) -> str:
        return self.name


class LocationSection(Base):
    """A sector of a location with a ``capacity``.

    Numbered when ``index_prefix``, ``index_from`` and ``index_to`` are all set: seats are
    ``index_from..index_to`` (codes prefix+index, ``A12``) and ``capacity`` equals their count.
    Otherwise general admission (all three NULL).
    """

    __tablename__ = "location_sections"
    __table_args__ = (
        UniqueConstraint("location_id", "name"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "(index_prefix IS NULL AND index_from IS NULL AND index_to IS NULL) OR "
            "(index_prefix IS NOT NULL AND index_from IS NOT NULL AND index_to IS NOT NULL "
            "AND index_from >= 0 AND index_from <= index_to AND capacity = index_to - index_from + 1)",
            name="numbering",
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: new_id("lsec"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(Integer)
    index_prefix: Mapped[str | None] = mapped_column(String(16), nullable=True)
    index_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    index_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sort: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    location: Mapped[Location] = relationship(lazy="raise")

    @property
    def numbered(self) -> bool:
        """True when the section sells individual seats."""
        return self.index_prefix is not None

    def seat_code(self, index: int) -> str:
        """``prefix + index`` (``A12``)."""
        return f"{self.index_prefix}{index}"

    def __str__(self) -> str:
        return self.name


class Presentation(Base):
    """A show at a location (``performer_name``, ``organizer`` are free text)."""

    __tablename__ = "presentations"
    __table_args__ = (UniqueConstraint("location_id", "title"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: new_id("pres"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    performer_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    organizer: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    location: Mapped[Location] = relationship(lazy="raise")

    def __str__(self) -> str:
        return self.title


class PresentationSection(Base):
    """A price zone of a presentation: every place it sells costs ``price_cents`` in ``currency``."""

    __tablename__ = "presentation_sections"
    __table_args__ = (
        UniqueConstraint("presentation_id", "name"),
        CheckConstraint("price_cents >= 0", name="price_nonnegative"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: new_id("zone"))
    presentation_id: Mapped[str] = mapped_column(ForeignKey("presentations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    sort: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    presentation: Mapped[Presentation] = relationship(lazy="raise")

    def __str__(self) -> str:
        return self.name


class PresentationSectionItem(Base):
    """Links a price zone to a location section it sells (of the presentation's location)."""

    __tablename__ = "presentation_section_items"
    __table_args__ = (UniqueConstraint("presentation_section_id", "location_section_id", name="uq_presentation_section_items_zone_section"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: new_id("item"))
    presentation_section_id: Mapped[str] = mapped_column(
        ForeignKey("presentation_sections.id", name="fk_presentation_section_items_zone"), index=True
    )
    location_section_id: Mapped[str] = mapped_column(
        ForeignKey("location_sections.id", name="fk_presentation_section_items_location_section"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    presentation_section: Mapped[PresentationSection] = relationship(lazy="raise")
    location_section: Mapped[LocationSection] = relationship(lazy="raise")


class Event(Base):
    """A dated function of a presentation. ``type`` standard|premium is read by the director context.

    ``status``: ``draft`` | ``on_sale`` | ``sold_out`` (set by sales, undone by cancellations) | ``cancelled``.
    ``presentation_id`` is NULL only for events created before the box office (director-only events).
    """

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("type IN ('standard','premium')", name="type"),
        CheckConstraint("status IN ('draft','on_sale','sold_out','cancelled')", name="status"),
        UniqueConstraint("presentation_id", "start_at"),
        Index("ix_events_start_at", "start_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: new_id("evt"))
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
    status: Mapped[str] = mapped_column(String(16), default="on_sale", server_default="on_sale")
    start_at: Mapped[datetime | None] = mapped_column(nullable=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    presentation_id: Mapped[str | None] = mapped_column(ForeignKey("presentations.id"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    presentation: Mapped[Presentation | None] = relationship(lazy="raise")

    def __str__(self) -> str:
        return f"{self.title} ({self.start_at:%Y-%m-%d %H:%M})" if self.start_at else self.title


class EventInventorySlot(Base):
    """One slot of the places sold (not cancelled) of one location section in one event.

    A (event, section) counter is ``inventory.SLOTS`` rows (fewer for a section of fewer places);
    slot ``k`` may hold at most its share of the capacity (:func:`taquilla.boxoffice.inventory.share`),
    so the sum never exceeds the capacity. Sales take a slot with room ``FOR UPDATE SKIP LOCKED``
    (buyers of one section no longer queue on one row). The database view ``event_inventory``
    (``event_id, location_section_id, sold``) is their sum per (event, section).
    """

    __tablename__ = "event_inventory_slots"
    __table_args__ = (
        CheckConstraint("sold >= 0", name="sold_nonnegative"),
        CheckConstraint("slot >= 0 AND slot < 32", name="slot_range"),
    )

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    location_section_id: Mapped[str] = mapped_column(ForeignKey("location_sections.id"), primary_key=True, index=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    sold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Ticket(Base):
    """One purchase by one customer for one event; ``total_cents`` = Σ its lines' prices."""

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("status IN ('paid','cancelled')", name="status"),
        CheckConstraint("total_cents >= 0", name="total_nonnegative"),
        Index("ix_tickets_event_created", "event_id", "created_at"),
        Index("ix_tickets_customer_document", "customer_document"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: new_id("tkt"))
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    customer_document: Mapped[str] = mapped_column(String(32))
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    total_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="paid", server_default="paid")
    created_at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp())
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)

    event: Mapped[Event] = relationship(lazy="raise")
    details: Mapped[list[TicketDetail]] = relationship(
        lazy="raise",
        back_populates="ticket",
        order_by="(TicketDetail.location_section_id, TicketDetail.location_section_index, TicketDetail.id)",
    )
    """The ticket's lines in seat order (load with ``selectinload``)."""

    def __str__(self) -> str:
        return self.id


class TicketDetail(Base):
    """One place bought: zone, zone item, location section, seat index/code (numbered only), price.

    ``debug_unguarded`` is true only for lines written while ``TAQUILLA_DEBUG_DISABLE_OVERSELL_GUARD``
    is on; such lines are outside the seat-uniqueness index so the race can be shown.
    """

    __tablename__ = "ticket_details"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_nonnegative"),
        Index("ix_ticket_details_ticket_id", "ticket_id"),
        Index(
            "uq_ticket_details_live_seat",
            "event_id",
            "location_section_id",
            "location_section_index",
            unique=True,
            postgresql_where=text("NOT cancelled AND NOT debug_unguarded AND location_section_index IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: new_id("tdet"))
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"))
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    presentation_section_id: Mapped[str] = mapped_column(ForeignKey("presentation_sections.id"), index=True)
    presentation_section_item_id: Mapped[str] = mapped_column(
        ForeignKey("presentation_section_items.id", name="fk_ticket_details_item"), index=True
    )
    location_section_id: Mapped[str] = mapped_column(ForeignKey("location_sections.id"), index=True)
    location_section_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seat_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    debug_unguarded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")

    ticket: Mapped[Ticket] = relationship(lazy="raise", back_populates="details")
