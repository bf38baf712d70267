"""HTTP routes of box office events under ``/api/v1/boxoffice/events``: dated functions, search, detail.

Writes need an ADMIN token, reads any token. The detail is served from Redis when fresh
(``x-cache: hit|miss``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Response

from taquilla.boxoffice.catalog.schemas import Deleted
from taquilla.boxoffice.context import BoxOfficeDep
from taquilla.boxoffice.events import service
from taquilla.boxoffice.events.repository import EventFilters
from taquilla.boxoffice.events.schemas import (
    EventDetailOut,
    EventIn,
    EventOut,
    EventPatch,
    EventRow,
)
from taquilla.core.context import current_request_id
from taquilla.core.db import SessionDep
from taquilla.core.errors import BadRequest
from taquilla.core.ids import CLIENT_ID_PATTERN
from taquilla.core.jsonenc import dumps
from taquilla.core.money import MAX_MAJOR, to_cents
from taquilla.core.pagination import PageDep
from taquilla.core.responses import (
    Envelope,
    ListEnvelope,
    created,
    error_responses,
    ok,
    ok_page,
)
from taquilla.core.routing import context_router
from taquilla.core.security import AdminPrincipal, CurrentPrincipal

router = context_router(prefix="/api/v1/boxoffice", tags=["box office"])

IdPath = Annotated[str, Path(pattern=CLIENT_ID_PATTERN)]
IdQuery = Annotated[str | None, Query(pattern=CLIENT_ID_PATTERN)]
TextQuery = Annotated[str | None, Query(min_length=1, max_length=100)]
PriceQuery = Annotated[Decimal | None, Query(ge=0, le=MAX_MAJOR, description="major units")]
EVENT_ORDER = ("startAt", "title", "createdAt", "minPrice", "maxPrice", "available")

WRITE = error_responses(400, 401, 403, 404, 409)


def _instant(value: str | None, field: str, *, end: bool) -> datetime | None:
    """``YYYY-MM-DD`` (a UTC day; ``end`` → the next midnight) or an ISO datetime with offset. Raises BadRequest."""
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


@router.get("/events", response_model=ListEnvelope[EventRow], responses=error_responses(400, 401))
async def list_events(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    title: TextQuery = None,
    performer: TextQuery = None,
    location: TextQuery = None,
    dateFrom: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD (UTC) or ISO datetime, inclusive")] = None,
    dateTo: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD (UTC, whole day) or ISO datetime")] = None,
    priceFrom: PriceQuery = None,
    priceTo: PriceQuery = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    status: Literal["draft", "on_sale", "sold_out", "cancelled"] | None = None,
    type: Literal["standard", "premium"] | None = None,
    presentationId: IdQuery = None,
    orderBy: Annotated[str, Query(max_length=40, description=f"one of {', '.join(EVENT_ORDER)}")] = "startAt",
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
    filters = EventFilters(
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
    total, rows = await service.search_events(session, filters, orderBy, order == "desc", page.offset, page.limit)
    return ok_page(rows, page, total)


@router.post("/events", status_code=201, response_model=Envelope[EventOut], responses=WRITE)
async def create_event(body: EventIn, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Create a dated function of a presentation (ADMIN)."""
    return created(EventOut.model_validate(await service.create_event(session, ctx, body)))


@router.get("/events/{event_id}", response_model=Envelope[EventDetailOut], responses=error_responses(400, 401, 404))
async def get_event(event_id: IdPath, _: CurrentPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Response:
    """Event detail with zones, items, capacity, availability and numbered seats (``x-cache: hit|miss``)."""
    body, hit = await service.event_detail_json(session, ctx, event_id)
    content = '{"success":true,"data":' + body + ',"requestId":' + dumps(current_request_id()).decode() + "}"
    return Response(content=content.encode(), media_type="application/json", headers={"x-cache": "hit" if hit else "miss"})


@router.patch("/events/{event_id}", response_model=Envelope[EventOut], responses=WRITE)
async def update_event(event_id: IdPath, body: EventPatch, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Change an event (ADMIN); ``status`` draft|on_sale|cancelled (``sold_out`` follows sales)."""
    return ok(EventOut.model_validate(await service.update_event(session, ctx, event_id, body)))


@router.delete("/events/{event_id}", response_model=Envelope[Deleted], responses=WRITE)
async def delete_event(event_id: IdPath, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Delete an event without tickets (ADMIN); cancel it instead once sold."""
    await service.delete_event(session, ctx, event_id)
    return ok(Deleted(id=event_id))
