"""Rules of box office events (seed 004, DOMAIN.md "Box office"): dated functions, search and detail.

An event is a dated function of a presentation (``startAt`` UTC, ``type`` standard|premium,
read by the director context). ``status`` draft|on_sale|cancelled is written by staff;
``sold_out`` follows the inventory (:func:`taquilla.boxoffice.inventory.sync_sellout` after
every create/update). The detail is a read model cached in Redis (:mod:`taquilla.boxoffice.cache`),
outdated after commit; sales never read it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice import cache, inventory
from taquilla.boxoffice.context import (
    BoxOfficeContext,
    event_changed,
    flush_checked,
    free_id,
    require,
)
from taquilla.boxoffice.events import repository
from taquilla.boxoffice.events.repository import EventFilters
from taquilla.boxoffice.events.schemas import EventIn, EventOut, EventPatch, EventRow
from taquilla.boxoffice.models import (
    Event,
    LocationSection,
    Presentation,
    PresentationSectionItem,
)
from taquilla.core.errors import Conflict, NotFound
from taquilla.core.jsonenc import dumps
from taquilla.core.money import from_cents


async def get_event(session: AsyncSession, event_id: str) -> Event:
    """The event row. Raises NotFound ``EVENT_NOT_FOUND``."""
    return await require(session, Event, event_id, "EVENT_NOT_FOUND", "Event")


async def create_event(session: AsyncSession, ctx: BoxOfficeContext, body: EventIn) -> Event:
    """Create a dated function (``startAt`` stored in UTC). Raises NotFound ``PRESENTATION_NOT_FOUND``,
    Conflict ``EVENT_EXISTS`` (same id, or the presentation already has a function at ``startAt``)."""
    presentation: Presentation = await require(session, Presentation, body.presentationId, "PRESENTATION_NOT_FOUND", "Presentation")
    eid = await free_id(session, Event, body.id, "evt", "EVENT_EXISTS", "Event")
    start = body.startAt.astimezone(UTC)
    if await repository.event_slot_taken(session, presentation.id, start):
        raise Conflict("The presentation already has a function at this startAt.", code="EVENT_EXISTS")
    row = Event(
        id=eid,
        presentation_id=presentation.id,
        title=body.title or presentation.title,
        description=body.description if body.description is not None else presentation.description,
        start_at=start,
        status=body.status,
        type=body.type,
    )
    session.add(row)
    await flush_checked(session, unique=Conflict("The event already exists.", code="EVENT_EXISTS"))
    await inventory.sync_sellout(session, eid)
    await session.refresh(row)
    return row


async def update_event(session: AsyncSession, ctx: BoxOfficeContext, event_id: str, body: EventPatch) -> Event:
    """Change an event. Status ``on_sale`` becomes ``sold_out`` when nothing is left.

    Raises NotFound, Conflict ``EVENT_EXISTS`` / ``EVENT_HAS_TICKETS`` (presentation change after sales).
    """
    row: Event = await get_event(session, event_id)
    data = body.model_dump(exclude_unset=True, exclude_none=True)
    if "presentationId" in data and data["presentationId"] != row.presentation_id:
        await require(session, Presentation, data["presentationId"], "PRESENTATION_NOT_FOUND", "Presentation")
        if await repository.event_has_tickets(session, event_id):
            raise Conflict("The event has tickets; its presentation cannot change.", code="EVENT_HAS_TICKETS")
        row.presentation_id = data["presentationId"]
    if "startAt" in data:
        row.start_at = data["startAt"].astimezone(UTC)
    if row.presentation_id and row.start_at and await repository.event_slot_taken(session, row.presentation_id, row.start_at, event_id):
        raise Conflict("The presentation already has a function at this startAt.", code="EVENT_EXISTS")
    for key in ("status", "type", "title", "description"):
        if key in data:
            setattr(row, key, data[key])
    row.updated_at = datetime.now(UTC)
    await flush_checked(session, unique=Conflict("The presentation already has a function at this startAt.", code="EVENT_EXISTS"))
    await inventory.sync_sellout(session, event_id)
    await session.refresh(row)
    event_changed(session, ctx, event_id)
    return row


async def delete_event(session: AsyncSession, ctx: BoxOfficeContext, event_id: str) -> None:
    """Delete an event without tickets (or other references). Raises NotFound, Conflict ``EVENT_IN_USE``."""
    row = await get_event(session, event_id)
    if await repository.event_has_tickets(session, event_id):
        raise Conflict("The event has tickets; cancel it instead.", code="EVENT_IN_USE")
    await inventory.drop_event(session, event_id)
    await session.delete(row)
    await flush_checked(session, foreign=Conflict("The event is referenced elsewhere (e.g. director ledger).", code="EVENT_IN_USE"))
    event_changed(session, ctx, event_id)


async def search_events(
    session: AsyncSession, filters: EventFilters, order_by: str, descending: bool, offset: int, limit: int
) -> tuple[int, list[EventRow]]:
    """``(total, one page)`` of :class:`EventRow` (prices over zones in cents and major units, availability)."""
    total, rows = await repository.search_events(session, filters, order_by, descending, offset, limit)
    return total, [EventRow.model_validate(r) for r in rows]


# -------------------------------------------------------------- event detail


async def event_detail_json(session: AsyncSession, ctx: BoxOfficeContext, event_id: str) -> tuple[str, bool]:
    """The event detail (:class:`EventDetailOut` shape) as a JSON string, and whether it came from the cache.

    Cached in Redis for ``ctx.cache_ttl_seconds`` under the catalog/event version tags read
    before computing it (:mod:`taquilla.boxoffice.cache`). Raises NotFound ``EVENT_NOT_FOUND``.
    """
    cached, tag = await cache.read_detail(ctx.redis, event_id)
    if cached is not None:
        return cached, True
    body = dumps(await build_event_detail(session, event_id)).decode()
    await cache.store_detail(ctx.redis, event_id, tag, body, ctx.cache_ttl_seconds)
    return body, False


def _item(item: PresentationSectionItem, section: LocationSection, available: int, taken: set[int]) -> dict[str, Any]:
    seats = None
    if section.numbered:
        assert section.index_from is not None and section.index_to is not None
        prefix = section.index_prefix
        seats = [{"index": i, "code": f"{prefix}{i}", "available": i not in taken} for i in range(section.index_from, section.index_to + 1)]
    return {
        "id": item.id,
        "locationSectionId": section.id,
        "name": section.name,
        "numbered": section.numbered,
        "indexPrefix": section.index_prefix,
        "indexFrom": section.index_from,
        "indexTo": section.index_to,
        "sort": section.sort,
        "capacity": section.capacity,
        "available": available,
        "seats": seats,
    }


async def build_event_detail(session: AsyncSession, event_id: str) -> dict[str, Any]:
    """The detail of :func:`event_detail_json` computed from the database (a JSON-ready dict, amounts Decimal).

    Built as dicts, not models: a 10,000-seat event has 10,000 seat entries. Raises NotFound ``EVENT_NOT_FOUND``.
    """
    found = await repository.event_with_place(session, event_id)
    if found is None:
        raise NotFound(f"Event {event_id!r} not found.", code="EVENT_NOT_FOUND")
    event, presentation, location = found
    data: dict[str, Any] = EventOut.model_validate(event).model_dump()
    data["presentation"] = (
        {
            "id": presentation.id,
            "title": presentation.title,
            "description": presentation.description,
            "performerName": presentation.performer_name,
            "organizer": presentation.organizer,
        }
        if presentation
        else None
    )
    data["location"] = {"id": location.id, "name": location.name, "address": location.address, "city": location.city} if location else None
    rows = await repository.zones_with_items(session, presentation.id) if presentation else []
    sold = await inventory.sold_by_section(session, event_id) if rows else {}
    taken = await repository.taken_seats(session, event_id) if rows else {}
    zones: dict[str, dict[str, Any]] = {}
    sections: dict[str, tuple[int, int]] = {}
    for zone, item, section in rows:
        z = zones.get(zone.id)
        if z is None:
            z = zones[zone.id] = {
                "id": zone.id,
                "name": zone.name,
                "price": from_cents(zone.price_cents),
                "priceCents": zone.price_cents,
                "currency": zone.currency,
                "sort": zone.sort,
                "capacity": 0,
                "available": 0,
                "items": [],
            }
        if item is None or section is None:
            continue
        available = max(section.capacity - sold.get(section.id, 0), 0)
        sections[section.id] = (section.capacity, available)
        z["items"].append(_item(item, section, available, taken.get(section.id, set())))
        z["capacity"] += section.capacity
        z["available"] += available
    prices = [z["priceCents"] for z in zones.values()]
    currencies = {z["currency"] for z in zones.values()}
    data.update(
        {
            "capacity": sum(c for c, _ in sections.values()),
            "available": sum(a for _, a in sections.values()),
            "minPriceCents": min(prices) if prices else None,
            "maxPriceCents": max(prices) if prices else None,
            "minPrice": from_cents(min(prices)) if prices else None,
            "maxPrice": from_cents(max(prices)) if prices else None,
            "currency": next(iter(currencies)) if len(currencies) == 1 else None,
            "zones": list(zones.values()),
        }
    )
    return data
