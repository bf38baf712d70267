"""HTTP routes of the box office context (seed 004) under ``/api/v1``.

Catalog writes need an ADMIN token, catalog reads any token. ``POST /api/v1/boxoffice/tickets`` is
the storefront's: no token, rate-limited per client address (``STOREFRONT_RATE_LIMIT``),
``Idempotency-Key`` honoured. Reading, listing and cancelling tickets is for ADMIN staff.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response

from taquilla.boxoffice import repository, service
from taquilla.boxoffice.models import Location, LocationSection, Presentation, PresentationSection, PresentationSectionItem
from taquilla.boxoffice.ratelimit import storefront_rate_limit
from taquilla.boxoffice.schemas import (
    EventIn,
    EventOut,
    EventPatch,
    EventRow,
    LocationIn,
    LocationOut,
    LocationPatch,
    LocationSectionIn,
    LocationSectionOut,
    LocationSectionPatch,
    PresentationIn,
    PresentationOut,
    PresentationPatch,
    PresentationSectionIn,
    PresentationSectionItemIn,
    PresentationSectionItemOut,
    PresentationSectionOut,
    PresentationSectionPatch,
    TicketIn,
    TicketOut,
)
from taquilla.core.context import current_request_id
from taquilla.core.db import SessionDep
from taquilla.core.errors import BadRequest, NotFound
from taquilla.core.idempotency import IdempotencyDep
from taquilla.core.ids import CLIENT_ID_PATTERN
from taquilla.core.jsonenc import dumps
from taquilla.core.money import MAX_MAJOR, from_cents, to_cents
from taquilla.core.pagination import PageDep
from taquilla.core.responses import Envelope, ListEnvelope, created, error_responses, ok, ok_page
from taquilla.core.security import AdminPrincipal, CurrentPrincipal

router = APIRouter(prefix="/api/v1/boxoffice", tags=["box office"])

IdPath = Annotated[str, Path(pattern=CLIENT_ID_PATTERN)]
IdQuery = Annotated[str | None, Query(pattern=CLIENT_ID_PATTERN)]
TextQuery = Annotated[str | None, Query(min_length=1, max_length=100)]
EVENT_ORDER = ("startAt", "title", "createdAt", "minPrice", "maxPrice", "available")

READ = error_responses(400, 401, 404)
WRITE = error_responses(400, 401, 403, 404, 409)


def _ctx(request: Request) -> service.BoxOfficeContext:
    s = request.app.state.settings
    return service.BoxOfficeContext(
        redis=request.app.state.redis,
        max_places_per_ticket=s.max_places_per_ticket,
        cache_ttl_seconds=s.availability_cache_ttl_seconds,
        oversell_guard_disabled=s.debug_disable_oversell_guard,
    )


def _paged(page: Any, total: int, rows: list[Any]) -> dict[str, Any]:
    return ok_page(rows, page, total)


# ------------------------------------------------------------------ shapes


def location_out(r: Location) -> LocationOut:
    return LocationOut(id=r.id, name=r.name, address=r.address, city=r.city, createdAt=r.created_at, updatedAt=r.updated_at)


def section_out(r: LocationSection) -> LocationSectionOut:
    return LocationSectionOut(
        id=r.id,
        locationId=r.location_id,
        name=r.name,
        capacity=r.capacity,
        numbered=r.numbered,
        indexPrefix=r.index_prefix,
        indexFrom=r.index_from,
        indexTo=r.index_to,
        sort=r.sort,
    )


def presentation_out(r: Presentation) -> PresentationOut:
    return PresentationOut(
        id=r.id,
        locationId=r.location_id,
        title=r.title,
        description=r.description,
        performerName=r.performer_name,
        organizer=r.organizer,
    )


def zone_out(r: PresentationSection) -> PresentationSectionOut:
    return PresentationSectionOut(
        id=r.id,
        presentationId=r.presentation_id,
        name=r.name,
        price=from_cents(r.price_cents),
        priceCents=r.price_cents,
        currency=r.currency,
        sort=r.sort,
    )


def item_out(r: PresentationSectionItem) -> PresentationSectionItemOut:
    return PresentationSectionItemOut(id=r.id, presentationSectionId=r.presentation_section_id, locationSectionId=r.location_section_id)


async def _found(session: Any, model: type, row_id: str, code: str, label: str) -> Any:
    row = await repository.get(session, model, row_id)
    if row is None:
        raise NotFound(f"{label} {row_id!r} not found.", code=code)
    return row


# --------------------------------------------------------------- locations


@router.post("/locations", status_code=201, response_model=Envelope[LocationOut], responses=error_responses(400, 401, 403, 409))
async def create_location(body: LocationIn, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Create a venue (ADMIN). ``id`` optional (``loc_…``); the name is unique ignoring case."""
    return created(location_out(await service.create_location(session, _ctx(request), body)))


@router.get("/locations", responses=error_responses(400, 401))
async def list_locations(_: CurrentPrincipal, session: SessionDep, page: PageDep, name: TextQuery = None) -> Any:
    """Venues by name; ``name`` filters (case-insensitive, contains)."""
    stmt = repository.catalog_query(Location, {}, {"name": name}, [Location.name, Location.id])
    total, rows = await repository.page(session, stmt, page.offset, page.limit)
    return _paged(page, total, [location_out(r) for r in rows])


@router.get("/locations/{location_id}", response_model=Envelope[LocationOut], responses=READ)
async def get_location(location_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One venue."""
    return ok(location_out(await _found(session, Location, location_id, "LOCATION_NOT_FOUND", "Location")))


@router.patch("/locations/{location_id}", response_model=Envelope[LocationOut], responses=WRITE)
async def update_location(location_id: IdPath, body: LocationPatch, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Change a venue (ADMIN)."""
    return ok(location_out(await service.update_location(session, _ctx(request), location_id, body)))


@router.delete("/locations/{location_id}", responses=WRITE)
async def delete_location(location_id: IdPath, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Delete a venue without sections or presentations (ADMIN); 409 ``LOCATION_IN_USE`` otherwise."""
    await service.delete_location(session, _ctx(request), location_id)
    return ok({"id": location_id, "deleted": True})


# ------------------------------------------------------- location sections


@router.post("/location-sections", status_code=201, response_model=Envelope[LocationSectionOut], responses=WRITE)
async def create_location_section(body: LocationSectionIn, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Create a section (ADMIN): numbered (``indexPrefix``, ``indexFrom``..``indexTo``) or general (``capacity``)."""
    return created(section_out(await service.create_location_section(session, _ctx(request), body)))


@router.get("/location-sections", responses=error_responses(400, 401))
async def list_location_sections(_: CurrentPrincipal, session: SessionDep, page: PageDep, locationId: IdQuery = None) -> Any:  # noqa: N803
    """Sections, by location then ``sort``."""
    stmt = repository.catalog_query(
        LocationSection, {"location_id": locationId}, {}, [LocationSection.location_id, LocationSection.sort, LocationSection.name]
    )
    total, rows = await repository.page(session, stmt, page.offset, page.limit)
    return _paged(page, total, [section_out(r) for r in rows])


@router.get("/location-sections/{section_id}", response_model=Envelope[LocationSectionOut], responses=READ)
async def get_location_section(section_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One section."""
    return ok(section_out(await _found(session, LocationSection, section_id, "LOCATION_SECTION_NOT_FOUND", "Location section")))


@router.patch("/location-sections/{section_id}", response_model=Envelope[LocationSectionOut], responses=WRITE)
async def update_location_section(
    section_id: IdPath, body: LocationSectionPatch, _: AdminPrincipal, session: SessionDep, request: Request
) -> Any:
    """Change a section (ADMIN); 409 ``SECTION_HAS_SALES`` when its layout changes after sales."""
    return ok(section_out(await service.update_location_section(session, _ctx(request), section_id, body)))


@router.delete("/location-sections/{section_id}", responses=WRITE)
async def delete_location_section(section_id: IdPath, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Delete a section no zone sells (ADMIN)."""
    await service.delete_location_section(session, _ctx(request), section_id)
    return ok({"id": section_id, "deleted": True})


# ----------------------------------------------------------- presentations


@router.post("/presentations", status_code=201, response_model=Envelope[PresentationOut], responses=WRITE)
async def create_presentation(body: PresentationIn, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Create a show at a location (ADMIN)."""
    return created(presentation_out(await service.create_presentation(session, _ctx(request), body)))


@router.get("/presentations", responses=error_responses(400, 401))
async def list_presentations(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    locationId: IdQuery = None,  # noqa: N803
    title: TextQuery = None,
    performer: TextQuery = None,
) -> Any:
    """Presentations by title; filters by location, title and performer (case-insensitive, contains)."""
    stmt = repository.catalog_query(
        Presentation, {"location_id": locationId}, {"title": title, "performer_name": performer}, [Presentation.title, Presentation.id]
    )
    total, rows = await repository.page(session, stmt, page.offset, page.limit)
    return _paged(page, total, [presentation_out(r) for r in rows])


@router.get("/presentations/{presentation_id}", response_model=Envelope[PresentationOut], responses=READ)
async def get_presentation(presentation_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One presentation."""
    return ok(presentation_out(await _found(session, Presentation, presentation_id, "PRESENTATION_NOT_FOUND", "Presentation")))


@router.patch("/presentations/{presentation_id}", response_model=Envelope[PresentationOut], responses=WRITE)
async def update_presentation(
    presentation_id: IdPath, body: PresentationPatch, _: AdminPrincipal, session: SessionDep, request: Request
) -> Any:
    """Change a presentation (ADMIN)."""
    return ok(presentation_out(await service.update_presentation(session, _ctx(request), presentation_id, body)))


@router.delete("/presentations/{presentation_id}", responses=WRITE)
async def delete_presentation(presentation_id: IdPath, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Delete a presentation without zones or events (ADMIN)."""
    await service.delete_presentation(session, _ctx(request), presentation_id)
    return ok({"id": presentation_id, "deleted": True})


# ------------------------------------------------------------------ zones


@router.post("/presentation-sections", status_code=201, response_model=Envelope[PresentationSectionOut], responses=WRITE)
async def create_zone(body: PresentationSectionIn, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Create a price zone of a presentation (ADMIN); ``price`` in major units."""
    return created(zone_out(await service.create_zone(session, _ctx(request), body)))


@router.get("/presentation-sections", responses=error_responses(400, 401))
async def list_zones(_: CurrentPrincipal, session: SessionDep, page: PageDep, presentationId: IdQuery = None) -> Any:  # noqa: N803
    """Price zones, by presentation then ``sort``."""
    stmt = repository.catalog_query(
        PresentationSection,
        {"presentation_id": presentationId},
        {},
        [PresentationSection.presentation_id, PresentationSection.sort, PresentationSection.name],
    )
    total, rows = await repository.page(session, stmt, page.offset, page.limit)
    return _paged(page, total, [zone_out(r) for r in rows])


@router.get("/presentation-sections/{zone_id}", response_model=Envelope[PresentationSectionOut], responses=READ)
async def get_zone(zone_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One price zone."""
    return ok(zone_out(await _found(session, PresentationSection, zone_id, "ZONE_NOT_FOUND", "Zone")))


@router.patch("/presentation-sections/{zone_id}", response_model=Envelope[PresentationSectionOut], responses=WRITE)
async def update_zone(zone_id: IdPath, body: PresentationSectionPatch, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Change a zone (ADMIN); tickets already sold keep their price."""
    return ok(zone_out(await service.update_zone(session, _ctx(request), zone_id, body)))


@router.delete("/presentation-sections/{zone_id}", responses=WRITE)
async def delete_zone(zone_id: IdPath, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Delete a zone without items or tickets (ADMIN)."""
    await service.delete_zone(session, _ctx(request), zone_id)
    return ok({"id": zone_id, "deleted": True})


# ------------------------------------------------------------------ items


@router.post("/presentation-section-items", status_code=201, response_model=Envelope[PresentationSectionItemOut], responses=WRITE)
async def create_item(body: PresentationSectionItemIn, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Let a zone sell a location section of the presentation's location (ADMIN)."""
    return created(item_out(await service.create_item(session, _ctx(request), body)))


@router.get("/presentation-section-items", responses=error_responses(400, 401))
async def list_items(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    presentationSectionId: IdQuery = None,  # noqa: N803
    locationSectionId: IdQuery = None,  # noqa: N803
) -> Any:
    """Zone items, filtered by zone and/or location section."""
    stmt = repository.catalog_query(
        PresentationSectionItem,
        {"presentation_section_id": presentationSectionId, "location_section_id": locationSectionId},
        {},
        [PresentationSectionItem.presentation_section_id, PresentationSectionItem.id],
    )
    total, rows = await repository.page(session, stmt, page.offset, page.limit)
    return _paged(page, total, [item_out(r) for r in rows])


@router.get("/presentation-section-items/{item_id}", response_model=Envelope[PresentationSectionItemOut], responses=READ)
async def get_item(item_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One zone item."""
    return ok(item_out(await _found(session, PresentationSectionItem, item_id, "ITEM_NOT_FOUND", "Item")))


@router.delete("/presentation-section-items/{item_id}", responses=WRITE)
async def delete_item(item_id: IdPath, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Delete a zone item no ticket used (ADMIN)."""
    await service.delete_item(session, _ctx(request), item_id)
    return ok({"id": item_id, "deleted": True})


# ----------------------------------------------------------------- events


def _instant(value: str | None, field: str, *, end: bool) -> datetime | None:
    """``YYYY-MM-DD`` (a UTC day; ``end`` → the next midnight) or an ISO datetime with offset."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1 if end else 0), time(0), tzinfo=UTC)
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(f"{field} must be YYYY-MM-DD or an ISO-8601 datetime, got {value!r}.", code="INVALID_DATE") from exc
    if instant.tzinfo is None:
        raise BadRequest(f"{field} needs a UTC offset (e.g. 2026-12-01T20:00:00Z).", code="INVALID_DATE")
    return instant.astimezone(UTC)


PriceQuery = Annotated[Decimal | None, Query(ge=0, le=MAX_MAJOR, description="major units")]


@router.get("/events", responses=error_responses(400, 401))
async def list_events(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    title: TextQuery = None,
    performer: TextQuery = None,
    location: TextQuery = None,
    dateFrom: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD (UTC) or ISO datetime, inclusive")] = None,  # noqa: N803
    dateTo: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD (UTC, whole day) or ISO datetime")] = None,  # noqa: N803
    priceFrom: PriceQuery = None,  # noqa: N803
    priceTo: PriceQuery = None,  # noqa: N803
    currency: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    status: Literal["draft", "on_sale", "sold_out", "cancelled"] | None = None,
    type: Literal["standard", "premium"] | None = None,  # noqa: A002
    presentationId: IdQuery = None,  # noqa: N803
    orderBy: Annotated[str, Query(max_length=40, description=f"one of {', '.join(EVENT_ORDER)}")] = "startAt",  # noqa: N803
    order: Annotated[str, Query(max_length=4, description="asc | desc")] = "asc",
) -> Any:
    """Search events: text filters (escaped, case-insensitive), dates, zone prices; rows carry
    ``minPrice``/``maxPrice`` and ``capacity``/``available``. 400 ``INVALID_ORDER_BY`` for other orderings."""
    if orderBy not in EVENT_ORDER:
        raise BadRequest(f"orderBy must be one of {', '.join(EVENT_ORDER)}; got {orderBy!r}.", code="INVALID_ORDER_BY")
    if order not in ("asc", "desc"):
        raise BadRequest(f"order must be asc or desc; got {order!r}.", code="INVALID_ORDER")
    since, until = _instant(dateFrom, "dateFrom", end=False), _instant(dateTo, "dateTo", end=True)
    if since and until and since >= until:
        raise BadRequest("dateFrom must be before dateTo.", code="INVALID_RANGE")
    if priceFrom is not None and priceTo is not None and priceFrom > priceTo:
        raise BadRequest("priceFrom must be ≤ priceTo.", code="INVALID_RANGE")
    filters = repository.EventFilters(
        title=title,
        performer=performer,
        location=location,
        since=since,
        until=until,
        price_from=to_cents(priceFrom) if priceFrom is not None else None,
        price_to=to_cents(priceTo) if priceTo is not None else None,
        currency=currency.lower() if currency else None,
        status=status,
        type=type,
        presentation_id=presentationId,
    )
    total, rows = await repository.search_events(session, filters, orderBy, order == "desc", page.offset, page.limit)
    out = [
        EventRow(
            **service.event_out(r["Event"]).model_dump(),
            performerName=r["performer_name"],
            locationId=r["location_id"],
            locationName=r["location_name"],
            minPrice=from_cents(r["min_price"]) if r["min_price"] is not None else None,
            maxPrice=from_cents(r["max_price"]) if r["max_price"] is not None else None,
            minPriceCents=r["min_price"],
            maxPriceCents=r["max_price"],
            currency=r["currency"],
            capacity=int(r["capacity"]),
            available=int(r["available"]),
        )
        for r in rows
    ]
    return _paged(page, total, out)


@router.post("/events", status_code=201, response_model=Envelope[EventOut], responses=WRITE)
async def create_event(body: EventIn, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Create a dated function of a presentation (ADMIN)."""
    return created(service.event_out(await service.create_event(session, _ctx(request), body)))


@router.get("/events/{event_id}", responses=READ)
async def get_event(event_id: IdPath, _: CurrentPrincipal, session: SessionDep, request: Request) -> Response:
    """Event detail with zones, items, capacity, availability and numbered seats (``x-cache: hit|miss``)."""
    body, hit = await service.event_detail_json(session, _ctx(request), event_id)
    content = '{"success":true,"data":' + body + ',"requestId":' + dumps(current_request_id()).decode() + "}"
    return Response(content=content.encode(), media_type="application/json", headers={"x-cache": "hit" if hit else "miss"})


@router.patch("/events/{event_id}", response_model=Envelope[EventOut], responses=WRITE)
async def update_event(event_id: IdPath, body: EventPatch, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Change an event (ADMIN); ``status`` draft|on_sale|cancelled (``sold_out`` follows sales)."""
    return ok(service.event_out(await service.update_event(session, _ctx(request), event_id, body)))


@router.delete("/events/{event_id}", responses=WRITE)
async def delete_event(event_id: IdPath, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Delete an event without tickets (ADMIN); cancel it instead once sold."""
    await service.delete_event(session, _ctx(request), event_id)
    return ok({"id": event_id, "deleted": True})


# ---------------------------------------------------------------- tickets


@router.post(
    "/tickets",
    status_code=201,
    response_model=Envelope[TicketOut],
    responses=error_responses(400, 404, 409, 422, 429),
    dependencies=[Depends(storefront_rate_limit)],
)
async def sell_tickets(body: TicketIn, session: SessionDep, idem: IdempotencyDep, request: Request) -> Any:
    """Sell places of one event to one customer, all or nothing (storefront: no token, rate-limited).

    Honours ``Idempotency-Key``. 409 ``SEAT_TAKEN``/``SOLD_OUT`` names the place that is gone.
    """
    async def store(ticket: dict[str, Any]) -> Any:
        return await idem.respond(201, ticket)  # saved before the counters are raised (see service.sell)

    return await service.sell(session, _ctx(request), body, store)


@router.get("/tickets", responses=error_responses(400, 401, 403))
async def list_tickets(
    _: AdminPrincipal,
    session: SessionDep,
    page: PageDep,
    eventId: IdQuery = None,  # noqa: N803
    customerDocument: Annotated[str | None, Query(min_length=1, max_length=32)] = None,  # noqa: N803
    status: Literal["paid", "cancelled"] | None = None,
) -> Any:
    """Tickets newest first, by event and/or customer document (ADMIN)."""
    document = customerDocument.strip().upper() if customerDocument else None
    total, rows = await service.list_tickets(session, eventId, document, status, page.offset, page.limit)
    return _paged(page, total, rows)


@router.get("/tickets/{ticket_id}", response_model=Envelope[TicketOut], responses=error_responses(401, 403, 404))
async def get_ticket(ticket_id: IdPath, _: AdminPrincipal, session: SessionDep) -> Any:
    """One ticket with its lines (ADMIN)."""
    return ok(await service.get_ticket(session, ticket_id))


@router.post("/tickets/{ticket_id}/cancel", response_model=Envelope[TicketOut], responses=error_responses(401, 403, 404, 409))
async def cancel_ticket(ticket_id: IdPath, _: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """Cancel a ticket and release its places (ADMIN); a sold-out event goes back on sale."""
    return ok(await service.cancel_ticket(session, _ctx(request), ticket_id))


# ------------------------------------------------------------ app wiring


def install(app: FastAPI) -> None:
    """Mount the back office (SQLAdmin) at ``/admin``."""
    from taquilla.admin import install_admin

    install_admin(app)


async def on_startup(app: FastAPI) -> None:
    """Bind the back office to the engine created in the lifespan."""
    from taquilla.admin import bind_admin

    bind_admin(app)
