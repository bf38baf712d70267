"""Every query of box office events: uniqueness, search (prices and availability) and the detail read model.

ORM throughout. Availability reads the inventory counters (``event_inventory_slots``, summed) that
:mod:`taquilla.boxoffice.inventory` maintains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice.catalog.repository import exists_where
from taquilla.boxoffice.models import (
    Event,
    EventInventorySlot,
    Location,
    LocationSection,
    Presentation,
    PresentationSection,
    PresentationSectionItem,
    Ticket,
    TicketDetail,
)
from taquilla.core.queries import contains


async def event_slot_taken(session: AsyncSession, presentation_id: str, start_at: datetime, except_id: str | None = None) -> bool:
    """Another event of the presentation starts at ``start_at`` (UTC)."""
    conds = [Event.presentation_id == presentation_id, Event.start_at == start_at]
    if except_id:
        conds.append(Event.id != except_id)
    return await exists_where(session, Event, *conds)


async def event_has_tickets(session: AsyncSession, event_id: str) -> bool:
    """Any ticket (paid or cancelled) was sold for the event."""
    return await exists_where(session, Ticket, Ticket.event_id == event_id)


# ------------------------------------------------------------- event search


def _availability() -> Any:
    """Per event: ``capacity`` (Σ distinct sections) and ``available`` (Σ max(capacity − sold, 0))."""
    es = (
        select(Event.id.label("event_id"), LocationSection.id.label("section_id"), LocationSection.capacity.label("capacity"))
        .join(PresentationSection, PresentationSection.presentation_id == Event.presentation_id)
        .join(PresentationSectionItem, PresentationSectionItem.presentation_section_id == PresentationSection.id)
        .join(LocationSection, LocationSection.id == PresentationSectionItem.location_section_id)
        .distinct()
        .subquery("event_sections")
    )
    counted = (
        select(
            EventInventorySlot.event_id, EventInventorySlot.location_section_id, func.sum(EventInventorySlot.sold).label("sold")
        )
        .group_by(EventInventorySlot.event_id, EventInventorySlot.location_section_id)
        .subquery("counted")
    )
    sold = func.coalesce(counted.c.sold, 0)
    return (
        select(es.c.event_id, func.sum(es.c.capacity).label("capacity"), func.sum(func.greatest(es.c.capacity - sold, 0)).label("available"))
        .select_from(es)
        .outerjoin(counted, and_(counted.c.event_id == es.c.event_id, counted.c.location_section_id == es.c.section_id))
        .group_by(es.c.event_id)
        .subquery("availability")
    )


def _prices() -> Any:
    """Per presentation: min/max zone price (cents) and the currency when all zones share one."""
    return (
        select(
            PresentationSection.presentation_id,
            func.min(PresentationSection.price_cents).label("min_price"),
            func.max(PresentationSection.price_cents).label("max_price"),
            func.min(PresentationSection.currency).label("currency"),
        )
        .group_by(PresentationSection.presentation_id)
        .subquery("prices")
    )


@dataclass(frozen=True)
class EventFilters:
    """Filters of ``GET /api/v1/boxoffice/events``: datetimes UTC (``until`` exclusive), prices in cents, currency lower case."""

    title: str | None = None
    performer: str | None = None
    location: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    price_from: int | None = None
    price_to: int | None = None
    currency: str | None = None
    status: str | None = None
    type: str | None = None
    presentation_id: str | None = None


def _event_conditions(f: EventFilters) -> list[Any]:
    conds: list[Any] = []
    if f.title:
        conds.append(or_(contains(Event.title, f.title), contains(Presentation.title, f.title)))
    if f.performer:
        conds.append(contains(Presentation.performer_name, f.performer))
    if f.location:
        conds.append(or_(contains(Location.name, f.location), contains(Location.city, f.location)))
    if f.since:
        conds.append(Event.start_at >= f.since)
    if f.until:
        conds.append(Event.start_at < f.until)
    if f.status:
        conds.append(Event.status == f.status)
    if f.type:
        conds.append(Event.type == f.type)
    if f.presentation_id:
        conds.append(Event.presentation_id == f.presentation_id)
    if f.price_from is not None or f.price_to is not None or f.currency:
        zone = [PresentationSection.presentation_id == Event.presentation_id]
        if f.price_from is not None:
            zone.append(PresentationSection.price_cents >= f.price_from)
        if f.price_to is not None:
            zone.append(PresentationSection.price_cents <= f.price_to)
        if f.currency:
            zone.append(PresentationSection.currency == f.currency)
        conds.append(exists().where(*zone))
    return conds


async def search_events(
    session: AsyncSession, f: EventFilters, order_by: str, descending: bool, offset: int, limit: int
) -> tuple[int, list[Row[Any]]]:
    """``(total, one page)`` of rows: every ``events`` column plus ``performer_name``, ``location_id``,
    ``location_name``, ``min_price``/``max_price`` (cents), ``currency``, ``capacity``, ``available``.

    ``order_by`` is one of startAt|title|createdAt|minPrice|maxPrice|available (validated by the caller).
    """
    avail, prices = _availability(), _prices()
    joined = (
        select(Event.id)
        .select_from(Event)
        .outerjoin(Presentation, Presentation.id == Event.presentation_id)
        .outerjoin(Location, Location.id == Presentation.location_id)
        .where(*_event_conditions(f))
    )
    total = await session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    capacity, available = func.coalesce(avail.c.capacity, 0), func.coalesce(avail.c.available, 0)
    columns = {
        "startAt": Event.start_at,
        "title": Event.title,
        "createdAt": Event.created_at,
        "minPrice": prices.c.min_price,
        "maxPrice": prices.c.max_price,
        "available": available,
    }
    key = columns[order_by]
    ordering = [key.desc().nulls_last() if descending else key.asc().nulls_last(), Event.id.desc() if descending else Event.id]
    stmt = (
        joined.with_only_columns(
            *Event.__table__.c,
            Presentation.performer_name,
            Location.id.label("location_id"),
            Location.name.label("location_name"),
            prices.c.min_price,
            prices.c.max_price,
            prices.c.currency,
            capacity.label("capacity"),
            available.label("available"),
        )
        .outerjoin(prices, prices.c.presentation_id == Event.presentation_id)
        .outerjoin(avail, avail.c.event_id == Event.id)
        .order_by(*ordering)
        .offset(offset)
        .limit(limit)
    )
    return total, list((await session.execute(stmt)).all())


# -------------------------------------------------------------- event detail


async def event_with_place(session: AsyncSession, event_id: str) -> tuple[Event, Presentation | None, Location | None] | None:
    """The event with its presentation and location (``None`` when the event does not exist)."""
    stmt = (
        select(Event, Presentation, Location)
        .outerjoin(Presentation, Presentation.id == Event.presentation_id)
        .outerjoin(Location, Location.id == Presentation.location_id)
        .where(Event.id == event_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1], row[2])


async def zones_with_items(
    session: AsyncSession, presentation_id: str
) -> list[tuple[PresentationSection, PresentationSectionItem | None, LocationSection | None]]:
    """Every zone of the presentation with each item and its location section (zones without items once)."""
    stmt = (
        select(PresentationSection, PresentationSectionItem, LocationSection)
        .outerjoin(PresentationSectionItem, PresentationSectionItem.presentation_section_id == PresentationSection.id)
        .outerjoin(LocationSection, LocationSection.id == PresentationSectionItem.location_section_id)
        .where(PresentationSection.presentation_id == presentation_id)
        .order_by(PresentationSection.sort, PresentationSection.name, PresentationSection.id, LocationSection.sort, LocationSection.name)
    )
    return [(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]


async def taken_seats(session: AsyncSession, event_id: str) -> dict[str, set[int]]:
    """``{location_section_id: {seat index, …}}`` of the event's live (not cancelled) lines."""
    rows = await session.execute(
        select(TicketDetail.location_section_id, TicketDetail.location_section_index).where(
            TicketDetail.event_id == event_id,
            TicketDetail.cancelled.is_(False),
            TicketDetail.location_section_index.is_not(None),
        )
    )
    out: dict[str, set[int]] = {}
    for sid, idx in rows.all():
        out.setdefault(sid, set()).add(int(idx))
    return out
