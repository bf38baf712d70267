"""Rules of the box office catalog (seed 004, DOMAIN.md "Box office").

Venues (``locations``) with numbered or general-admission sections, shows (``presentations``)
with price zones (``presentation_sections``, prices in cents) and the items saying which
sections a zone sells. A change that alters what an event can sell (section layout, items)
re-applies the sold-out rule of :mod:`taquilla.boxoffice.inventory` to the events concerned;
every change outdates the cached event details after commit. Services flush, never commit;
they return ORM rows, never responses.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice import inventory
from taquilla.boxoffice.catalog import repository
from taquilla.boxoffice.catalog.schemas import (
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
)
from taquilla.boxoffice.context import (
    BoxOfficeContext,
    catalog_changed,
    flush_checked,
    free_id,
    require,
)
from taquilla.boxoffice.models import (
    Event,
    Location,
    LocationSection,
    Presentation,
    PresentationSection,
    PresentationSectionItem,
    TicketDetail,
)
from taquilla.core.errors import BadRequest, Conflict
from taquilla.core.money import checked_cents, to_cents

# ----------------------------------------------------------------- helpers


def _merge(model: type[BaseModel], current: dict[str, Any], patch: BaseModel) -> Any:
    """``current`` updated with the fields sent in ``patch``, validated as ``model``. Raises BadRequest."""
    try:
        return model.model_validate({**current, **patch.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        where = f" ({field})" if field else ""
        raise BadRequest(f"Invalid input{where}: {first.get('msg', 'invalid')}", code="VALIDATION_ERROR") from exc


def _price_cents(price: Any) -> int:
    return checked_cents(to_cents(price), "price")


LOCATION = (Location, "LOCATION_NOT_FOUND", "Location")
SECTION = (LocationSection, "LOCATION_SECTION_NOT_FOUND", "Location section")
PRESENTATION = (Presentation, "PRESENTATION_NOT_FOUND", "Presentation")
ZONE = (PresentationSection, "ZONE_NOT_FOUND", "Zone")
ITEM = (PresentationSectionItem, "ITEM_NOT_FOUND", "Item")
"""(model, NotFound code, label) of each catalog resource, for :func:`get`."""


async def get(session: AsyncSession, kind: tuple[type, str, str], row_id: str) -> Any:
    """One catalog row of ``kind`` (e.g. :data:`LOCATION`). Raises NotFound ``<KIND>_NOT_FOUND``."""
    model, code, label = kind
    return await require(session, model, row_id, code, label)


async def list_locations(session: AsyncSession, name: str | None, offset: int, limit: int) -> tuple[int, list[Location]]:
    """``(total, one page)`` of venues by name; ``name`` filters (case-insensitive, contains)."""
    return await repository.page(session, Location, {}, {"name": name}, [Location.name, Location.id], offset, limit)


async def list_sections(session: AsyncSession, location_id: str | None, offset: int, limit: int) -> tuple[int, list[LocationSection]]:
    """``(total, one page)`` of sections by location, then ``sort``, then name."""
    order = [LocationSection.location_id, LocationSection.sort, LocationSection.name]
    return await repository.page(session, LocationSection, {"location_id": location_id}, {}, order, offset, limit)


async def list_presentations(
    session: AsyncSession, location_id: str | None, title: str | None, performer: str | None, offset: int, limit: int
) -> tuple[int, list[Presentation]]:
    """``(total, one page)`` of presentations by title; ``title``/``performer`` filter (case-insensitive, contains)."""
    texts = {"title": title, "performer_name": performer}
    return await repository.page(session, Presentation, {"location_id": location_id}, texts, [Presentation.title, Presentation.id], offset, limit)


async def list_zones(session: AsyncSession, presentation_id: str | None, offset: int, limit: int) -> tuple[int, list[PresentationSection]]:
    """``(total, one page)`` of price zones by presentation, then ``sort``, then name."""
    order = [PresentationSection.presentation_id, PresentationSection.sort, PresentationSection.name]
    return await repository.page(session, PresentationSection, {"presentation_id": presentation_id}, {}, order, offset, limit)


async def list_items(
    session: AsyncSession, zone_id: str | None, section_id: str | None, offset: int, limit: int
) -> tuple[int, list[PresentationSectionItem]]:
    """``(total, one page)`` of zone items, filtered by zone and/or location section."""
    filters = {"presentation_section_id": zone_id, "location_section_id": section_id}
    order = [PresentationSectionItem.presentation_section_id, PresentationSectionItem.id]
    return await repository.page(session, PresentationSectionItem, filters, {}, order, offset, limit)


# ---------------------------------------------------------------- locations


async def create_location(session: AsyncSession, ctx: BoxOfficeContext, body: LocationIn) -> Location:
    """Create a venue. Raises Conflict ``LOCATION_EXISTS`` (same id, or same name ignoring case)."""
    lid = await free_id(session, Location, body.id, "loc", "LOCATION_EXISTS", "Location")
    if await repository.location_name_taken(session, body.name):
        raise Conflict(f"A location named {body.name!r} already exists.", code="LOCATION_EXISTS")
    row = Location(id=lid, name=body.name, address=body.address, city=body.city)
    session.add(row)
    await flush_checked(session, unique=Conflict(f"Location {body.name!r} already exists.", code="LOCATION_EXISTS"))
    return row


async def update_location(session: AsyncSession, ctx: BoxOfficeContext, location_id: str, body: LocationPatch) -> Location:
    """Change name/address/city. Raises NotFound ``LOCATION_NOT_FOUND``, Conflict ``LOCATION_EXISTS``."""
    row: Location = await get(session, LOCATION, location_id)
    data = body.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in data and await repository.location_name_taken(session, data["name"], except_id=location_id):
        raise Conflict(f"A location named {data['name']!r} already exists.", code="LOCATION_EXISTS")
    for key, value in data.items():
        setattr(row, key, value)
    await flush_checked(session, unique=Conflict("A location with this name already exists.", code="LOCATION_EXISTS"))
    catalog_changed(session, ctx)
    return row


async def delete_location(session: AsyncSession, ctx: BoxOfficeContext, location_id: str) -> None:
    """Delete a venue without sections or presentations. Raises NotFound, Conflict ``LOCATION_IN_USE``."""
    row = await get(session, LOCATION, location_id)
    if await repository.exists_where(session, LocationSection, LocationSection.location_id == location_id) or (
        await repository.exists_where(session, Presentation, Presentation.location_id == location_id)
    ):
        raise Conflict("The location has sections or presentations; delete them first.", code="LOCATION_IN_USE")
    await session.delete(row)
    await flush_checked(session, foreign=Conflict("The location is in use.", code="LOCATION_IN_USE"))
    catalog_changed(session, ctx)


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
    await get(session, LOCATION, body.locationId)
    sid = await free_id(session, LocationSection, body.id, "lsec", "SECTION_EXISTS", "Location section")
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
    await flush_checked(session, unique=Conflict("The section already exists.", code="SECTION_EXISTS"))
    return row


async def update_location_section(
    session: AsyncSession, ctx: BoxOfficeContext, section_id: str, body: LocationSectionPatch
) -> LocationSection:
    """Change a section; capacity/numbering may not change while it has live sales (Conflict ``SECTION_HAS_SALES``).

    Switching between numbered and general admission means sending the three index fields
    (or ``null`` for all three) together with a consistent ``capacity``. A layout change
    re-applies the sold-out rule to every event selling the section. Raises NotFound,
    BadRequest ``VALIDATION_ERROR``, Conflict ``SECTION_EXISTS`` / ``SEAT_CODES_OVERLAP``.
    """
    row: LocationSection = await get(session, SECTION, section_id)
    resized = "indexTo" in body.model_fields_set or "indexFrom" in body.model_fields_set
    current = {
        "name": row.name,
        "capacity": None if resized else row.capacity,
        "indexPrefix": row.index_prefix,
        "indexFrom": row.index_from,
        "indexTo": row.index_to,
        "sort": row.sort,
    }
    merged: SectionFields = _merge(SectionFields, current, body)
    layout = (merged.capacity, merged.indexPrefix, merged.indexFrom, merged.indexTo)
    layout_changed = layout != (row.capacity, row.index_prefix, row.index_from, row.index_to)
    if layout_changed and await repository.section_has_live_sales(session, section_id):
        raise Conflict("The section has sold places; its capacity and seats cannot change.", code="SECTION_HAS_SALES")
    await _check_section(session, row.location_id, merged, section_id)
    assert merged.capacity is not None
    row.name, row.capacity, row.sort = merged.name, merged.capacity, merged.sort
    row.index_prefix, row.index_from, row.index_to = merged.indexPrefix, merged.indexFrom, merged.indexTo
    await flush_checked(session, unique=Conflict("The section already exists.", code="SECTION_EXISTS"))
    if layout_changed:
        for event_id in await repository.events_selling_section(session, section_id):
            await inventory.sync_sellout(session, event_id)
    catalog_changed(session, ctx)
    return row


async def delete_location_section(session: AsyncSession, ctx: BoxOfficeContext, section_id: str) -> None:
    """Delete a section no zone sells. Raises NotFound, Conflict ``SECTION_IN_USE``."""
    row = await get(session, SECTION, section_id)
    if await repository.exists_where(
        session, PresentationSectionItem, PresentationSectionItem.location_section_id == section_id
    ) or await repository.exists_where(session, TicketDetail, TicketDetail.location_section_id == section_id):
        raise Conflict("A price zone sells this section; remove its items first.", code="SECTION_IN_USE")
    await session.delete(row)
    await flush_checked(session, foreign=Conflict("The section is in use.", code="SECTION_IN_USE"))
    catalog_changed(session, ctx)


# ------------------------------------------------------------ presentations


async def create_presentation(session: AsyncSession, ctx: BoxOfficeContext, body: PresentationIn) -> Presentation:
    """Create a show at a location. Raises NotFound ``LOCATION_NOT_FOUND``, Conflict ``PRESENTATION_EXISTS``."""
    await get(session, LOCATION, body.locationId)
    pid = await free_id(session, Presentation, body.id, "pres", "PRESENTATION_EXISTS", "Presentation")
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
    await flush_checked(session, unique=Conflict("The presentation already exists.", code="PRESENTATION_EXISTS"))
    return row


async def update_presentation(session: AsyncSession, ctx: BoxOfficeContext, presentation_id: str, body: PresentationPatch) -> Presentation:
    """Change title/description/performer/organizer. Raises NotFound, Conflict ``PRESENTATION_EXISTS``."""
    row: Presentation = await get(session, PRESENTATION, presentation_id)
    data = body.model_dump(exclude_unset=True, exclude_none=True)
    if "title" in data and await repository.presentation_title_taken(session, row.location_id, data["title"], presentation_id):
        raise Conflict(f"The location already has a presentation {data['title']!r}.", code="PRESENTATION_EXISTS")
    names = {"title": "title", "description": "description", "performerName": "performer_name", "organizer": "organizer"}
    for key, value in data.items():
        setattr(row, names[key], value)
    await flush_checked(session, unique=Conflict("The presentation already exists.", code="PRESENTATION_EXISTS"))
    catalog_changed(session, ctx)
    return row


async def delete_presentation(session: AsyncSession, ctx: BoxOfficeContext, presentation_id: str) -> None:
    """Delete a presentation without zones or events. Raises NotFound, Conflict ``PRESENTATION_IN_USE``."""
    row = await get(session, PRESENTATION, presentation_id)
    if await repository.exists_where(
        session, PresentationSection, PresentationSection.presentation_id == presentation_id
    ) or await repository.exists_where(session, Event, Event.presentation_id == presentation_id):
        raise Conflict("The presentation has zones or events; delete them first.", code="PRESENTATION_IN_USE")
    await session.delete(row)
    await flush_checked(session, foreign=Conflict("The presentation is in use.", code="PRESENTATION_IN_USE"))
    catalog_changed(session, ctx)


# ----------------------------------------------------------- zones and items


async def create_zone(session: AsyncSession, ctx: BoxOfficeContext, body: PresentationSectionIn) -> PresentationSection:
    """Create a price zone (``price`` major units → cents, ROUND_HALF_UP).

    Raises NotFound ``PRESENTATION_NOT_FOUND``, Conflict ``ZONE_EXISTS``, BadRequest ``AMOUNT_TOO_LARGE``.
    """
    await get(session, PRESENTATION, body.presentationId)
    zid = await free_id(session, PresentationSection, body.id, "zone", "ZONE_EXISTS", "Zone")
    if await repository.zone_name_taken(session, body.presentationId, body.name):
        raise Conflict(f"The presentation already has a zone {body.name!r}.", code="ZONE_EXISTS")
    row = PresentationSection(
        id=zid, presentation_id=body.presentationId, name=body.name, price_cents=_price_cents(body.price), currency=body.currency, sort=body.sort
    )
    session.add(row)
    await flush_checked(session, unique=Conflict("The zone already exists.", code="ZONE_EXISTS"))
    catalog_changed(session, ctx)
    return row


async def update_zone(session: AsyncSession, ctx: BoxOfficeContext, zone_id: str, body: PresentationSectionPatch) -> PresentationSection:
    """Change a zone's name/price/currency/sort; tickets already sold keep their price.

    Raises NotFound ``ZONE_NOT_FOUND``, Conflict ``ZONE_EXISTS``, BadRequest ``AMOUNT_TOO_LARGE``.
    """
    row: PresentationSection = await get(session, ZONE, zone_id)
    data = body.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in data and await repository.zone_name_taken(session, row.presentation_id, data["name"], zone_id):
        raise Conflict(f"The presentation already has a zone {data['name']!r}.", code="ZONE_EXISTS")
    if "price" in data:
        row.price_cents = _price_cents(data.pop("price"))
    for key, value in data.items():
        setattr(row, key, value)
    await flush_checked(session, unique=Conflict("The zone already exists.", code="ZONE_EXISTS"))
    catalog_changed(session, ctx)
    return row


async def delete_zone(session: AsyncSession, ctx: BoxOfficeContext, zone_id: str) -> None:
    """Delete a zone without items or tickets. Raises NotFound, Conflict ``ZONE_IN_USE``."""
    row = await get(session, ZONE, zone_id)
    if await repository.exists_where(
        session, PresentationSectionItem, PresentationSectionItem.presentation_section_id == zone_id
    ) or await repository.exists_where(session, TicketDetail, TicketDetail.presentation_section_id == zone_id):
        raise Conflict("The zone has items or tickets; remove them first.", code="ZONE_IN_USE")
    await session.delete(row)
    await flush_checked(session, foreign=Conflict("The zone is in use.", code="ZONE_IN_USE"))
    catalog_changed(session, ctx)


async def create_item(session: AsyncSession, ctx: BoxOfficeContext, body: PresentationSectionItemIn) -> PresentationSectionItem:
    """Let a zone sell a location section of the presentation's location.

    Raises NotFound ``ZONE_NOT_FOUND`` / ``LOCATION_SECTION_NOT_FOUND``, BadRequest ``LOCATION_MISMATCH``,
    Conflict ``ITEM_EXISTS``. Events of the presentation gain capacity (a sold-out one goes back on sale).
    """
    zone: PresentationSection = await get(session, ZONE, body.presentationSectionId)
    section: LocationSection = await get(session, SECTION, body.locationSectionId)
    presentation: Presentation = await get(session, PRESENTATION, zone.presentation_id)
    if section.location_id != presentation.location_id:
        raise BadRequest(
            f"Location section {section.id!r} is not part of the presentation's location {presentation.location_id!r}.",
            code="LOCATION_MISMATCH",
        )
    iid = await free_id(session, PresentationSectionItem, body.id, "item", "ITEM_EXISTS", "Item")
    if await repository.item_exists(session, zone.id, section.id):
        raise Conflict("The zone already sells this section.", code="ITEM_EXISTS")
    row = PresentationSectionItem(id=iid, presentation_section_id=zone.id, location_section_id=section.id)
    session.add(row)
    await flush_checked(session, unique=Conflict("The zone already sells this section.", code="ITEM_EXISTS"))
    for event_id in await repository.events_of_presentation(session, presentation.id):
        await inventory.sync_sellout(session, event_id)
    catalog_changed(session, ctx)
    return row


async def delete_item(session: AsyncSession, ctx: BoxOfficeContext, item_id: str) -> None:
    """Delete an item no ticket used. Raises NotFound ``ITEM_NOT_FOUND``, Conflict ``ITEM_IN_USE``."""
    row: PresentationSectionItem = await get(session, ITEM, item_id)
    if await repository.exists_where(session, TicketDetail, TicketDetail.presentation_section_item_id == item_id):
        raise Conflict("Tickets were sold through this item.", code="ITEM_IN_USE")
    zone: PresentationSection = await get(session, ZONE, row.presentation_section_id)
    await session.delete(row)
    await flush_checked(session, foreign=Conflict("The item is in use.", code="ITEM_IN_USE"))
    for event_id in await repository.events_of_presentation(session, zone.presentation_id):
        await inventory.sync_sellout(session, event_id)
    catalog_changed(session, ctx)
