"""Routes of lottery tickets: ``/api/v1/tickets`` (sell, list, get, ``PATCH …/{id}/cancel``) and
their prize payments ``/api/v1/tickets/{id}/prize-payments`` (pay, list, ``…/{paymentId}/reverse``).
HTTP only: rules are in :mod:`.service`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request

from taquilla.core.db import SessionDep, driver_transaction
from taquilla.core.idempotency import IdempotencyDep, idempotency_of
from taquilla.core.pagination import PageDep
from taquilla.core.responses import Envelope, ListEnvelope, ok, ok_page
from taquilla.core.routing import context_router, hand_resolved, valid_body
from taquilla.core.security import principal_of
from taquilla.network.auth import ListeroOrAdmin, NetworkScopeDep, scope_of
from taquilla.network.clock import NowDep, PeriodFilter, now_of
from taquilla.network.common import R_READ, R_WRITE, IdPath, IdQuery, Search
from taquilla.network.sales import service
from taquilla.network.sales.schemas import (
    PayIn,
    PrizePaidOut,
    PrizePaymentIn,
    PrizePaymentOut,
    ReverseIn,
    ReverseLastIn,
    TicketIn,
    TicketOut,
    TicketStatus,
)

router = context_router(prefix="/api/v1", tags=["sales network: tickets"])


async def _sale_now(request: Request) -> datetime:
    """:func:`taquilla.network.clock.now_of` as an ``async`` dependency: FastAPI runs a plain ``def``
    dependency in its thread pool, and that hand-off was ~7 % of the API's CPU per sale (bench/README.md
    "Lottery sale")."""
    return now_of(request)


SaleNow = Annotated[datetime, Depends(_sale_now)]


async def _sale_by_hand(request: Request, endpoint: Any) -> Any:
    """:func:`sell_ticket`'s arguments without the dependency layer (``core.routing.hand_resolved``), in its
    dependencies' order: scope (401/403), transaction, ``Idempotency-Key`` claim, clock; an invalid body → FastAPI.
    The transaction is a :class:`~taquilla.core.db.DriverTransaction` (the sale's SQL is all driver SQL)."""
    body = await valid_body(request, TicketIn)
    if body is None:
        return None
    scope = scope_of(await principal_of(request))
    async with driver_transaction(request) as tx:  # the sale is driver SQL only (service.sell): no ORM session
        idem = await idempotency_of(request, tx)
        return await endpoint(body=body, scope=scope, session=tx, idem=idem, now=now_of(request))


@router.post("/tickets", status_code=201, response_model=Envelope[TicketOut], responses=R_WRITE)
@hand_resolved(_sale_by_hand)
async def sell_ticket(body: TicketIn, scope: NetworkScopeDep, session: SessionDep, idem: IdempotencyDep, now: SaleNow) -> Any:
    """Sell a ticket (VENDEDOR for itself; VENTANA/ADMIN for a vendedor in scope). Honours ``Idempotency-Key``."""
    ticket = await service.sell(session, scope, body, now)
    return await idem.respond(201, TicketOut.of(ticket, ticket.jugadas))


@router.get("/tickets", response_model=ListEnvelope[TicketOut], responses=R_READ)
async def list_tickets(
    scope: NetworkScopeDep,
    session: SessionDep,
    page: PageDep,
    period: PeriodFilter,
    sorteoId: IdQuery = None,
    ventanaId: IdQuery = None,
    vendedorId: IdQuery = None,
    status: TicketStatus | None = None,
    winners: bool = False,
    isWinner: bool | None = None,
    hasWinner: bool | None = None,
    search: Search = None,
    scope_: Annotated[Literal["mine", "all", "ventana", "global"] | None, Query(alias="scope")] = None,
) -> Any:
    """Tickets newest first with their jugadas and the names the client shows, filtered to the caller's
    scope (403 for ids outside it). ``winners``/``isWinner``/``hasWinner``: only tickets with a prize;
    ``status=PAID``: winners fully paid or closed; ``search``: ticket number or vendedor name/code;
    ``scope`` (mine|all) is accepted — the caller's role already decides what it sees."""
    total, rows = await service.list_tickets(
        session, scope, ventana_id=ventanaId, vendedor_id=vendedorId, sorteo_id=sorteoId, status=status,
        period=period, winners_only=bool(winners or isWinner or hasWinner), page=page, search=search,
    )
    return ok_page(await service.shown(session, rows), page, total)


@router.get("/tickets/{ticket_id}", response_model=Envelope[TicketOut], responses=R_READ)
async def get_ticket(ticket_id: IdPath, scope: NetworkScopeDep, session: SessionDep) -> Any:
    """One ticket with its jugadas, embedded names and payment history (404 outside the caller's scope)."""
    return ok((await service.shown(session, [await service.get_ticket(session, scope, ticket_id)], payments=True))[0])


@router.patch("/tickets/{ticket_id}/cancel", response_model=Envelope[TicketOut], responses=R_WRITE)
@router.post("/tickets/{ticket_id}/cancel", include_in_schema=False)
async def cancel_ticket(ticket_id: IdPath, scope: NetworkScopeDep, session: SessionDep, now: NowDep) -> Any:
    """Cancel an ACTIVE ticket before its sorteo's cutoff."""
    return ok((await service.shown(session, [await service.cancel_ticket(session, scope, ticket_id, now)]))[0])


@router.post("/tickets/{ticket_id}/pay", status_code=201, response_model=Envelope[TicketOut], responses=R_WRITE)
async def pay_ticket(ticket_id: IdPath, body: PayIn, scope: NetworkScopeDep, session: SessionDep, idem: IdempotencyDep) -> Any:
    """Pay ``amountPaid`` of a winner's prize (partial payments; ``isFinal`` closes the payment: status PAID).
    Never more than the unpaid prize. Idempotent by ``idempotencyKey`` or the ``Idempotency-Key`` header.
    Answers the ticket with its payment history."""
    await idem.claim_body_key(body.idempotencyKey)
    _, ticket = await service.pay_ticket(session, scope, ticket_id, body)
    jugadas = (await service.get_ticket(session, scope, ticket.id))[1]
    return await idem.respond(201, (await service.shown(session, [(ticket, jugadas)], payments=True))[0])


@router.post("/tickets/{ticket_id}/reverse-payment", response_model=Envelope[TicketOut], responses=R_WRITE)
async def reverse_last_payment(
    ticket_id: IdPath, scope: ListeroOrAdmin, session: SessionDep, now: NowDep, body: ReverseLastIn | None = None
) -> Any:
    """Reverse the ticket's last live payment (ADMIN or the listero); it stays in the history, marked."""
    ticket = await service.reverse_last_payment(session, scope, ticket_id, body.reason if body else None, now)
    jugadas = (await service.get_ticket(session, scope, ticket.id))[1]
    return ok((await service.shown(session, [(ticket, jugadas)], payments=True))[0])


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
