"""Rules of box office sales (seed 004, DOMAIN.md "Box office").

* A sale is all-or-nothing, priced from its zones (each line = its zone's price, in cents), and
  never oversells: numbered seats are unique per (event, section, index) among live lines (a
  partial unique index) and every section's count is guarded in the sale's transaction
  (:func:`taquilla.boxoffice.inventory.reserve`).
* A sale is two calls the route makes in sequence in one transaction: :func:`record_sale`
  (check, price, insert) → the route stores the idempotent response → :func:`reserve_places`
  (counters last, so nothing but COMMIT follows their row locks). Any error rolls all of it back.
* Cancelling releases the ticket's places (:func:`taquilla.boxoffice.inventory.release`).
* Cached event details are outdated after commit; sales never read them.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice import inventory
from taquilla.boxoffice.context import BoxOfficeContext, event_changed, require
from taquilla.boxoffice.models import Event, Ticket
from taquilla.boxoffice.sales import repository
from taquilla.boxoffice.sales.repository import (
    SaleEvent,
    SaleItem,
    SaleSection,
    SaleZone,
)
from taquilla.boxoffice.sales.schemas import BoxOfficeTicketIn, BoxOfficeTicketOut
from taquilla.core.db import DriverTransaction
from taquilla.core.errors import BadRequest, Conflict, NotFound
from taquilla.core.ids import new_id
from taquilla.core.money import checked_cents, from_cents

DEBUG_RACE_WINDOW_SECONDS = 0.05
"""Guard off only: pause between the availability check and the insert, to make the race visible."""


@dataclass(slots=True)
class _Line:
    zone: SaleZone
    item: SaleItem
    section: SaleSection
    index: int | None


@dataclass(slots=True)
class Sale:
    """A sale written by :func:`record_sale` and not yet counted by :func:`reserve_places`.

    ``ticket`` is the response data, JSON-ready in the :class:`BoxOfficeTicketOut` shape (amounts Decimal
    from cents, ``createdAt`` UTC); ``wanted`` is ``{location_section_id: places}``.
    """

    ticket: dict[str, Any]
    event_id: str
    wanted: Counter[str]
    sections: dict[str, SaleSection]
    guarded: bool


def _check_on_sale(event: SaleEvent, now: datetime) -> None:
    if event.status == "sold_out":
        raise Conflict(f"Event {event.id!r} is sold out.", code="SOLD_OUT")
    if event.status != "on_sale" or event.presentation_id is None:
        raise Conflict(f"Event {event.id!r} is not on sale (status {event.status}).", code="EVENT_NOT_ON_SALE")
    if event.start_at is None or event.start_at <= now:
        raise Conflict(f"Event {event.id!r} has already started.", code="EVENT_STARTED")


def _resolve_lines(
    event: SaleEvent, body: BoxOfficeTicketIn, zones: dict[str, SaleZone], items: dict[str, tuple[SaleItem, SaleSection]]
) -> list[_Line]:
    """Check every requested place against the catalog; raise on the first bad one (nothing written yet)."""
    lines: list[_Line] = []
    seen: set[tuple[str, int]] = set()
    for n, d in enumerate(body.ticketDetails):
        where = f"ticketDetails[{n}]"
        zone = zones.get(d.presentationSectionId)
        if zone is None:
            raise NotFound(f"{where}: zone {d.presentationSectionId!r} not found.", code="ZONE_NOT_FOUND")
        if zone.presentation_id != event.presentation_id:
            raise BadRequest(f"{where}: zone {zone.id!r} is not sold by event {event.id!r}.", code="ZONE_NOT_IN_EVENT")
        found = items.get(d.presentationSectionItemId)
        if found is None:
            raise NotFound(f"{where}: zone item {d.presentationSectionItemId!r} not found.", code="ITEM_NOT_FOUND")
        item, section = found
        if item.presentation_section_id != zone.id:
            raise BadRequest(f"{where}: item {item.id!r} does not belong to zone {zone.id!r}.", code="ITEM_NOT_IN_ZONE")
        idx = d.locationSectionIndex
        if section.numbered:
            assert section.index_from is not None and section.index_to is not None
            if idx is None:
                raise BadRequest(f"{where}: section {section.name!r} is numbered; give locationSectionIndex.", code="SEAT_INDEX_REQUIRED")
            if not section.index_from <= idx <= section.index_to:
                raise BadRequest(
                    f"{where}: seat index {idx} is outside {section.index_from}–{section.index_to} of {section.name!r}.",
                    code="SEAT_INDEX_OUT_OF_RANGE",
                )
            if (section.id, idx) in seen:
                raise BadRequest(f"{where}: seat {section.seat_code(idx)} is requested twice.", code="DUPLICATE_SEAT")
            seen.add((section.id, idx))
        elif idx is not None:
            raise BadRequest(
                f"{where}: section {section.name!r} is general admission; do not give locationSectionIndex.",
                code="SEAT_INDEX_NOT_ALLOWED",
            )
        lines.append(_Line(zone, item, section, idx))
    if len({line.zone.currency for line in lines}) > 1:
        raise BadRequest("All places of a ticket must be priced in one currency.", code="MIXED_CURRENCY")
    return lines


_SEAT_KEY = re.compile(r"\)=\((?P<event>[^,]+), (?P<section>[^,]+), (?P<index>-?\d+)\)")


def _seat_taken(detail: str, sections: dict[str, SaleSection]) -> Conflict:
    """409 ``SEAT_TAKEN`` naming the seat from the unique-violation detail when it can be read."""
    match = _SEAT_KEY.search(detail)
    if match and match["section"] in sections:
        section = sections[match["section"]]
        code = section.seat_code(int(match["index"]))
        return Conflict(
            f"Seat {code} ({section.name}) is already sold.", code="SEAT_TAKEN", details={"seatCode": code, "locationSectionId": section.id}
        )
    return Conflict("One of the requested seats is already sold.", code="SEAT_TAKEN")


async def record_sale(session: AsyncSession | DriverTransaction, ctx: BoxOfficeContext, body: BoxOfficeTicketIn) -> Sale:
    """Check and write a sale of the requested places to one customer (ticket + lines), counters not yet raised.

    Each line costs its zone's price (cents); the total is bounded before anything is written.
    The caller then stores its response and calls :func:`reserve_places` in the same transaction.
    Raises BadRequest (``TOO_MANY_PLACES``, ``ZONE_NOT_IN_EVENT``, ``ITEM_NOT_IN_ZONE``, ``SEAT_INDEX_*``,
    ``DUPLICATE_SEAT``, ``MIXED_CURRENCY``, ``AMOUNT_TOO_LARGE``), NotFound (``EVENT_NOT_FOUND``,
    ``ZONE_NOT_FOUND``, ``ITEM_NOT_FOUND``), Conflict (``EVENT_NOT_ON_SALE``, ``EVENT_STARTED``,
    ``SOLD_OUT``, ``SEAT_TAKEN``, ``NOT_ENOUGH_PLACES``).
    """
    details_in = body.ticketDetails
    if len(details_in) > ctx.max_places_per_ticket:
        raise BadRequest(f"A ticket has at most {ctx.max_places_per_ticket} places (got {len(details_in)}).", code="TOO_MANY_PLACES")
    event, zones, items = await repository.sale_catalog(
        session, body.eventId, {d.presentationSectionId for d in details_in}, {d.presentationSectionItemId for d in details_in}
    )
    if event is None:
        raise NotFound(f"Event {body.eventId!r} not found.", code="EVENT_NOT_FOUND")
    _check_on_sale(event, datetime.now(UTC))
    lines = _resolve_lines(event, body, zones, items)
    lines.sort(key=lambda ln: (ln.section.id, ln.index if ln.index is not None else -1))  # one lock order for all buyers
    sections = {ln.section.id: ln.section for ln in lines}
    wanted = Counter(ln.section.id for ln in lines)
    for sid, n in wanted.items():
        if n > sections[sid].capacity:
            raise Conflict(f"Section {sections[sid].name!r} has only {sections[sid].capacity} places.", code="NOT_ENOUGH_PLACES")
    total = checked_cents(sum(ln.zone.price_cents for ln in lines), "ticket total")
    currency = lines[0].zone.currency
    guarded = not ctx.oversell_guard_disabled
    if not guarded:
        await _debug_unguarded_check(session, event.id, lines, sections, wanted)
    rows = [
        {
            "id": new_id("tdet"),
            "presentation_section_id": ln.zone.id,
            "presentation_section_item_id": ln.item.id,
            "location_section_id": ln.section.id,
            "location_section_index": ln.index,
            "seat_code": ln.section.seat_code(ln.index) if ln.index is not None else None,
            "price_cents": ln.zone.price_cents,
            "currency": ln.zone.currency,
        }
        for ln in lines
    ]
    ticket = {
        "id": new_id("tkt"),
        "event_id": event.id,
        "customer_document": body.customerDocument,
        "customer_name": body.customerName,
        "customer_email": body.customerEmail,
        "total_cents": total,
        "currency": currency,
    }
    try:
        created_at = await repository.insert_sale(session, ticket, rows, unguarded=not guarded)
    except asyncpg.UniqueViolationError as exc:
        raise _seat_taken(exc.detail or str(exc), sections) from exc
    out = _ticket_json(ticket, rows, created_at)  # hand-built (hot path): the BoxOfficeTicketOut shape without a model
    return Sale(ticket=out, event_id=event.id, wanted=wanted, sections=sections, guarded=guarded)


def _ticket_json(ticket: dict[str, Any], rows: list[dict[str, Any]], created_at: datetime) -> dict[str, Any]:
    return {
        "id": ticket["id"],
        "eventId": ticket["event_id"],
        "customerDocument": ticket["customer_document"],
        "customerName": ticket["customer_name"],
        "customerEmail": ticket["customer_email"],
        "status": "paid",
        "totalCents": ticket["total_cents"],
        "currency": ticket["currency"],
        "createdAt": created_at,
        "cancelledAt": None,
        "ticketDetails": [
            {
                "id": r["id"],
                "presentationSectionId": r["presentation_section_id"],
                "presentationSectionItemId": r["presentation_section_item_id"],
                "locationSectionId": r["location_section_id"],
                "locationSectionIndex": r["location_section_index"],
                "seatCode": r["seat_code"],
                "priceCents": r["price_cents"],
                "currency": r["currency"],
                "price": from_cents(r["price_cents"]),
            }
            for r in rows
        ],
        "total": from_cents(ticket["total_cents"]),
        "places": len(rows),
        "seatCodes": [r["seat_code"] for r in rows if r["seat_code"]],
    }


async def reserve_places(session: AsyncSession | DriverTransaction, ctx: BoxOfficeContext, sale: Sale) -> None:
    """Raise the inventory counters of a recorded sale (the last statements before COMMIT).

    A section that fills marks the event ``sold_out``; the event's cached detail is outdated
    after commit. Raises Conflict ``SOLD_OUT`` when a section has no room left (roll back).
    """
    await inventory.reserve(session, sale.event_id, sale.wanted, sale.sections, guarded=sale.guarded)
    event_changed(session, ctx, sale.event_id)


async def _debug_unguarded_check(
    session: AsyncSession | DriverTransaction, event_id: str, lines: list[_Line], sections: dict[str, SaleSection], wanted: Counter[str]
) -> None:
    """DEBUG ONLY (``TAQUILLA_DEBUG_DISABLE_OVERSELL_GUARD``): check-then-insert without locks.

    Reads availability, then pauses, then the caller inserts — the naive design the guard
    replaces. It exists so a test can show that the race really oversells.
    """
    sold = await inventory.sold_by_section(session, event_id)
    for sid, n in wanted.items():
        if sold.get(sid, 0) + n > sections[sid].capacity:
            raise Conflict(f"Not enough places left in {sections[sid].name!r}.", code="SOLD_OUT")
        seats = [ln.index for ln in lines if ln.section.id == sid and ln.index is not None]
        if seats and (taken := await repository.seats_taken_among(session, event_id, sid, seats)):
            raise Conflict(f"Seat {sections[sid].seat_code(taken[0])} is already sold.", code="SEAT_TAKEN")
    await asyncio.sleep(DEBUG_RACE_WINDOW_SECONDS)


# ------------------------------------------------------------ ticket reads


async def get_ticket(session: AsyncSession, ticket_id: str) -> BoxOfficeTicketOut:
    """A ticket with its lines. Raises NotFound ``TICKET_NOT_FOUND``."""
    ticket = await repository.get_ticket(session, ticket_id)
    if ticket is None:
        raise NotFound(f"Ticket {ticket_id!r} not found.", code="TICKET_NOT_FOUND")
    return BoxOfficeTicketOut.model_validate(ticket)


async def list_tickets(
    session: AsyncSession, event_id: str | None, customer_document: str | None, status: str | None, offset: int, limit: int
) -> tuple[int, list[BoxOfficeTicketOut]]:
    """``(total, one page)`` of tickets with their lines, newest first; ``customer_document`` as stored (upper case)."""
    total, rows = await repository.list_tickets(session, event_id, customer_document, status, offset, limit)
    return total, [BoxOfficeTicketOut.model_validate(t) for t in rows]


async def cancel_ticket(session: AsyncSession, ctx: BoxOfficeContext, ticket_id: str) -> BoxOfficeTicketOut:
    """Cancel a ticket and release its places; a sold-out event goes back on sale. ``cancelledAt`` is now (UTC).

    Raises NotFound ``TICKET_NOT_FOUND``, Conflict ``TICKET_ALREADY_CANCELLED`` / ``EVENT_STARTED``.
    """
    ticket: Ticket | None = await repository.get_ticket(session, ticket_id, for_update=True)
    if ticket is None:
        raise NotFound(f"Ticket {ticket_id!r} not found.", code="TICKET_NOT_FOUND")
    if ticket.status == "cancelled":
        raise Conflict(f"Ticket {ticket_id!r} is already cancelled.", code="TICKET_ALREADY_CANCELLED")
    event = await require(session, Event, ticket.event_id, "EVENT_NOT_FOUND", "Event")
    if event.start_at is not None and event.start_at <= datetime.now(UTC):
        raise Conflict("The event has already started; its tickets cannot be cancelled.", code="EVENT_STARTED")
    freed = Counter(d.location_section_id for d in ticket.details if not d.cancelled)
    await repository.cancel_lines(session, ticket)
    ticket.status = "cancelled"
    ticket.cancelled_at = datetime.now(UTC)
    await session.flush()
    await inventory.release(session, ticket.event_id, freed)
    event_changed(session, ctx, ticket.event_id)
    return BoxOfficeTicketOut.model_validate(ticket)
