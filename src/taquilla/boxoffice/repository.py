"""Every query of the box office context.

Sales use short Core statements (one round trip each). The inventory guards are the
partial unique index ``uq_ticket_details_live_seat`` for numbered seats and
:func:`reserve_places`, a guarded upsert of the per (event, location section)
``event_inventory`` counter, for every section (places sold = the counter).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.db import driver_connection
from taquilla.boxoffice.models import (
    Event,
    EventInventory,
    Location,
    LocationSection,
    Presentation,
    PresentationSection,
    PresentationSectionItem,
    Ticket,
    TicketDetail,
)
from taquilla.core.queries import contains
from taquilla.core.queries import paginate as page  # noqa: F401  (repository.page for routers)

M = TypeVar("M")


# ------------------------------------------------------------------ generic


async def get(session: AsyncSession, model: type[M], row_id: str) -> M | None:
    """The row of ``model`` with primary key ``row_id``, or ``None``."""
    return await session.get(model, row_id)


async def add(session: AsyncSession, row: M) -> M:
    """Insert ``row`` and flush (constraint errors surface here)."""
    session.add(row)
    await session.flush()
    return row


async def remove(session: AsyncSession, row: Any) -> None:
    """Delete ``row`` and flush."""
    await session.delete(row)
    await session.flush()


async def exists_where(session: AsyncSession, model: type, *conds: Any) -> bool:
    """True when a row of ``model`` matches ``conds``."""
    return bool(await session.scalar(select(exists().where(*conds)).select_from(model)))


# ------------------------------------------------------------------ catalog


async def location_name_taken(session: AsyncSession, name: str, except_id: str | None = None) -> bool:
    conds = [func.lower(Location.name) == name.lower()]
    if except_id:
        conds.append(Location.id != except_id)
    return await exists_where(session, Location, *conds)


async def section_name_taken(session: AsyncSession, location_id: str, name: str, except_id: str | None = None) -> bool:
    conds = [LocationSection.location_id == location_id, LocationSection.name == name]
    if except_id:
        conds.append(LocationSection.id != except_id)
    return await exists_where(session, LocationSection, *conds)


async def overlapping_numbered_section(
    session: AsyncSession, location_id: str, prefix: str, index_from: int, index_to: int, except_id: str | None = None
) -> LocationSection | None:
    """A numbered section of the location whose seat codes would collide (same prefix, ranges overlap)."""
    conds = [
        LocationSection.location_id == location_id,
        LocationSection.index_prefix == prefix,
        LocationSection.index_from <= index_to,
        LocationSection.index_to >= index_from,
    ]
    if except_id:
        conds.append(LocationSection.id != except_id)
    return (await session.scalars(select(LocationSection).where(*conds).limit(1))).first()


async def section_has_live_sales(session: AsyncSession, section_id: str) -> bool:
    return await exists_where(
        session, TicketDetail, TicketDetail.location_section_id == section_id, TicketDetail.cancelled.is_(False)
    )


async def presentation_title_taken(session: AsyncSession, location_id: str, title: str, except_id: str | None = None) -> bool:
    conds = [Presentation.location_id == location_id, Presentation.title == title]
    if except_id:
        conds.append(Presentation.id != except_id)
    return await exists_where(session, Presentation, *conds)


async def zone_name_taken(session: AsyncSession, presentation_id: str, name: str, except_id: str | None = None) -> bool:
    conds = [PresentationSection.presentation_id == presentation_id, PresentationSection.name == name]
    if except_id:
        conds.append(PresentationSection.id != except_id)
    return await exists_where(session, PresentationSection, *conds)


async def item_exists(session: AsyncSession, zone_id: str, section_id: str) -> bool:
    return await exists_where(
        session,
        PresentationSectionItem,
        PresentationSectionItem.presentation_section_id == zone_id,
        PresentationSectionItem.location_section_id == section_id,
    )


async def event_slot_taken(session: AsyncSession, presentation_id: str, start_at: datetime, except_id: str | None = None) -> bool:
    conds = [Event.presentation_id == presentation_id, Event.start_at == start_at]
    if except_id:
        conds.append(Event.id != except_id)
    return await exists_where(session, Event, *conds)


async def event_has_tickets(session: AsyncSession, event_id: str) -> bool:
    return await exists_where(session, Ticket, Ticket.event_id == event_id)


async def delete_event_inventory(session: AsyncSession, event_id: str) -> None:
    await session.execute(delete(EventInventory).where(EventInventory.event_id == event_id))


async def events_of_presentation(session: AsyncSession, presentation_id: str) -> list[str]:
    return list((await session.scalars(select(Event.id).where(Event.presentation_id == presentation_id))).all())


async def events_selling_section(session: AsyncSession, section_id: str) -> list[str]:
    """Ids of the events whose presentation sells ``section_id``."""
    stmt = (
        select(Event.id)
        .join(PresentationSection, PresentationSection.presentation_id == Event.presentation_id)
        .join(PresentationSectionItem, PresentationSectionItem.presentation_section_id == PresentationSection.id)
        .where(PresentationSectionItem.location_section_id == section_id)
        .distinct()
    )
    return list((await session.scalars(stmt)).all())


# ------------------------------------------------------------- event search


def _sections_of_events() -> Any:
    """Distinct (event, location section, capacity) sold by each event's presentation."""
    return (
        select(
            Event.id.label("event_id"),
            LocationSection.id.label("section_id"),
            LocationSection.capacity.label("capacity"),
        )
        .join(PresentationSection, PresentationSection.presentation_id == Event.presentation_id)
        .join(PresentationSectionItem, PresentationSectionItem.presentation_section_id == PresentationSection.id)
        .join(LocationSection, LocationSection.id == PresentationSectionItem.location_section_id)
        .distinct()
        .subquery("event_sections")
    )


def availability_subquery() -> Any:
    """Per event: ``capacity`` (Σ distinct sections) and ``available`` (Σ max(capacity − sold, 0))."""
    es = _sections_of_events()
    sold = func.coalesce(EventInventory.sold, 0)
    return (
        select(
            es.c.event_id,
            func.sum(es.c.capacity).label("capacity"),
            func.sum(func.greatest(es.c.capacity - sold, 0)).label("available"),
        )
        .select_from(es)
        .outerjoin(
            EventInventory,
            and_(EventInventory.event_id == es.c.event_id, EventInventory.location_section_id == es.c.section_id),
        )
        .group_by(es.c.event_id)
        .subquery("availability")
    )


def prices_subquery() -> Any:
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
    """Filters of ``GET /api/v1/boxoffice/events``; datetimes are UTC, ``until`` exclusive; prices in cents."""

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
) -> tuple[int, list[dict[str, Any]]]:
    """One page of events with presentation, location, prices and availability; ``order_by`` is pre-validated."""
    avail = availability_subquery()
    prices = prices_subquery()
    base = (
        select(Event.id)
        .select_from(Event)
        .outerjoin(Presentation, Presentation.id == Event.presentation_id)
        .outerjoin(Location, Location.id == Presentation.location_id)
        .where(*_event_conditions(f))
    )
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    capacity = func.coalesce(avail.c.capacity, 0)
    available = func.coalesce(avail.c.available, 0)
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
        select(
            Event,
            Presentation.performer_name,
            Location.id.label("location_id"),
            Location.name.label("location_name"),
            prices.c.min_price,
            prices.c.max_price,
            prices.c.currency,
            capacity.label("capacity"),
            available.label("available"),
        )
        .select_from(Event)
        .outerjoin(Presentation, Presentation.id == Event.presentation_id)
        .outerjoin(Location, Location.id == Presentation.location_id)
        .outerjoin(prices, prices.c.presentation_id == Event.presentation_id)
        .outerjoin(avail, avail.c.event_id == Event.id)
        .where(*_event_conditions(f))
        .order_by(*ordering)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return total, [dict(r._mapping) for r in rows]


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
        .order_by(
            PresentationSection.sort, PresentationSection.name, PresentationSection.id, LocationSection.sort, LocationSection.name
        )
    )
    return [(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]


async def sold_by_section(session: AsyncSession, event_id: str) -> dict[str, int]:
    """``{location_section_id: places sold}`` of the event (inventory counters)."""
    rows = await session.execute(
        select(EventInventory.location_section_id, EventInventory.sold).where(EventInventory.event_id == event_id)
    )
    return {sid: int(sold) for sid, sold in rows.all()}


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


# -------------------------------------------------------------------- sales

# The sale hot path (``POST /tickets``) runs hand-written SQL on the asyncpg connection of the
# request's own transaction (:func:`_driver`): SQLAlchemy statement execution (cache keys,
# compilation lookup, result/ORM loading) was the largest CPU cost of a sale. Same rows, same
# guards, same transaction as the session.


@dataclass(slots=True)
class SaleEvent:
    id: str
    status: str
    start_at: datetime | None
    presentation_id: str | None


@dataclass(slots=True)
class SaleZone:
    id: str
    presentation_id: str
    price_cents: int
    currency: str


@dataclass(slots=True)
class SaleItem:
    id: str
    presentation_section_id: str


@dataclass(slots=True)
class SaleSection:
    id: str
    name: str
    capacity: int
    index_prefix: str | None
    index_from: int | None
    index_to: int | None

    @property
    def numbered(self) -> bool:
        return self.index_prefix is not None

    def seat_code(self, index: int) -> str:
        return f"{self.index_prefix}{index}"


_driver = driver_connection


_SALE_CATALOG = """
SELECT e.id, e.status, e.start_at, e.presentation_id,
       z.id, z.presentation_id, z.price_cents, z.currency,
       i.id, i.presentation_section_id,
       s.id, s.name, s.capacity, s.index_prefix, s.index_from, s.index_to
FROM events e
LEFT JOIN presentation_sections z ON z.id = ANY($2::text[])
LEFT JOIN (presentation_section_items i JOIN location_sections s ON s.id = i.location_section_id)
       ON i.id = ANY($3::text[])
WHERE e.id = $1
"""


async def sale_catalog(
    session: AsyncSession, event_id: str, zone_ids: Iterable[str], item_ids: Iterable[str]
) -> tuple[SaleEvent | None, dict[str, SaleZone], dict[str, tuple[SaleItem, SaleSection]]]:
    """The event, the requested zones and the requested items with their sections, in one round trip."""
    conn = await _driver(session)
    rows = await conn.fetch(_SALE_CATALOG, event_id, list(zone_ids), list(item_ids))
    if not rows:
        return None, {}, {}
    r0 = rows[0]
    event = SaleEvent(r0[0], r0[1], r0[2], r0[3])
    zones: dict[str, SaleZone] = {}
    items: dict[str, tuple[SaleItem, SaleSection]] = {}
    for r in rows:
        if r[4] is not None and r[4] not in zones:
            zones[r[4]] = SaleZone(r[4], r[5], r[6], r[7])
        if r[8] is not None and r[8] not in items:
            items[r[8]] = (SaleItem(r[8], r[9]), SaleSection(r[10], r[11], r[12], r[13], r[14], r[15]))
    return event, zones, items


_INSERT_SALE = """
WITH t AS (
    INSERT INTO tickets (id, event_id, customer_document, customer_name, customer_email, total_cents, currency, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, 'paid')
    RETURNING created_at
), d AS (
    INSERT INTO ticket_details (id, ticket_id, event_id, presentation_section_id, presentation_section_item_id,
                                location_section_id, location_section_index, seat_code, price_cents, currency,
                                cancelled, debug_unguarded)
    SELECT u.id, $1, $2, u.zone, u.item, u.section, u.idx, u.seat, u.price, u.currency, false, $15
    FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::int[], $13::text[], $14::bigint[], $16::text[])
         AS u(id, zone, item, section, idx, seat, price, currency)
)
SELECT created_at FROM t
"""


async def insert_sale(session: AsyncSession, ticket: dict[str, Any], rows: Sequence[dict[str, Any]], *, unguarded: bool) -> datetime:
    """Insert a ticket and its lines in one statement; return the ticket's ``created_at``.

    A taken seat raises ``asyncpg.UniqueViolationError`` (partial unique index on live seats).
    """
    conn = await _driver(session)
    created_at: datetime = await conn.fetchval(
        _INSERT_SALE,
        ticket["id"],
        ticket["event_id"],
        ticket["customer_document"],
        ticket["customer_name"],
        ticket["customer_email"],
        ticket["total_cents"],
        ticket["currency"],
        [r["id"] for r in rows],
        [r["presentation_section_id"] for r in rows],
        [r["presentation_section_item_id"] for r in rows],
        [r["location_section_id"] for r in rows],
        [r["location_section_index"] for r in rows],
        [r["seat_code"] for r in rows],
        [r["price_cents"] for r in rows],
        unguarded,
        [r["currency"] for r in rows],
    )
    return created_at


_RESERVE_SQL = """
INSERT INTO event_inventory (event_id, location_section_id, sold) VALUES ($1, $2, $3)
ON CONFLICT (event_id, location_section_id)
DO UPDATE SET sold = event_inventory.sold + EXCLUDED.sold
WHERE event_inventory.sold + EXCLUDED.sold <= $4
RETURNING sold
"""


async def reserve_places_fast(session: AsyncSession, event_id: str, section_id: str, n: int, capacity: int) -> int | None:
    """:func:`reserve_places` on the driver connection (the sale's last statement before COMMIT)."""
    conn = await _driver(session)
    sold: int | None = await conn.fetchval(_RESERVE_SQL, event_id, section_id, n, capacity)
    return sold



async def zones_by_ids(session: AsyncSession, ids: Iterable[str]) -> dict[str, PresentationSection]:
    rows = await session.scalars(select(PresentationSection).where(PresentationSection.id.in_(list(ids))))
    return {z.id: z for z in rows.all()}


async def items_with_sections(
    session: AsyncSession, ids: Iterable[str]
) -> dict[str, tuple[PresentationSectionItem, LocationSection]]:
    stmt = select(PresentationSectionItem, LocationSection).join(
        LocationSection, LocationSection.id == PresentationSectionItem.location_section_id
    ).where(PresentationSectionItem.id.in_(list(ids)))
    return {item.id: (item, section) for item, section in (await session.execute(stmt)).all()}


async def insert_ticket(session: AsyncSession, values: dict[str, Any]) -> datetime:
    """Insert a ticket row; return its ``created_at``."""
    return (await session.execute(insert(Ticket).values(**values).returning(Ticket.created_at))).scalar_one()


async def insert_details(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ticket lines in one statement (rows already in a stable lock order)."""
    await session.execute(insert(TicketDetail).values(list(rows)))


_RESERVE = text(
    """
    INSERT INTO event_inventory (event_id, location_section_id, sold) VALUES (:event_id, :section_id, :n)
    ON CONFLICT (event_id, location_section_id)
    DO UPDATE SET sold = event_inventory.sold + EXCLUDED.sold
    WHERE event_inventory.sold + EXCLUDED.sold <= :capacity
    RETURNING sold
    """
)


async def reserve_places(session: AsyncSession, event_id: str, section_id: str, n: int, capacity: int) -> int | None:
    """Add ``n`` sold places to (event, section) only if the total stays ≤ ``capacity``.

    Returns the new sold count, or ``None`` when there was not enough room. The row lock it
    takes is held until commit, so concurrent buyers of one section are serialised here.
    Callers pass ``n ≤ capacity``.
    """
    return (
        await session.execute(_RESERVE, {"event_id": event_id, "section_id": section_id, "n": n, "capacity": capacity})
    ).scalar_one_or_none()


_ADD_UNGUARDED = text(
    """
    INSERT INTO event_inventory (event_id, location_section_id, sold) VALUES (:event_id, :section_id, :n)
    ON CONFLICT (event_id, location_section_id) DO UPDATE SET sold = event_inventory.sold + EXCLUDED.sold
    RETURNING sold
    """
)


async def add_places_unguarded(session: AsyncSession, event_id: str, section_id: str, n: int) -> int:
    """DEBUG ONLY (guard off): add ``n`` sold places without any capacity condition."""
    return (await session.execute(_ADD_UNGUARDED, {"event_id": event_id, "section_id": section_id, "n": n})).scalar_one()


async def seats_taken_among(session: AsyncSession, event_id: str, section_id: str, indexes: list[int]) -> list[int]:
    """The indexes of ``indexes`` already sold (live) in (event, section); a plain read, no lock."""
    rows = await session.scalars(
        select(TicketDetail.location_section_index).where(
            TicketDetail.event_id == event_id,
            TicketDetail.location_section_id == section_id,
            TicketDetail.cancelled.is_(False),
            TicketDetail.location_section_index.in_(indexes),
        )
    )
    return sorted(int(i) for i in rows.all())


async def lock_event(session: AsyncSession, event_id: str) -> str | None:
    """``SELECT status … FOR NO KEY UPDATE``: serialises sell-out decisions of one event.

    NO KEY: the ``FOR KEY SHARE`` locks that concurrent ticket inserts take on the event
    (foreign key) must not wait for it, or buyers holding inventory rows would deadlock.
    """
    return await session.scalar(select(Event.status).where(Event.id == event_id).with_for_update(key_share=True))


_REMAINING = text(
    """
    SELECT COUNT(*) AS sections,
           COALESCE(SUM(GREATEST(ls.capacity - COALESCE(inv.sold, 0), 0)), 0) AS remaining
      FROM (SELECT DISTINCT psi.location_section_id
              FROM presentation_section_items psi
              JOIN presentation_sections ps ON ps.id = psi.presentation_section_id
              JOIN events e ON e.presentation_id = ps.presentation_id
             WHERE e.id = :event_id) s
      JOIN location_sections ls ON ls.id = s.location_section_id
      LEFT JOIN event_inventory inv ON inv.event_id = :event_id AND inv.location_section_id = s.location_section_id
    """
)


async def event_remaining(session: AsyncSession, event_id: str) -> tuple[int, int]:
    """``(sections sold by the event, places left)`` as committed (plus this transaction's own writes)."""
    row = (await session.execute(_REMAINING, {"event_id": event_id})).one()
    return int(row.sections), int(row.remaining)


async def set_event_status(session: AsyncSession, event_id: str, status: str, *, when: str) -> bool:
    """``UPDATE events SET status`` only while it is ``when``; True when a row changed."""
    result = await session.execute(
        update(Event).where(Event.id == event_id, Event.status == when).values(status=status, updated_at=func.now())
    )
    return bool(result.rowcount)


async def lock_ticket(session: AsyncSession, ticket_id: str) -> Ticket | None:
    return (await session.scalars(select(Ticket).where(Ticket.id == ticket_id).with_for_update())).first()


async def cancel_details(session: AsyncSession, ticket_id: str) -> list[TicketDetail]:
    """Mark the ticket's live lines cancelled; return them (as they were)."""
    rows = await session.scalars(
        update(TicketDetail)
        .where(TicketDetail.ticket_id == ticket_id, TicketDetail.cancelled.is_(False))
        .values(cancelled=True)
        .returning(TicketDetail)
    )
    return list(rows.all())


async def release_places(session: AsyncSession, event_id: str, section_id: str, n: int) -> None:
    """Give back ``n`` places of (event, section)."""
    await session.execute(
        update(EventInventory)
        .where(EventInventory.event_id == event_id, EventInventory.location_section_id == section_id)
        .values(sold=func.greatest(EventInventory.sold - n, 0))
    )


async def ticket_details(session: AsyncSession, ticket_ids: Sequence[str]) -> dict[str, list[TicketDetail]]:
    """Lines of ``ticket_ids`` grouped by ticket, in seat order."""
    if not ticket_ids:
        return {}
    rows = await session.scalars(
        select(TicketDetail)
        .where(TicketDetail.ticket_id.in_(list(ticket_ids)))
        .order_by(TicketDetail.ticket_id, TicketDetail.location_section_id, TicketDetail.location_section_index, TicketDetail.id)
    )
    out: dict[str, list[TicketDetail]] = {t: [] for t in ticket_ids}
    for d in rows.all():
        out[d.ticket_id].append(d)
    return out


def tickets_query(event_id: str | None, customer_document: str | None, status: str | None) -> Select[Any]:
    """Tickets filtered by event / customer document / status, newest first."""
    stmt = select(Ticket)
    if event_id:
        stmt = stmt.where(Ticket.event_id == event_id)
    if customer_document:
        stmt = stmt.where(Ticket.customer_document == customer_document)
    if status:
        stmt = stmt.where(Ticket.status == status)
    return stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc())


def catalog_query(model: type, filters: dict[str, Any], text_filters: dict[str, str | None], order: Sequence[Any]) -> Select[Any]:
    """``select(model)`` with equality ``filters`` (None skipped), escaped ILIKE ``text_filters`` and ``order``."""
    stmt = select(model)
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(model, column) == value)
    for column, value in text_filters.items():
        if value:
            stmt = stmt.where(contains(getattr(model, column), value))
    return stmt.order_by(*order)

