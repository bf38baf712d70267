"""Every query of box office sales: the sale hot path, ticket reads and cancellation.

Raw SQL rule (STYLE.md): the sale (``POST /api/v1/boxoffice/tickets``) is the measured hot
path, so its statements are hand-written and run on the asyncpg connection of the request's
own transaction (:func:`taquilla.core.db.driver_connection`; the sale's route opens a
:class:`~taquilla.core.db.DriverTransaction`, no ORM session): SQLAlchemy statement execution
(cache keys, compilation lookup, result/ORM loading) was the largest CPU cost of a sale.
Moving the path off SQLAlchemy took the benchmark from ≈108 to ≈223–234 tickets/s (median
185 → ≈90 ms, driver/API 6.3× → ≈3×; ``BENCH_BOXOFFICE_SALES=2000``, 32 buyers, commit
c423a65). Same rows, same guards, same transaction as the session. The counter upsert that
ends a sale lives with the other counter statements in :mod:`taquilla.boxoffice.inventory`.
Everything else here uses the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from taquilla.boxoffice.models import Ticket, TicketDetail
from taquilla.core.db import DriverTransaction, driver_connection
from taquilla.core.queries import paginate

# ------------------------------------------------------------------- hot path


@dataclass(slots=True)
class SaleEvent:
    """The event row a sale needs (``start_at`` UTC)."""

    id: str
    status: str
    start_at: datetime | None
    presentation_id: str | None


@dataclass(slots=True)
class SaleZone:
    """A price zone: every place it sells costs ``price_cents`` in ``currency``."""

    id: str
    presentation_id: str
    price_cents: int
    currency: str


@dataclass(slots=True)
class SaleItem:
    """A zone item (the zone sells one location section)."""

    id: str
    presentation_section_id: str


@dataclass(slots=True)
class SaleSection:
    """A location section; numbered when ``index_prefix`` is set (seats ``index_from..index_to``)."""

    id: str
    name: str
    capacity: int
    index_prefix: str | None
    index_from: int | None
    index_to: int | None

    @property
    def numbered(self) -> bool:
        """True when the section sells individual seats."""
        return self.index_prefix is not None

    def seat_code(self, index: int) -> str:
        """``prefix + index`` (``A12``)."""
        return f"{self.index_prefix}{index}"


SALE_CATALOG_SQL = """
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
"""Hot path, one round trip: event $1 with the requested zones ($2) and items + sections ($3)."""


async def sale_catalog(
    session: AsyncSession | DriverTransaction, event_id: str, zone_ids: Iterable[str], item_ids: Iterable[str]
) -> tuple[SaleEvent | None, dict[str, SaleZone], dict[str, tuple[SaleItem, SaleSection]]]:
    """``(event or None, {zone id: zone}, {item id: (item, its section)})`` — only the ids that exist."""
    conn = await driver_connection(session)
    rows = await conn.fetch(SALE_CATALOG_SQL, event_id, list(zone_ids), list(item_ids))
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


INSERT_SALE_SQL = """
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
"""Hot path, one statement: the ticket ($1–$7) and all its lines (arrays $8–$14, $16; $15 = debug flag)."""


async def insert_sale(session: AsyncSession | DriverTransaction, ticket: dict[str, Any], rows: Sequence[dict[str, Any]], *, unguarded: bool) -> datetime:
    """Insert a ticket (``tickets`` column names as keys, amounts in cents) and its lines; return ``created_at`` (UTC).

    A taken seat raises ``asyncpg.UniqueViolationError`` (partial unique index ``uq_ticket_details_live_seat``).
    """
    conn = await driver_connection(session)
    created_at: datetime = await conn.fetchval(
        INSERT_SALE_SQL,
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


SEATS_TAKEN_SQL = """
SELECT location_section_index FROM ticket_details
 WHERE event_id = $1 AND location_section_id = $2 AND NOT cancelled AND location_section_index = ANY($3::int[])
"""


async def seats_taken_among(session: AsyncSession | DriverTransaction, event_id: str, section_id: str, indexes: list[int]) -> list[int]:
    """DEBUG ONLY (guard off): the indexes of ``indexes`` already sold (live) in (event, section); no lock."""
    rows = await (await driver_connection(session)).fetch(SEATS_TAKEN_SQL, event_id, section_id, indexes)
    return sorted(int(r[0]) for r in rows)


# ---------------------------------------------------------- reads and cancel


async def get_ticket(session: AsyncSession, ticket_id: str, *, for_update: bool = False) -> Ticket | None:
    """The ticket with its lines (``details``), optionally row-locked (``FOR UPDATE``); ``None`` if missing."""
    stmt = select(Ticket).where(Ticket.id == ticket_id).options(selectinload(Ticket.details))
    if for_update:
        stmt = stmt.with_for_update(of=Ticket)
    return (await session.scalars(stmt)).first()


def _tickets(event_id: str | None, customer_document: str | None, status: str | None) -> Select[Any]:
    stmt = select(Ticket)
    if event_id:
        stmt = stmt.where(Ticket.event_id == event_id)
    if customer_document:
        stmt = stmt.where(Ticket.customer_document == customer_document)
    if status:
        stmt = stmt.where(Ticket.status == status)
    return stmt


async def list_tickets(
    session: AsyncSession, event_id: str | None, customer_document: str | None, status: str | None, offset: int, limit: int
) -> tuple[int, list[Ticket]]:
    """``(total, one page)`` of tickets with their lines, newest first; ``None`` filters are skipped."""
    stmt = _tickets(event_id, customer_document, status).options(selectinload(Ticket.details))
    return await paginate(session, stmt, offset, limit, Ticket.created_at.desc(), Ticket.id.desc())


async def cancel_lines(session: AsyncSession, ticket: Ticket) -> None:
    """Mark the ticket's live lines cancelled (the loaded ``ticket.details`` follow)."""
    await session.execute(
        update(TicketDetail)
        .where(TicketDetail.ticket_id == ticket.id, TicketDetail.cancelled.is_(False))
        .values(cancelled=True)
        .execution_options(synchronize_session="evaluate")
    )
