"""HTTP routes of box office sales under ``/api/v1/boxoffice/tickets``.

``POST /tickets`` is the storefront's: no token, rate-limited per client address
(``STOREFRONT_RATE_LIMIT``), ``Idempotency-Key`` honoured. Reading, listing and cancelling
tickets is for ADMIN staff.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request

from taquilla.boxoffice.context import BoxOfficeDep, box_office_context
from taquilla.boxoffice.ratelimit import storefront_rate_limit
from taquilla.boxoffice.sales import service
from taquilla.boxoffice.sales.schemas import BoxOfficeTicketIn, BoxOfficeTicketOut
from taquilla.core.db import SessionDep, driver_transaction
from taquilla.core.idempotency import IdempotencyDep, idempotency_of
from taquilla.core.ids import CLIENT_ID_PATTERN
from taquilla.core.pagination import PageDep
from taquilla.core.responses import Envelope, ListEnvelope, error_responses, ok, ok_page
from taquilla.core.routing import context_router, hand_resolved, valid_body
from taquilla.core.security import AdminPrincipal

router = context_router(prefix="/api/v1/boxoffice", tags=["box office"])

IdPath = Annotated[str, Path(pattern=CLIENT_ID_PATTERN)]
IdQuery = Annotated[str | None, Query(pattern=CLIENT_ID_PATTERN)]


async def _sale_by_hand(request: Request, endpoint: Any) -> Any:
    """:func:`sell_tickets`' arguments without the dependency layer (``core.routing.hand_resolved``), in its
    dependencies' order: rate limit (429), transaction, ``Idempotency-Key`` claim, context; an invalid body → FastAPI.
    The sale is driver SQL only, so its transaction is a ``DriverTransaction`` (no ORM session)."""
    body = await valid_body(request, BoxOfficeTicketIn)
    if body is None:
        return None
    await storefront_rate_limit(request)
    async with driver_transaction(request) as tx:
        idem = await idempotency_of(request, tx)
        return await endpoint(body=body, session=tx, idem=idem, ctx=await box_office_context(request))


@router.post(
    "/tickets",
    status_code=201,
    response_model=Envelope[BoxOfficeTicketOut],
    responses=error_responses(400, 404, 409, 422, 429),
    dependencies=[Depends(storefront_rate_limit)],
)
@hand_resolved(_sale_by_hand)
async def sell_tickets(body: BoxOfficeTicketIn, session: SessionDep, idem: IdempotencyDep, ctx: BoxOfficeDep) -> Any:
    """Sell places of one event to one customer, all or nothing (storefront: no token, rate-limited).

    Honours ``Idempotency-Key``. 409 ``SEAT_TAKEN``/``SOLD_OUT`` names the place that is gone;
    400 ``AMOUNT_TOO_LARGE`` when the total cannot be stored.
    """
    sale = await service.record_sale(session, ctx, body)
    response = await idem.respond(201, sale.ticket)  # stored in the sale's transaction, before the counters' row locks
    await service.reserve_places(session, ctx, sale)  # last: only COMMIT follows; SOLD_OUT here rolls back all of it
    return response


@router.get("/tickets", response_model=ListEnvelope[BoxOfficeTicketOut], responses=error_responses(400, 401, 403))
async def list_tickets(
    _: AdminPrincipal,
    session: SessionDep,
    page: PageDep,
    eventId: IdQuery = None,
    customerDocument: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    status: Literal["paid", "cancelled"] | None = None,
) -> Any:
    """Tickets newest first, by event and/or customer document (ADMIN)."""
    document = customerDocument.strip().upper() if customerDocument else None
    total, rows = await service.list_tickets(session, eventId, document, status, page.offset, page.limit)
    return ok_page(rows, page, total)


@router.get("/tickets/{ticket_id}", response_model=Envelope[BoxOfficeTicketOut], responses=error_responses(401, 403, 404))
async def get_ticket(ticket_id: IdPath, _: AdminPrincipal, session: SessionDep) -> Any:
    """One ticket with its lines (ADMIN)."""
    return ok(await service.get_ticket(session, ticket_id))


@router.post("/tickets/{ticket_id}/cancel", response_model=Envelope[BoxOfficeTicketOut], responses=error_responses(401, 403, 404, 409))
async def cancel_ticket(ticket_id: IdPath, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Cancel a ticket and release its places (ADMIN); a sold-out event goes back on sale."""
    return ok(await service.cancel_ticket(session, ctx, ticket_id))
