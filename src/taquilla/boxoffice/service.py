"""Rules of the box office context (seed 004, DOMAIN.md "Box office").

* Inventory is per event: available(event, location section) = capacity − places sold
  (not cancelled) for that event; two zones selling one location section share it.
* A sale is all-or-nothing, priced from its zones, and never oversells: numbered seats are
  unique per (event, section, index) among live lines (partial unique index), and every
  section's count is guarded in the sale's transaction (:func:`repository.reserve_places`).
* An event is ``sold_out`` exactly when nothing is left: the sale that fills a section takes
  the event's row lock and checks the other sections (:func:`sync_sellout`); a cancellation
  takes the same lock before releasing places and puts the event back on sale.
* Cached details are outdated after commit (:mod:`taquilla.boxoffice.cache`); sales never read them.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice import cache, repository
from taquilla.boxoffice.models import (
    Event,
    Location,
    LocationSection,
    Presentation,
    PresentationSection,
    PresentationSectionItem,
    Ticket,
    TicketDetail,
)
from taquilla.boxoffice.schemas import (
    EventIn,
    EventOut,
    EventPatch,
    LocationIn,
    LocationPatch,
    LocationSectionIn,
    LocationSectionPatch,
    PresentationIn,
    PresentationPatch,
    PresentationSectionIn,
    PresentationSectionItemIn,
    PresentationSectionPatch,
    SectionFields,
    TicketDetailOut,
    TicketIn,
    TicketOut,
)
from taquilla.core.db import after_commit
from taquilla.core.errors import BadRequest, Conflict, NotFound, TaquillaError
from taquilla.core.ids import new_id
from taquilla.core.jsonenc import dumps
from taquilla.core.money import from_cents, to_cents

DEBUG_RACE_WINDOW_SECONDS = 0.05
"""Guard off only: pause between the availability check and the insert, to make the race visible."""


@dataclass(frozen=True)
class BoxOfficeContext:
    """What the box office service needs besides the session."""

    redis: Redis
    max_places_per_ticket: int
    cache_ttl_seconds: int
    oversell_guard_disabled: bool = False


# ----------------------------------------------------------------- helpers


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


async def _flush(session: AsyncSession, *, unique: TaquillaError | None = None, foreign: TaquillaError | None = None) -> None:
    """Flush; a unique violation becomes ``unique`` and a foreign-key violation ``foreign`` (races the checks missed)."""
    try:
        await session.flush()
    except IntegrityError as exc:
        state = _sqlstate(exc)
        if state == "23505" and unique is not None:
            raise unique from exc
        if state == "23503" and foreign is not None:
            raise foreign from exc
        raise


def _merge(model: type[BaseModel], current: dict[str, Any], patch: BaseModel) -> Any:
    """``current`` updated with the fields sent in ``patch``, validated as ``model``. Raises BadRequest."""
    data = {**current, **patch.model_dump(exclude_unset=True)}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        where = f" ({field})" if field else ""
        raise BadRequest(f"Invalid input{where}: {first.get('msg', 'invalid')}", code="VALIDATION_ERROR") from exc


def _catalog_changed(session: AsyncSession, ctx: BoxOfficeContext) -> None:
    async def bump() -> None:
        await cache.invalidate_catalog(ctx.redis)

    after_commit(session, bump)


def _event_changed(session: AsyncSession, ctx: BoxOfficeContext, event_id: str) -> None:
    async def bump() -> None:
        await cache.invalidate_event(ctx.redis, event_id)

    after_commit(session, bump)


async def _require(session: AsyncSession, model: type, row_id: str, code: str, label: str) -> Any:
    row = await repository.get(session, model, row_id)
    if row is None:
        raise NotFound(f"{label} {row_id!r} not found.", code=code)
    return row


async def _new_id_free(session: AsyncSession, model: type, given: str | None, prefix: str, code: str, label: str) -> str:
    if given is None:
        return new_id(prefix)
    if await repository.get(session, model, given) is not None:
        raise Conflict(f"{label} {given!r} already exists.", code=code)
    return given


# ---------------------------------------------------------------- locations


async def create_location(session: AsyncSession, ctx: BoxOfficeContext, body: LocationIn) -> Location:
    """Create a venue. Raises Conflict ``LOCATION_EXISTS`` (same id, or same name ignoring case)."""
    lid = await _new_id_free(session, Location, body.id, "loc", "LOCATION_EXISTS", "Location")
    if await repository.location_name_taken(session, body.name):
        raise Conflict(f"A location named {body.name!r} already exists.", code="LOCATION_EXISTS")
    row = Location(id=lid, name=body.name, address=body.address, city=body.city)
    session.add(row)
    await _flush(session, unique=Conflict(f"Location {body.name!r} already exists.", code="LOCATION_EXISTS"))
    return row


async def update_location(session: AsyncSession, ctx: BoxOfficeContext, location_id: str, body: LocationPatch) -> Location:
    """Change name/address/city. Raises NotFound ``LOCATION_NOT_FOUND``, Conflict ``LOCATION_EXISTS``."""
    row: Location = await _require(session, Location, location_id, "LOCATION_NOT_FOUND", "Location")
    data = body.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in data and await repository.location_name_taken(session, data["name"], except_id=location_id):
        raise Conflict(f"A location named {data['name']!r} already exists.", code="LOCATION_EXISTS")
    for key, value in data.items():
        setattr(row, key, value)
    await _flush(session, unique=Conflict("A location with this name already exists.", code="LOCATION_EXISTS"))
    _catalog_changed(session, ctx)
    return row


async def delete_location(session: AsyncSession, ctx: BoxOfficeContext, location_id: str) -> None:
    """Delete a venue without sections or presentations. Raises NotFound, Conflict ``LOCATION_IN_USE``."""
    row = await _require(session, Location, location_id, "LOCATION_NOT_FOUND", "Location")
    in_use = await repository.exists_where(session, LocationSection, LocationSection.location_id == location_id) or (
        await repository.exists_where(session, Presentation, Presentation.location_id == location_id)
    )
    if in_use:
        raise Conflict("The location has sections or presentations; delete them first.", code="LOCATION_IN_USE")
    await session.delete(row)
    await _flush(session, foreign=Conflict("The location is in use.", code="LOCATION_IN_USE"))
    _catalog_changed(session, ctx)


# -------------------------------------------------------- location sections


async def _check_section(session: AsyncSession, location_id: str, fields: SectionFields, except_id: str | None) -> None:
    if await repository.section_name_taken(session, location_id, fields.name, except_id):
        raise Conflict(f"The location already has a section named {fields.name!r}.", code="SECTION_EXISTS")
    if fields.indexPrefix is not None:
        assert fields.indexFrom is not None and fields.indexTo is not None
        other = await repository.overlapping_numbered_section(
            session, location_id, fields.indexPrefix, fields.indexFrom, fields.indexTo, except_id
        )
        if other is not None:
            raise Conflict(
                f"Seat codes {fields.indexPrefix}{fields.indexFrom}–{fields.indexPrefix}{fields.indexTo} overlap "
                f"section {other.name!r} ({other.index_prefix}{other.index_from}–{other.index_prefix}{other.index_to}).",
                code="SEAT_CODES_OVERLAP",
            )


async def create_location_section(session: AsyncSession, ctx: BoxOfficeContext, body: LocationSectionIn) -> LocationSection:
    """Create a numbered or general-admission section. Raises NotFound ``LOCATION_NOT_FOUND``,
    Conflict ``SECTION_EXISTS`` / ``SEAT_CODES_OVERLAP``."""
    await _require(session, Location, body.locationId, "LOCATION_NOT_FOUND", "Location")
    sid = await _new_id_free(session, LocationSection, body.id, "lsec", "SECTION_EXISTS", "Location section")
    await _check_section(session, body.locationId, body, None)
    assert body.capacity is not None
    row = LocationSection(
        id=sid,
        location_id=body.locationId,
        name=body.name,
        capacity=body.capacity,
        index_prefix=body.indexPrefix,
        index_from=body.indexFrom,
        index_to=body.indexTo,
        sort=body.sort,
    )
    session.add(row)
    await _flush(session, unique=Conflict("The section already exists.", code="SECTION_EXISTS"))
    return row


async def update_location_section(
    session: AsyncSession, ctx: BoxOfficeContext, section_id: str, body: LocationSectionPatch
) -> LocationSection:
    """Change a section; capacity/numbering may not change while it has live sales (Conflict ``SECTION_HAS_SALES``).

    Switching between numbered and general admission means sending the three index fields
    (or ``null`` for all three) together with a consistent ``capacity``.
    """
    row: LocationSection = await _require(session, LocationSection, section_id, "LOCATION_SECTION_NOT_FOUND", "Location section")
    current = {
        "name": row.name,
        "capacity": None if "indexTo" in body.model_fields_set or "indexFrom" in body.model_fields_set else row.capacity,
        "indexPrefix": row.index_prefix,
        "indexFrom": row.index_from,
        "indexTo": row.index_to,
        "sort": row.sort,
    }
    merged: SectionFields = _merge(SectionFields, current, body)
    layout_changed = (merged.capacity, merged.indexPrefix, merged.indexFrom, merged.indexTo) != (
        row.capacity,
        row.index_prefix,
        row.index_from,
        row.index_to,
    )
    if layout_changed and await repository.section_has_live_sales(session, section_id):
        raise Conflict("The section has sold places; its capacity and seats cannot change.", code="SECTION_HAS_SALES")
    await _check_section(session, row.location_id, merged, section_id)
    assert merged.capacity is not None
    row.name, row.capacity, row.sort = merged.name, merged.capacity, merged.sort
    row.index_prefix, row.index_from, row.index_to = merged.indexPrefix, merged.indexFrom, merged.indexTo
    await _flush(session, unique=Conflict("The section already exists.", code="SECTION_EXISTS"))
    if layout_changed:
        for event_id in await repository.events_selling_section(session, section_id):
            await sync_sellout(session, event_id)
    _catalog_changed(session, ctx)
    return row


async def delete_location_section(session: AsyncSession, ctx: BoxOfficeContext, section_id: str) -> None:
    """Delete a section no zone sells. Raises NotFound, Conflict ``SECTION_IN_USE``."""
    row = await _require(session, LocationSection, section_id, "LOCATION_SECTION_NOT_FOUND", "Location section")
    if await repository.exists_where(
        session, PresentationSectionItem, PresentationSectionItem.location_section_id == section_id
    ) or await repository.exists_where(session, TicketDetail, TicketDetail.location_section_id == section_id):
        raise Conflict("A price zone sells this section; remove its items first.", code="SECTION_IN_USE")
    await session.delete(row)
    await _flush(session, foreign=Conflict("The section is in use.", code="SECTION_IN_USE"))
    _catalog_changed(session, ctx)


# ------------------------------------------------------------ presentations


async def create_presentation(session: AsyncSession, ctx: BoxOfficeContext, body: PresentationIn) -> Presentation:
    """Create a show at a location. Raises NotFound ``LOCATION_NOT_FOUND``, Conflict ``PRESENTATION_EXISTS``."""
    await _require(session, Location, body.locationId, "LOCATION_NOT_FOUND", "Location")
    pid = await _new_id_free(session, Presentation, body.id, "pres", "PRESENTATION_EXISTS", "Presentation")
    if await repository.presentation_title_taken(session, body.locationId, body.title):
        raise Conflict(f"The location already has a presentation {body.title!r}.", code="PRESENTATION_EXISTS")
    row = Presentation(
        id=pid,
        location_id=body.locationId,
        title=body.title,
        description=body.description,
        performer_name=body.performerName,
        organizer=body.organizer,
    )
    session.add(row)
    await _flush(session, unique=Conflict("The presentation already exists.", code="PRESENTATION_EXISTS"))
    return row


async def update_presentation(session: AsyncSession, ctx: BoxOfficeContext, presentation_id: str, body: PresentationPatch) -> Presentation:
    """Change title/description/performer/organizer. Raises NotFound, Conflict ``PRESENTATION_EXISTS``."""
    row: Presentation = await _require(session, Presentation, presentation_id, "PRESENTATION_NOT_FOUND", "Presentation")
    data = body.model_dump(exclude_unset=True, exclude_none=True)
    if "title" in data and await repository.presentation_title_taken(session, row.location_id, data["title"], presentation_id):
        raise Conflict(f"The location already has a presentation {data['title']!r}.", code="PRESENTATION_EXISTS")
    names = {"title": "title", "description": "description", "performerName": "performer_name", "organizer": "organizer"}
    for key, value in data.items():
        setattr(row, names[key], value)
    await _flush(session, unique=Conflict("The presentation already exists.", code="PRESENTATION_EXISTS"))
    _catalog_changed(session, ctx)
    return row


async def delete_presentation(session: AsyncSession, ctx: BoxOfficeContext, presentation_id: str) -> None:
    """Delete a presentation without zones or events. Raises NotFound, Conflict ``PRESENTATION_IN_USE``."""
    row = await _require(session, Presentation, presentation_id, "PRESENTATION_NOT_FOUND", "Presentation")
    if await repository.exists_where(
        session, PresentationSection, PresentationSection.presentation_id == presentation_id
    ) or await repository.exists_where(session, Event, Event.presentation_id == presentation_id):
        raise Conflict("The presentation has zones or events; delete them first.", code="PRESENTATION_IN_USE")
    await session.delete(row)
    await _flush(session, foreign=Conflict("The presentation is in use.", code="PRESENTATION_IN_USE"))
    _catalog_changed(session, ctx)


# ----------------------------------------------------------- zones and items


async def create_zone(session: AsyncSession, ctx: BoxOfficeContext, body: PresentationSectionIn) -> PresentationSection:
    """Create a price zone (``price`` major units → cents, ROUND_HALF_UP).

    Raises NotFound ``PRESENTATION_NOT_FOUND``, Conflict ``ZONE_EXISTS``.
    """
    await _require(session, Presentation, body.presentationId, "PRESENTATION_NOT_FOUND", "Presentation")
    zid = await _new_id_free(session, PresentationSection, body.id, "zone", "ZONE_EXISTS", "Zone")
    if await repository.zone_name_taken(session, body.presentationId, body.name):
        raise Conflict(f"The presentation already has a zone {body.name!r}.", code="ZONE_EXISTS")
    row = PresentationSection(
        id=zid,
        presentation_id=body.presentationId,
        name=body.name,
        price_cents=to_cents(body.price),
        currency=body.currency,
        sort=body.sort,
    )
    session.add(row)
    await _flush(session, unique=Conflict("The zone already exists.", code="ZONE_EXISTS"))
    _catalog_changed(session, ctx)
    return row


async def update_zone(session: AsyncSession, ctx: BoxOfficeContext, zone_id: str, body: PresentationSectionPatch) -> PresentationSection:
    """Change a zone's name/price/currency/sort; tickets already sold keep their price."""
    row: PresentationSection = await _require(session, PresentationSection, zone_id, "ZONE_NOT_FOUND", "Zone")
    data = body.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in data and await repository.zone_name_taken(session, row.presentation_id, data["name"], zone_id):
        raise Conflict(f"The presentation already has a zone {data['name']!r}.", code="ZONE_EXISTS")
    if "name" in data:
        row.name = data["name"]
    if "price" in data:
        row.price_cents = to_cents(data["price"])
    if "currency" in data:
        row.currency = data["currency"]
    if "sort" in data:
        row.sort = data["sort"]
    await _flush(session, unique=Conflict("The zone already exists.", code="ZONE_EXISTS"))
    _catalog_changed(session, ctx)
    return row


async def delete_zone(session: AsyncSession, ctx: BoxOfficeContext, zone_id: str) -> None:
    """Delete a zone without items or tickets. Raises NotFound, Conflict ``ZONE_IN_USE``."""
    row = await _require(session, PresentationSection, zone_id, "ZONE_NOT_FOUND", "Zone")
    if await repository.exists_where(
        session, PresentationSectionItem, PresentationSectionItem.presentation_section_id == zone_id
    ) or await repository.exists_where(session, TicketDetail, TicketDetail.presentation_section_id == zone_id):
        raise Conflict("The zone has items or tickets; remove them first.", code="ZONE_IN_USE")
    await session.delete(row)
    await _flush(session, foreign=Conflict("The zone is in use.", code="ZONE_IN_USE"))
    _catalog_changed(session, ctx)


async def create_item(session: AsyncSession, ctx: BoxOfficeContext, body: PresentationSectionItemIn) -> PresentationSectionItem:
    """Let a zone sell a location section of the presentation's location.

    Raises NotFound ``ZONE_NOT_FOUND`` / ``LOCATION_SECTION_NOT_FOUND``, BadRequest ``LOCATION_MISMATCH``,
    Conflict ``ITEM_EXISTS``. Events of the presentation gain capacity (a sold-out one goes back on sale).
    """
    zone: PresentationSection = await _require(session, PresentationSection, body.presentationSectionId, "ZONE_NOT_FOUND", "Zone")
    section: LocationSection = await _require(
        session, LocationSection, body.locationSectionId, "LOCATION_SECTION_NOT_FOUND", "Location section"
    )
    presentation: Presentation = await _require(session, Presentation, zone.presentation_id, "PRESENTATION_NOT_FOUND", "Presentation")
    if section.location_id != presentation.location_id:
        raise BadRequest(
            f"Location section {section.id!r} is not part of the presentation's location {presentation.location_id!r}.",
            code="LOCATION_MISMATCH",
        )
    iid = await _new_id_free(session, PresentationSectionItem, body.id, "item", "ITEM_EXISTS", "Item")
    if await repository.item_exists(session, zone.id, section.id):
        raise Conflict("The zone already sells this section.", code="ITEM_EXISTS")
    row = PresentationSectionItem(id=iid, presentation_section_id=zone.id, location_section_id=section.id)
    session.add(row)
    await _flush(session, unique=Conflict("The zone already sells this section.", code="ITEM_EXISTS"))
    for event_id in await repository.events_of_presentation(session, presentation.id):
        await sync_sellout(session, event_id)
    _catalog_changed(session, ctx)
    return row


async def delete_item(session: AsyncSession, ctx: BoxOfficeContext, item_id: str) -> None:
    """Delete an item no ticket used. Raises NotFound ``ITEM_NOT_FOUND``, Conflict ``ITEM_IN_USE``."""
    row: PresentationSectionItem = await _require(session, PresentationSectionItem, item_id, "ITEM_NOT_FOUND", "Item")
    if await repository.exists_where(session, TicketDetail, TicketDetail.presentation_section_item_id == item_id):
        raise Conflict("Tickets were sold through this item.", code="ITEM_IN_USE")
    zone: PresentationSection = await _require(session, PresentationSection, row.presentation_section_id, "ZONE_NOT_FOUND", "Zone")
    await session.delete(row)
    await _flush(session, foreign=Conflict("The item is in use.", code="ITEM_IN_USE"))
    for event_id in await repository.events_of_presentation(session, zone.presentation_id):
        await sync_sellout(session, event_id)
    _catalog_changed(session, ctx)


# -------------------------------------------------------------------- events


async def create_event(session: AsyncSession, ctx: BoxOfficeContext, body: EventIn) -> Event:
    """Create a dated function. Raises NotFound ``PRESENTATION_NOT_FOUND``, Conflict ``EVENT_EXISTS``
    (same id, or the presentation already has a function at ``startAt``)."""
    presentation: Presentation = await _require(session, Presentation, body.presentationId, "PRESENTATION_NOT_FOUND", "Presentation")
    eid = await _new_id_free(session, Event, body.id, "evt", "EVENT_EXISTS", "Event")
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
    await _flush(session, unique=Conflict("The event already exists.", code="EVENT_EXISTS"))
    await sync_sellout(session, eid)
    await session.refresh(row)
    return row


async def update_event(session: AsyncSession, ctx: BoxOfficeContext, event_id: str, body: EventPatch) -> Event:
    """Change an event. Status ``on_sale`` becomes ``sold_out`` when nothing is left.

    Raises NotFound, Conflict ``EVENT_EXISTS`` / ``EVENT_HAS_TICKETS`` (presentation change after sales).
    """
    row: Event = await _require(session, Event, event_id, "EVENT_NOT_FOUND", "Event")
    data = body.model_dump(exclude_unset=True, exclude_none=True)
    if "presentationId" in data and data["presentationId"] != row.presentation_id:
        await _require(session, Presentation, data["presentationId"], "PRESENTATION_NOT_FOUND", "Presentation")
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
    await _flush(session, unique=Conflict("The presentation already has a function at this startAt.", code="EVENT_EXISTS"))
    await sync_sellout(session, event_id)
    await session.refresh(row)
    _event_changed(session, ctx, event_id)
    return row


async def delete_event(session: AsyncSession, ctx: BoxOfficeContext, event_id: str) -> None:
    """Delete an event without tickets (or other references). Raises NotFound, Conflict ``EVENT_IN_USE``."""
    row = await _require(session, Event, event_id, "EVENT_NOT_FOUND", "Event")
    if await repository.event_has_tickets(session, event_id):
        raise Conflict("The event has tickets; cancel it instead.", code="EVENT_IN_USE")
    await repository.delete_event_inventory(session, event_id)
    await session.delete(row)
    await _flush(session, foreign=Conflict("The event is referenced elsewhere (e.g. director ledger).", code="EVENT_IN_USE"))
    _event_changed(session, ctx, event_id)


async def sync_sellout(session: AsyncSession, event_id: str) -> None:
    """Set ``sold_out`` ⇔ the event sells something and nothing is left (only between on_sale/sold_out).

    Takes the event's row lock first, so concurrent sell-out decisions see each other's commits.
    """
    status = await repository.lock_event(session, event_id)
    if status not in ("on_sale", "sold_out"):
        return
    sections, remaining = await repository.event_remaining(session, event_id)
    full = sections > 0 and remaining <= 0
    if full and status == "on_sale":
        await repository.set_event_status(session, event_id, "sold_out", when="on_sale")
    elif not full and status == "sold_out":
        await repository.set_event_status(session, event_id, "on_sale", when="sold_out")


def event_out(e: Event) -> EventOut:
    """API shape of an event row."""
    return EventOut(
        id=e.id,
        presentationId=e.presentation_id,
        title=e.title,
        description=e.description,
        startAt=e.start_at,
        status=e.status,
        type=e.type,
        createdAt=e.created_at,
        updatedAt=e.updated_at,
    )


async def event_detail_json(session: AsyncSession, ctx: BoxOfficeContext, event_id: str) -> tuple[str, bool]:
    """The event detail as a JSON string and whether it came from the cache.

    Shape: the event fields, ``presentation``, ``location``, ``capacity``, ``available``,
    ``minPrice``/``maxPrice`` (+ ``…Cents``, ``currency``) and ``zones``: each zone with its price,
    ``capacity``, ``available`` and ``items``; each item names its location section and, when the
    section is numbered, lists ``seats`` as ``{index, code, available}``. Raises NotFound ``EVENT_NOT_FOUND``.
    """
    cached, tag = await cache.read_detail(ctx.redis, event_id)
    if cached is not None:
        return cached, True
    body = dumps(await build_event_detail(session, event_id)).decode()
    await cache.store_detail(ctx.redis, event_id, tag, body, ctx.cache_ttl_seconds)
    return body, False


async def build_event_detail(session: AsyncSession, event_id: str) -> dict[str, Any]:
    """The detail of :func:`event_detail_json` computed from the database (JSON-ready dict)."""
    found = await repository.event_with_place(session, event_id)
    if found is None:
        raise NotFound(f"Event {event_id!r} not found.", code="EVENT_NOT_FOUND")
    event, presentation, location = found
    data: dict[str, Any] = event_out(event).model_dump(mode="json")
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
    data["location"] = (
        {"id": location.id, "name": location.name, "address": location.address, "city": location.city} if location else None
    )
    rows = await repository.zones_with_items(session, presentation.id) if presentation else []
    sold = await repository.sold_by_section(session, event_id) if rows else {}
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
        seats = None
        if section.numbered:
            assert section.index_from is not None and section.index_to is not None
            gone = taken.get(section.id, set())
            prefix = section.index_prefix
            seats = [
                {"index": i, "code": f"{prefix}{i}", "available": i not in gone}
                for i in range(section.index_from, section.index_to + 1)
            ]
        z["items"].append(
            {
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
        )
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


# ------------------------------------------------------------------- tickets


@dataclass(slots=True)
class _Line:
    zone: repository.SaleZone
    item: repository.SaleItem
    section: repository.SaleSection
    index: int | None


def _check_on_sale(event: repository.SaleEvent, now: datetime) -> None:
    if event.status == "sold_out":
        raise Conflict(f"Event {event.id!r} is sold out.", code="SOLD_OUT")
    if event.status != "on_sale" or event.presentation_id is None:
        raise Conflict(f"Event {event.id!r} is not on sale (status {event.status}).", code="EVENT_NOT_ON_SALE")
    if event.start_at is None or event.start_at <= now:
        raise Conflict(f"Event {event.id!r} has already started.", code="EVENT_STARTED")


def _resolve_lines(
    event: repository.SaleEvent,
    body: TicketIn,
    zones: dict[str, repository.SaleZone],
    items: dict[str, tuple[repository.SaleItem, repository.SaleSection]],
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


def _seat_taken(detail: str, sections: dict[str, Any]) -> Conflict:
    """409 ``SEAT_TAKEN`` naming the seat from the unique-violation detail when it can be read."""
    match = _SEAT_KEY.search(detail)
    if match and match["section"] in sections:
        section = sections[match["section"]]
        code = section.seat_code(int(match["index"]))
        return Conflict(f"Seat {code} ({section.name}) is already sold.", code="SEAT_TAKEN", details={"seatCode": code, "locationSectionId": section.id})
    return Conflict("One of the requested seats is already sold.", code="SEAT_TAKEN")


def _json_instant(value: datetime) -> str:
    """A datetime as pydantic serialises it (``Z`` for UTC)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


StoreResponse = Callable[[dict[str, Any]], Awaitable[Any]]


async def sell(session: AsyncSession, ctx: BoxOfficeContext, body: TicketIn, store: StoreResponse | None = None) -> Any:
    """Sell the requested places to one customer, all or nothing; price of each line = its zone's price.

    Returns the ticket as a JSON-ready dict (the :class:`TicketOut` shape), or, when ``store`` is
    given, what ``store(ticket)`` returns: ``store`` runs in the sale's transaction *before* the
    inventory counters are raised (e.g. to save the idempotent response), so that nothing but
    COMMIT follows the counter row locks and buyers of one section queue on them for as short as
    possible.

    Raises BadRequest (``TOO_MANY_PLACES``, ``ZONE_NOT_IN_EVENT``, ``ITEM_NOT_IN_ZONE``, ``SEAT_INDEX_*``,
    ``DUPLICATE_SEAT``, ``MIXED_CURRENCY``), NotFound (``EVENT_NOT_FOUND``, ``ZONE_NOT_FOUND``,
    ``ITEM_NOT_FOUND``), Conflict (``EVENT_NOT_ON_SALE``, ``EVENT_STARTED``, ``SOLD_OUT``, ``SEAT_TAKEN``,
    ``NOT_ENOUGH_PLACES``). The caller's transaction is rolled back on any of them.
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

    ticket_id = new_id("tkt")
    currency = lines[0].zone.currency
    total = sum(ln.zone.price_cents for ln in lines)
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
        "id": ticket_id,
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
    out = {
        "id": ticket_id,
        "eventId": event.id,
        "customerDocument": body.customerDocument,
        "customerName": body.customerName,
        "customerEmail": body.customerEmail,
        "status": "paid",
        "total": from_cents(total),
        "totalCents": total,
        "currency": currency,
        "places": len(rows),
        "seatCodes": [r["seat_code"] for r in rows if r["seat_code"]],
        "createdAt": _json_instant(created_at),
        "cancelledAt": None,
        "ticketDetails": [
            {
                "id": r["id"],
                "presentationSectionId": r["presentation_section_id"],
                "presentationSectionItemId": r["presentation_section_item_id"],
                "locationSectionId": r["location_section_id"],
                "locationSectionIndex": r["location_section_index"],
                "seatCode": r["seat_code"],
                "price": from_cents(r["price_cents"]),
                "priceCents": r["price_cents"],
                "currency": r["currency"],
            }
            for r in rows
        ],
    }
    result = await store(out) if store is not None else out
    filled = False
    for sid in sorted(wanted):  # one lock order for all buyers; nothing but COMMIT follows (unless sold out)
        section = sections[sid]
        if guarded:
            sold = await repository.reserve_places_fast(session, event.id, sid, wanted[sid], section.capacity)
            if sold is None:
                raise Conflict(
                    f"Not enough places left in {section.name!r} for {wanted[sid]}.",
                    code="SOLD_OUT",
                    details={"locationSectionId": sid, "requested": wanted[sid]},
                )
        else:
            sold = await repository.add_places_unguarded(session, event.id, sid, wanted[sid])
        filled = filled or sold >= section.capacity
    if filled:
        await sync_sellout(session, event.id)
    _event_changed(session, ctx, event.id)
    return result


async def _debug_unguarded_check(
    session: AsyncSession, event_id: str, lines: list[_Line], sections: dict[str, Any], wanted: Counter[str]
) -> None:
    """DEBUG ONLY (``TAQUILLA_DEBUG_DISABLE_OVERSELL_GUARD``): check-then-insert without locks.

    Reads availability, then pauses, then the caller inserts — the naive design the guard
    replaces. It exists so a test can show that the race really oversells.
    """
    sold = await repository.sold_by_section(session, event_id)
    for sid, n in wanted.items():
        if sold.get(sid, 0) + n > sections[sid].capacity:
            raise Conflict(f"Not enough places left in {sections[sid].name!r}.", code="SOLD_OUT")
        seats = [ln.index for ln in lines if ln.section.id == sid and ln.index is not None]
        if seats and (taken := await repository.seats_taken_among(session, event_id, sid, seats)):
            raise Conflict(f"Seat {sections[sid].seat_code(taken[0])} is already sold.", code="SEAT_TAKEN")
    await asyncio.sleep(DEBUG_RACE_WINDOW_SECONDS)


def ticket_out(ticket: Ticket, details: list[TicketDetail]) -> TicketOut:
    """API shape of a ticket with its lines (seat codes in line order)."""
    lines = [
        TicketDetailOut(
            id=d.id,
            presentationSectionId=d.presentation_section_id,
            presentationSectionItemId=d.presentation_section_item_id,
            locationSectionId=d.location_section_id,
            locationSectionIndex=d.location_section_index,
            seatCode=d.seat_code,
            price=from_cents(d.price_cents),
            priceCents=d.price_cents,
            currency=d.currency,
        )
        for d in details
    ]
    return TicketOut(
        id=ticket.id,
        eventId=ticket.event_id,
        customerDocument=ticket.customer_document,
        customerName=ticket.customer_name,
        customerEmail=ticket.customer_email,
        status=ticket.status,
        total=from_cents(ticket.total_cents),
        totalCents=ticket.total_cents,
        currency=ticket.currency,
        places=len(details),
        seatCodes=[d.seat_code for d in details if d.seat_code],
        createdAt=ticket.created_at,
        cancelledAt=ticket.cancelled_at,
        ticketDetails=lines,
    )


async def get_ticket(session: AsyncSession, ticket_id: str) -> TicketOut:
    """A ticket with its lines. Raises NotFound ``TICKET_NOT_FOUND``."""
    ticket: Ticket = await _require(session, Ticket, ticket_id, "TICKET_NOT_FOUND", "Ticket")
    return ticket_out(ticket, (await repository.ticket_details(session, [ticket.id]))[ticket.id])


async def list_tickets(
    session: AsyncSession, event_id: str | None, customer_document: str | None, status: str | None, offset: int, limit: int
) -> tuple[int, list[TicketOut]]:
    """A page of tickets (newest first) with their lines."""
    total, rows = await repository.page(session, repository.tickets_query(event_id, customer_document, status), offset, limit)
    details = await repository.ticket_details(session, [t.id for t in rows])
    return total, [ticket_out(t, details[t.id]) for t in rows]


async def cancel_ticket(session: AsyncSession, ctx: BoxOfficeContext, ticket_id: str) -> TicketOut:
    """Cancel a ticket and release its places; a sold-out event goes back on sale.

    Raises NotFound ``TICKET_NOT_FOUND``, Conflict ``TICKET_ALREADY_CANCELLED`` / ``EVENT_STARTED``.
    """
    ticket = await repository.lock_ticket(session, ticket_id)
    if ticket is None:
        raise NotFound(f"Ticket {ticket_id!r} not found.", code="TICKET_NOT_FOUND")
    if ticket.status == "cancelled":
        raise Conflict(f"Ticket {ticket_id!r} is already cancelled.", code="TICKET_ALREADY_CANCELLED")
    event: Event = await _require(session, Event, ticket.event_id, "EVENT_NOT_FOUND", "Event")
    await repository.lock_event(session, event.id)  # before releasing: a concurrent sell-out mark waits for us
    if event.start_at is not None and event.start_at <= datetime.now(UTC):
        raise Conflict("The event has already started; its tickets cannot be cancelled.", code="EVENT_STARTED")
    released = await repository.cancel_details(session, ticket_id)
    ticket.status = "cancelled"
    ticket.cancelled_at = datetime.now(UTC)
    await session.flush()
    per_section = Counter(d.location_section_id for d in released)
    for sid in sorted(per_section):
        await repository.release_places(session, ticket.event_id, sid, per_section[sid])
    await repository.set_event_status(session, ticket.event_id, "on_sale", when="sold_out")
    _event_changed(session, ctx, ticket.event_id)
    details = (await repository.ticket_details(session, [ticket_id]))[ticket_id]
    return ticket_out(ticket, details)
