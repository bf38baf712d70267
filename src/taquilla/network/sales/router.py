"""Routes of lottery tickets: ``/api/v1/tickets`` (sell, list, get, ``PATCH …/{id}/cancel``) and
their prize payments ``/api/v1/tickets/{id}/prize-payments`` (pay, list, ``…/{paymentId}/reverse``).
HTTP only: rules are in :mod:`.service`.
"""

from __future__ import annotations

from typing import Any

from taquilla.core.db import SessionDep
from taquilla.core.idempotency import IdempotencyDep
from taquilla.core.pagination import PageDep
from taquilla.core.responses import Envelope, ListEnvelope, ok, ok_page
from taquilla.core.routing import context_router
from taquilla.network.auth import ListeroOrAdmin, NetworkScopeDep
from taquilla.network.clock import NowDep, PeriodFilter
from taquilla.network.common import R_READ, R_WRITE, IdPath, IdQuery
from taquilla.network.sales import service
from taquilla.network.sales.schemas import (
    PrizePaidOut,
    PrizePaymentIn,
    PrizePaymentOut,
    ReverseIn,
    TicketIn,
    TicketOut,
    TicketStatus,
)

router = context_router(prefix="/api/v1", tags=["sales network: tickets"])


@router.post("/tickets", status_code=201, response_model=Envelope[TicketOut], responses=R_WRITE)
async def sell_ticket(body: TicketIn, scope: NetworkScopeDep, session: SessionDep, idem: IdempotencyDep, now: NowDep) -> Any:
    """Sell a ticket (VENDEDOR for itself; VENTANA/ADMIN for a vendedor in scope). Honours ``Idempotency-Key``."""
    ticket = await service.sell(session, scope, body, now)
    return await idem.respond(201, TicketOut.of(ticket, ticket.jugadas))


@router.get("/tickets", response_model=ListEnvelope[TicketOut], responses=R_READ)
async def list_tickets(
    scope: NetworkScopeDep,
    session: SessionDep,
    page: PageDep,
    period: PeriodFilter,
    sorteoId: IdQuery = None,  # noqa: N803
    ventanaId: IdQuery = None,  # noqa: N803
    vendedorId: IdQuery = None,  # noqa: N803
    status: TicketStatus | None = None,
    winners: bool = False,
) -> Any:
    """Tickets newest first with their jugadas, filtered to the caller's scope (403 for ids outside it)."""
    total, rows = await service.list_tickets(
        session, scope, ventana_id=ventanaId, vendedor_id=vendedorId, sorteo_id=sorteoId, status=status,
        period=period, winners_only=winners, page=page,
    )
    return ok_page([TicketOut.of(t, j) for t, j in rows], page, total)


@router.get("/tickets/{ticket_id}", response_model=Envelope[TicketOut], responses=R_READ)
async def get_ticket(ticket_id: IdPath, scope: NetworkScopeDep, session: SessionDep) -> Any:
    """One ticket with its jugadas (404 outside the caller's scope)."""
    return ok(TicketOut.of(*await service.get_ticket(session, scope, ticket_id)))


@router.patch("/tickets/{ticket_id}/cancel", response_model=Envelope[TicketOut], responses=R_WRITE)
@router.post("/tickets/{ticket_id}/cancel", include_in_schema=False)
async def cancel_ticket(ticket_id: IdPath, scope: NetworkScopeDep, session: SessionDep, now: NowDep) -> Any:
    """Cancel an ACTIVE ticket before its sorteo's cutoff."""
    return ok(TicketOut.of(*await service.cancel_ticket(session, scope, ticket_id, now)))


@router.post("/tickets/{ticket_id}/prize-payments", status_code=201, response_model=Envelope[PrizePaidOut], responses=R_WRITE)
async def pay_prize(ticket_id: IdPath, body: PrizePaymentIn, scope: NetworkScopeDep, session: SessionDep, idem: IdempotencyDep) -> Any:
    """Pay (part of) a winner's prize to the customer (``amount`` omitted = the rest). Honours ``Idempotency-Key``."""
    payment, ticket = await service.pay_prize(session, scope, ticket_id, body)
    return await idem.respond(201, PrizePaidOut(payment=PrizePaymentOut.model_validate(payment), ticket=TicketOut.of(ticket)))


@router.get("/tickets/{ticket_id}/prize-payments", response_model=Envelope[list[PrizePaymentOut]], responses=R_READ)
async def list_prize_payments(ticket_id: IdPath, scope: NetworkScopeDep, session: SessionDep) -> Any:
    """The ticket's prize payments, oldest first (reversed ones flagged)."""
    return ok([PrizePaymentOut.model_validate(p) for p in await service.list_prize_payments(session, scope, ticket_id)])


@router.post(
    "/tickets/{ticket_id}/prize-payments/{payment_id}/reverse", response_model=Envelope[PrizePaymentOut], responses=R_WRITE
)
async def reverse_prize(
    ticket_id: IdPath, payment_id: IdPath, body: ReverseIn, scope: ListeroOrAdmin, session: SessionDep, now: NowDep
) -> Any:
    """Reverse a prize payment (ADMIN or the listero); it stays listed as reversed."""
    return ok(PrizePaymentOut.model_validate(
        await service.reverse_prize_payment(session, scope, ticket_id, payment_id, body.reason, now)
    ))
