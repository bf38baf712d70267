"""HTTP routes of the sales network context (``/api/v1/...``): structure, lottery sales,
draws, prize payments, movements, accounts and statements. HTTP only: rules live in
:mod:`taquilla.network.service`, queries in :mod:`taquilla.network.repository`.

Amounts are major units (``1500000.00``); dates are CR business dates (``YYYY-MM-DD``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request

from taquilla.core.db import SessionDep
from taquilla.core.errors import Forbidden, NotFound
from taquilla.core.idempotency import IdempotencyDep
from taquilla.core.ids import CLIENT_ID_PATTERN
from taquilla.core.money import from_cents
from taquilla.core.pagination import PageDep
from taquilla.core.periods import cr_date_of, resolve_period
from taquilla.core.responses import Envelope, ListEnvelope, created, error_responses, ok, ok_page
from taquilla.core.security import CurrentPrincipal
from taquilla.network import repository as repo
from taquilla.network import service
from taquilla.network.models import Account, Banca, Jugada, Loteria, LotteryTicket, Movement, PrizePayment, Sorteo, Vendedor, Ventana
from taquilla.network.schemas import (
    AccountOut,
    BancaIn,
    BancaOut,
    BancaPatch,
    EvaluateIn,
    JugadaOut,
    LoteriaIn,
    LoteriaOut,
    LoteriaPatch,
    MovementIn,
    PrizePaymentIn,
    PrizePaymentOut,
    ReverseIn,
    ReversePaymentIn,
    SorteoIn,
    SorteoOut,
    SorteoPatch,
    TicketIn,
    TicketOut,
    VendedorIn,
    VendedorOut,
    VendedorPatch,
    VentanaIn,
    VentanaOut,
    VentanaPatch,
)

router = APIRouter(prefix="/api/v1", tags=["sales network"])

IdPath = Annotated[str, Path(pattern=CLIENT_ID_PATTERN)]
IdQuery = Annotated[str | None, Query(pattern=CLIENT_ID_PATTERN)]
R_READ = error_responses(400, 401, 403, 404)
R_WRITE = error_responses(400, 401, 403, 404, 409, 422)


def now_of(request: Request) -> datetime:
    """The current instant (UTC); tests may set ``app.state.network_clock`` to a callable."""
    clock = getattr(request.app.state, "network_clock", None)
    return clock() if clock is not None else datetime.now(UTC)


# ---- shapes ---------------------------------------------------------------------------------------


def banca_out(b: Banca) -> BancaOut:
    return BancaOut(id=b.id, code=b.code, name=b.name, isActive=b.is_active, commissionPolicy=b.commission_policy, createdAt=b.created_at)


def ventana_out(v: Ventana, account_id: str | None = None) -> VentanaOut:
    return VentanaOut(
        id=v.id, bancaId=v.banca_id, code=v.code, name=v.name, isActive=v.is_active,
        commissionPolicy=v.commission_policy, accountId=account_id, createdAt=v.created_at,
    )


def vendedor_out(v: Vendedor, account_id: str | None = None) -> VendedorOut:
    return VendedorOut(
        id=v.id, ventanaId=v.ventana_id, code=v.code, name=v.name, isActive=v.is_active,
        commissionPolicy=v.commission_policy, accountId=account_id, createdAt=v.created_at,
    )


def loteria_out(lot: Loteria) -> LoteriaOut:
    return LoteriaOut(
        id=lot.id, name=lot.name, digits=lot.digits, baseMultiplierX=lot.base_multiplier_x,
        reventadoEnabled=lot.reventado_enabled, drawTimes=list(lot.draw_times or []),
        salesCutoffMinutes=lot.sales_cutoff_minutes,
        maxAmountPerBet=from_cents(lot.max_bet_cents) if lot.max_bet_cents is not None else None,
        maxAmountPerNumber=from_cents(lot.max_per_number_cents) if lot.max_per_number_cents is not None else None,
        isActive=lot.is_active,
    )


def sorteo_out(s: Sorteo, loteria: Loteria | None = None) -> SorteoOut:
    return SorteoOut(
        id=s.id, loteriaId=s.loteria_id, scheduledAt=s.scheduled_at, businessDate=s.business_date,
        cutoffAt=service.cutoff_of(s, loteria) if loteria is not None else None, status=s.status,
        winningNumber=s.winning_number,
        extraMultiplierX=s.extra_multiplier_x if s.extra_multiplier_x is not None else None,
        evaluatedAt=s.evaluated_at,
    )


def jugada_out(j: Jugada) -> JugadaOut:
    return JugadaOut(
        id=j.id, number=j.number, type=j.bet_type, amount=from_cents(j.amount_cents), multiplierX=j.multiplier_x,
        commissionPercent=j.commission_percent, commissionAmount=from_cents(j.commission_cents),
        listeroCommissionPercent=j.listero_commission_percent,
        listeroCommissionAmount=from_cents(j.listero_commission_cents), isWinner=j.is_winner,
        payout=from_cents(j.payout_cents),
    )


def ticket_out(t: LotteryTicket, jugadas: list[Jugada] | None = None) -> TicketOut:
    return TicketOut(
        id=t.id, ticketNumber=t.ticket_number, businessDate=t.business_date, sorteoId=t.sorteo_id, loteriaId=t.loteria_id,
        ventanaId=t.ventana_id, vendedorId=t.vendedor_id, status=t.status, totalAmount=from_cents(t.total_amount_cents),
        commissionAmount=from_cents(t.commission_cents), listeroCommissionAmount=from_cents(t.listero_commission_cents),
        totalPayout=from_cents(t.payout_cents), totalPaidToCustomer=from_cents(t.paid_cents),
        isWinner=t.payout_cents > 0, createdAt=t.created_at, cancelledAt=t.cancelled_at,
        jugadas=[jugada_out(j) for j in jugadas] if jugadas is not None else None,
    )


def prize_out(p: PrizePayment) -> PrizePaymentOut:
    return PrizePaymentOut(
        id=p.id, ticketId=p.ticket_id, amount=from_cents(p.amount_cents), notes=p.notes, createdBy=p.created_by,
        createdAt=p.created_at, isReversed=p.reversed_at is not None, reversedAt=p.reversed_at, reverseReason=p.reverse_reason,
    )


def _listing(total: int, items: list[Any], page: Any) -> dict[str, Any]:
    return ok_page(items, page, total)


# ---- bancas (ADMIN) ----------------------------------------------------------------------------------


@router.post("/bancas", status_code=201, response_model=Envelope[BancaOut], responses=R_WRITE)
async def create_banca(body: BancaIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Create a banca (ADMIN)."""
    service.require_admin(service.scope_of(principal))
    return created(banca_out(await service.create_banca(session, body)))


@router.get("/bancas", responses=R_READ)
async def list_bancas(
    principal: CurrentPrincipal, session: SessionDep, page: PageDep, isActive: bool | None = None  # noqa: N803
) -> dict[str, Any]:
    """Bancas by code (ADMIN)."""
    service.require_admin(service.scope_of(principal))
    total, rows = await repo.page(session, repo.bancas_query(isActive), page.offset, page.limit, Banca.code)
    return _listing(total, [banca_out(b) for b in rows], page)


@router.get("/bancas/{banca_id}", response_model=Envelope[BancaOut], responses=R_READ)
async def get_banca(banca_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    service.require_admin(service.scope_of(principal))
    banca = await repo.get(session, Banca, banca_id)
    if banca is None:
        raise NotFound(f"Banca {banca_id!r} not found.", code="BANCA_NOT_FOUND")
    return ok(banca_out(banca))


@router.patch("/bancas/{banca_id}", response_model=Envelope[BancaOut], responses=R_WRITE)
async def patch_banca(banca_id: IdPath, body: BancaPatch, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Rename, (de)activate or change the default commission policy (future sales only)."""
    service.require_admin(service.scope_of(principal))
    return ok(banca_out(await service.update_banca(session, banca_id, body)))


# ---- ventanas -------------------------------------------------------------------------------------------


@router.post("/ventanas", status_code=201, response_model=Envelope[VentanaOut], responses=R_WRITE)
async def create_ventana(body: VentanaIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Create a ventana and its account (ADMIN)."""
    service.require_admin(service.scope_of(principal))
    ventana, account = await service.create_ventana(session, body)
    return created(ventana_out(ventana, account.id))


@router.get("/ventanas", responses=R_READ)
async def list_ventanas(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    bancaId: IdQuery = None,  # noqa: N803
    isActive: bool | None = None,  # noqa: N803
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Ventanas by code; a listero or vendedor sees only its own."""
    scope = service.scope_of(principal)
    stmt = repo.ventanas_query(bancaId, isActive, search, scope.ventana_id)
    total, rows = await repo.page(session, stmt, page.offset, page.limit, Ventana.code)
    accounts = await repo.account_ids(session, "VENTANA", [v.id for v in rows])
    return _listing(total, [ventana_out(v, accounts.get(v.id)) for v in rows], page)


@router.get("/ventanas/{ventana_id}", response_model=Envelope[VentanaOut], responses=R_READ)
async def get_ventana(ventana_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    scope = service.scope_of(principal)
    ventana = await repo.get(session, Ventana, ventana_id)
    if ventana is None or (scope.ventana_id is not None and scope.ventana_id != ventana_id):
        raise NotFound(f"Ventana {ventana_id!r} not found.", code="VENTANA_NOT_FOUND")
    accounts = await repo.account_ids(session, "VENTANA", [ventana.id])
    return ok(ventana_out(ventana, accounts.get(ventana.id)))


@router.patch("/ventanas/{ventana_id}", response_model=Envelope[VentanaOut], responses=R_WRITE)
async def patch_ventana(ventana_id: IdPath, body: VentanaPatch, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Rename, (de)activate or change the commission policy (ADMIN; future sales only)."""
    service.require_admin(service.scope_of(principal))
    return ok(ventana_out(await service.update_ventana(session, ventana_id, body)))


# ---- vendedores -----------------------------------------------------------------------------------------


@router.post("/vendedores", status_code=201, response_model=Envelope[VendedorOut], responses=R_WRITE)
async def create_vendedor(body: VendedorIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Create a VENDEDOR user + vendedor + account (ADMIN, or the listero for its own ventana)."""
    vendedor, account = await service.create_vendedor(session, service.scope_of(principal), body)
    return created(vendedor_out(vendedor, account.id))


@router.get("/vendedores", responses=R_READ)
async def list_vendedores(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    ventanaId: IdQuery = None,  # noqa: N803
    isActive: bool | None = None,  # noqa: N803
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Vendedores by code, filtered to the caller's scope (403 for another ventana's id)."""
    scope = service.scope_of(principal)
    if scope.ventana_id is not None and ventanaId not in (None, scope.ventana_id):
        raise Forbidden("Outside your scope.", code="OUT_OF_SCOPE")
    stmt = repo.vendedores_query(ventanaId or scope.ventana_id, isActive, search, scope.vendedor_id)
    total, rows = await repo.page(session, stmt, page.offset, page.limit, Vendedor.code)
    accounts = await repo.account_ids(session, "VENDEDOR", [v.id for v in rows])
    return _listing(total, [vendedor_out(v, accounts.get(v.id)) for v in rows], page)


@router.get("/vendedores/{vendedor_id}", response_model=Envelope[VendedorOut], responses=R_READ)
async def get_vendedor(vendedor_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    vendedor = await service.get_vendedor_in_scope(session, service.scope_of(principal), vendedor_id)
    accounts = await repo.account_ids(session, "VENDEDOR", [vendedor.id])
    return ok(vendedor_out(vendedor, accounts.get(vendedor.id)))


@router.patch("/vendedores/{vendedor_id}", response_model=Envelope[VendedorOut], responses=R_WRITE)
async def patch_vendedor(vendedor_id: IdPath, body: VendedorPatch, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Rename, (de)activate or change the commission policy (ADMIN or its listero; future sales only)."""
    return ok(vendedor_out(await service.update_vendedor(session, service.scope_of(principal), vendedor_id, body)))


# ---- loterías and sorteos ------------------------------------------------------------------------------


@router.post("/loterias", status_code=201, response_model=Envelope[LoteriaOut], responses=R_WRITE)
async def create_loteria(body: LoteriaIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Create a lotería (ADMIN)."""
    service.require_admin(service.scope_of(principal))
    return created(loteria_out(await service.create_loteria(session, body)))


@router.get("/loterias", responses=R_READ)
async def list_loterias(
    principal: CurrentPrincipal, session: SessionDep, page: PageDep, isActive: bool | None = None  # noqa: N803
) -> dict[str, Any]:
    """Loterías by name (every network role)."""
    service.scope_of(principal)
    total, rows = await repo.page(session, repo.loterias_query(isActive), page.offset, page.limit, Loteria.name)
    return _listing(total, [loteria_out(x) for x in rows], page)


@router.get("/loterias/{loteria_id}", response_model=Envelope[LoteriaOut], responses=R_READ)
async def get_loteria(loteria_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    service.scope_of(principal)
    loteria = await repo.get(session, Loteria, loteria_id)
    if loteria is None:
        raise NotFound(f"Lotería {loteria_id!r} not found.", code="LOTERIA_NOT_FOUND")
    return ok(loteria_out(loteria))


@router.patch("/loterias/{loteria_id}", response_model=Envelope[LoteriaOut], responses=R_WRITE)
async def patch_loteria(loteria_id: IdPath, body: LoteriaPatch, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Change a lotería (ADMIN). Sold jugadas keep their frozen multiplier."""
    service.require_admin(service.scope_of(principal))
    return ok(loteria_out(await service.update_loteria(session, loteria_id, body)))


@router.post("/sorteos", status_code=201, response_model=Envelope[SorteoOut], responses=R_WRITE)
async def create_sorteo(body: SorteoIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Schedule a sorteo (ADMIN); ``businessDate`` = CR date of ``scheduledAt``."""
    service.require_admin(service.scope_of(principal))
    sorteo = await service.create_sorteo(session, body)
    return created(sorteo_out(sorteo, await repo.get(session, Loteria, sorteo.loteria_id)))


@router.get("/sorteos", responses=R_READ)
async def list_sorteos(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    request: Request,
    loteriaId: IdQuery = None,  # noqa: N803
    status: Literal["SCHEDULED", "OPEN", "EVALUATED", "CLOSED"] | None = None,
    date: Annotated[str | None, Query(description="today|yesterday|week|month|year|range")] = None,
    fromDate: str | None = None,  # noqa: N803
    toDate: str | None = None,  # noqa: N803
) -> dict[str, Any]:
    """Sorteos by ``scheduledAt`` (every network role); ``date`` filters by business date."""
    service.scope_of(principal)
    start = end = None
    if date is not None:
        rng = resolve_period(date, fromDate, toDate, today=cr_date_of(now_of(request)))
        start, end = rng.start, rng.end
    total, rows = await repo.page(
        session, repo.sorteos_query(loteriaId, status, start, end), page.offset, page.limit, Sorteo.scheduled_at, Sorteo.id
    )
    loterias = {x.id: x for x in (await repo.page(session, repo.loterias_query(None), 0, 1000, Loteria.id))[1]}
    return _listing(total, [sorteo_out(s, loterias.get(s.loteria_id)) for s in rows], page)


@router.get("/sorteos/{sorteo_id}", response_model=Envelope[SorteoOut], responses=R_READ)
async def get_sorteo(sorteo_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    service.scope_of(principal)
    pair = await repo.sorteo_with_loteria(session, sorteo_id)
    if pair is None:
        raise NotFound(f"Sorteo {sorteo_id!r} not found.", code="SORTEO_NOT_FOUND")
    return ok(sorteo_out(*pair))


@router.patch("/sorteos/{sorteo_id}", response_model=Envelope[SorteoOut], responses=R_WRITE)
async def patch_sorteo(sorteo_id: IdPath, body: SorteoPatch, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Reschedule a sorteo without tickets (ADMIN)."""
    service.require_admin(service.scope_of(principal))
    sorteo = await service.update_sorteo(session, sorteo_id, body)
    return ok(sorteo_out(sorteo, await repo.get(session, Loteria, sorteo.loteria_id)))


@router.post("/sorteos/{sorteo_id}/open", response_model=Envelope[SorteoOut], responses=R_WRITE)
async def open_sorteo(sorteo_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """SCHEDULED → OPEN (ADMIN)."""
    service.require_admin(service.scope_of(principal))
    return ok(sorteo_out(*await service.open_sorteo(session, sorteo_id)))


@router.post("/sorteos/{sorteo_id}/close", response_model=Envelope[SorteoOut], responses=R_WRITE)
async def close_sorteo(sorteo_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """EVALUATED → CLOSED (ADMIN)."""
    service.require_admin(service.scope_of(principal))
    return ok(sorteo_out(*await service.close_sorteo(session, sorteo_id)))


@router.post("/sorteos/{sorteo_id}/evaluate", response_model=Envelope[SorteoOut], responses=R_WRITE)
async def evaluate_sorteo(
    sorteo_id: IdPath, body: EvaluateIn, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> dict[str, Any]:
    """OPEN → EVALUATED with ``winningNumber`` (and ``extraMultiplierX`` for reventado) (ADMIN)."""
    service.require_admin(service.scope_of(principal))
    return ok(sorteo_out(*await service.evaluate_sorteo(session, sorteo_id, body, now_of(request))))


@router.post("/sorteos/{sorteo_id}/revert-evaluation", response_model=Envelope[SorteoOut], responses=R_WRITE)
async def revert_sorteo(sorteo_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """EVALUATED → OPEN while no prize has been paid (ADMIN)."""
    service.require_admin(service.scope_of(principal))
    return ok(sorteo_out(*await service.revert_evaluation(session, sorteo_id)))


# ---- lottery tickets -----------------------------------------------------------------------------------


@router.post("/lottery/tickets", status_code=201, response_model=Envelope[TicketOut], responses=R_WRITE)
async def sell_ticket(
    body: TicketIn, principal: CurrentPrincipal, session: SessionDep, idem: IdempotencyDep, request: Request
) -> Any:
    """Sell a ticket (VENDEDOR for itself; VENTANA/ADMIN for a vendedor in scope). Honours ``Idempotency-Key``."""
    sold = await service.sell(session, service.scope_of(principal), body, now_of(request))
    return await idem.respond(201, ticket_out(sold.ticket, sold.jugadas))


@router.get("/lottery/tickets", responses=R_READ)
async def list_tickets(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    request: Request,
    sorteoId: IdQuery = None,  # noqa: N803
    ventanaId: IdQuery = None,  # noqa: N803
    vendedorId: IdQuery = None,  # noqa: N803
    status: Literal["ACTIVE", "CANCELLED", "EVALUATED"] | None = None,
    winners: bool = False,
    date: Annotated[str | None, Query(description="today|yesterday|week|month|year|range")] = None,
    fromDate: str | None = None,  # noqa: N803
    toDate: str | None = None,  # noqa: N803
) -> dict[str, Any]:
    """Tickets newest first, filtered to the caller's scope (403 for ids outside it)."""
    scope = service.scope_of(principal)
    if (scope.ventana_id and ventanaId not in (None, scope.ventana_id)) or (scope.vendedor_id and vendedorId not in (None, scope.vendedor_id)):
        raise Forbidden("Outside your scope.", code="OUT_OF_SCOPE")
    start = end = None
    if date is not None:
        rng = resolve_period(date, fromDate, toDate, today=cr_date_of(now_of(request)))
        start, end = rng.start, rng.end
    stmt = repo.tickets_query(
        ventana_id=scope.ventana_id or ventanaId, vendedor_id=scope.vendedor_id or vendedorId, sorteo_id=sorteoId,
        status=status, start=start, end=end, winners_only=winners,
    )
    total, rows = await repo.page(session, stmt, page.offset, page.limit, LotteryTicket.created_at.desc(), LotteryTicket.id.desc())
    jugadas = await repo.jugadas_of(session, [t.id for t in rows])
    return _listing(total, [ticket_out(t, jugadas[t.id]) for t in rows], page)


@router.get("/lottery/tickets/{ticket_id}", response_model=Envelope[TicketOut], responses=R_READ)
async def get_ticket(ticket_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """One ticket with its jugadas (404 outside the caller's scope)."""
    ticket = await service.get_ticket_in_scope(session, service.scope_of(principal), ticket_id)
    return ok(ticket_out(ticket, (await repo.jugadas_of(session, [ticket.id]))[ticket.id]))


@router.post("/lottery/tickets/{ticket_id}/cancel", response_model=Envelope[TicketOut], responses=R_WRITE)
async def cancel_ticket(ticket_id: IdPath, principal: CurrentPrincipal, session: SessionDep, request: Request) -> dict[str, Any]:
    """Cancel an ACTIVE ticket before its sorteo's cutoff."""
    ticket = await service.cancel_ticket(session, service.scope_of(principal), ticket_id, now_of(request))
    return ok(ticket_out(ticket, (await repo.jugadas_of(session, [ticket.id]))[ticket.id]))


@router.post("/lottery/tickets/{ticket_id}/prize-payments", status_code=201, responses=R_WRITE)
async def pay_prize(
    ticket_id: IdPath, body: PrizePaymentIn, principal: CurrentPrincipal, session: SessionDep, idem: IdempotencyDep,
    request: Request,
) -> Any:
    """Pay (part of) a winner's prize to the customer (``amount`` omitted = the rest). Honours ``Idempotency-Key``."""
    payment, ticket = await service.pay_prize(session, service.scope_of(principal), ticket_id, body, now_of(request))
    return await idem.respond(201, {"payment": prize_out(payment), "ticket": ticket_out(ticket)})


@router.get("/lottery/tickets/{ticket_id}/prize-payments", responses=R_READ)
async def list_prize_payments(ticket_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The ticket's prize payments, oldest first (reversed ones flagged)."""
    ticket = await service.get_ticket_in_scope(session, service.scope_of(principal), ticket_id)
    return ok([prize_out(p) for p in await repo.prize_payments_of(session, ticket.id)])


@router.post("/lottery/prize-payments/{payment_id}/reverse", response_model=Envelope[PrizePaymentOut], responses=R_WRITE)
async def reverse_prize(
    payment_id: IdPath, body: ReverseIn, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> dict[str, Any]:
    """Reverse a prize payment (ADMIN or the listero); it stays listed as reversed."""
    payment = await service.reverse_prize_payment(session, service.scope_of(principal), payment_id, body.reason, now_of(request))
    return ok(prize_out(payment))


# ---- movements, statements, accounts -------------------------------------------------------------------


@router.post("/accounts/payment", status_code=201, responses=R_WRITE)
async def create_payment(
    body: MovementIn, principal: CurrentPrincipal, session: SessionDep, idem: IdempotencyDep, request: Request
) -> Any:
    """Register a ``collection`` (cobro) or ``payment`` (pago). ``Idempotency-Key`` header or body ``idempotencyKey``."""
    if idem.key is None:
        await idem.claim(body.idempotencyKey)
    movement = await service.create_movement(session, service.scope_of(principal), body, now_of(request))
    return await idem.respond(201, service.movement_dict(movement))


@router.post("/accounts/reverse-payment", responses=R_WRITE)
async def reverse_payment(body: ReversePaymentIn, principal: CurrentPrincipal, session: SessionDep, request: Request) -> dict[str, Any]:
    """Reverse a movement (never deleted); a second reversal → 409."""
    movement = await service.reverse_movement(session, service.scope_of(principal), body.paymentId, body.reason, now_of(request))
    return ok(service.movement_dict(movement))


@router.get("/accounts/payment-history", responses=R_READ)
async def payment_history(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    request: Request,
    ventanaId: IdQuery = None,  # noqa: N803
    vendedorId: IdQuery = None,  # noqa: N803
    type: Literal["payment", "collection"] | None = None,  # noqa: A002
    date: Annotated[str | None, Query(description="today|yesterday|week|month|year|range; omitted = all")] = None,
    fromDate: str | None = None,  # noqa: N803
    toDate: str | None = None,  # noqa: N803
) -> dict[str, Any]:
    """Movements newest first (reversed ones included and flagged), filtered to the caller's scope."""
    scope = service.scope_of(principal)
    if (scope.ventana_id and ventanaId not in (None, scope.ventana_id)) or (scope.vendedor_id and vendedorId not in (None, scope.vendedor_id)):
        raise Forbidden("Outside your scope.", code="OUT_OF_SCOPE")
    start = end = None
    if date is not None:
        rng = resolve_period(date, fromDate, toDate, today=cr_date_of(now_of(request)))
        start, end = rng.start, rng.end
    stmt = repo.movements_query(
        ventana_id=scope.ventana_id or ventanaId, vendedor_id=scope.vendedor_id or vendedorId,
        only_ventana_level=False, exclude_ventana_level=scope.vendedor_id is not None, start=start, end=end, type_=type,
    )
    total, rows = await repo.page(session, stmt, page.offset, page.limit, Movement.date.desc(), Movement.created_at.desc(), Movement.id.desc())
    return _listing(total, [service.movement_dict(m) for m in rows], page)


@router.get("/accounts/statement", responses=R_READ)
async def statement(
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    date: Annotated[str | None, Query(description="today|yesterday|week|month|year|range (default month)")] = None,
    fromDate: str | None = None,  # noqa: N803
    toDate: str | None = None,  # noqa: N803
    month: Annotated[str | None, Query(description="YYYY-MM (wins over date)")] = None,
    dimension: Literal["banca", "ventana", "vendedor"] | None = None,
    bancaId: IdQuery = None,  # noqa: N803
    ventanaId: IdQuery = None,  # noqa: N803
    vendedorId: IdQuery = None,  # noqa: N803
) -> dict[str, Any]:
    """Per-day statements with ``totals``, ``monthlyAccumulated`` and ``meta`` (read-only, the same for every viewer)."""
    q = await service.resolve_statement_query(
        session, service.scope_of(principal), date_param=date, from_date=fromDate, to_date=toDate, month=month,
        dimension=dimension, banca_id=bancaId, ventana_id=ventanaId, vendedor_id=vendedorId,
        today=cr_date_of(now_of(request)),
    )
    return ok(await service.statement(session, q))


@router.get("/accounts", responses=R_READ)
async def list_accounts(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    ownerType: Literal["VENTANA", "VENDEDOR"] | None = None,  # noqa: N803
    ventanaId: IdQuery = None,  # noqa: N803
) -> dict[str, Any]:
    """The accounts the caller may see, each with its all-time remaining balance."""
    scope = service.scope_of(principal)
    if scope.ventana_id and ventanaId not in (None, scope.ventana_id):
        raise Forbidden("Outside your scope.", code="OUT_OF_SCOPE")
    stmt = repo.accounts_query(
        "VENDEDOR" if scope.vendedor_id else ownerType, scope.ventana_id or ventanaId, scope.vendedor_id
    )
    total, rows = await repo.page(session, stmt, page.offset, page.limit, Account.ventana_id, Account.owner_type.desc(), Account.id)
    return _listing(total, [AccountOut(**a) for a in await service.account_views(session, rows)], page)


@router.get("/accounts/{account_id}", response_model=Envelope[AccountOut], responses=R_READ)
async def get_account(account_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """One account with its current (all-time remaining) balance; 404 outside the caller's scope."""
    account = await service.get_account_in_scope(session, service.scope_of(principal), account_id)
    return ok(AccountOut(**(await service.account_views(session, [account]))[0]))
