"""Routes of the ledger: movements (``/api/v1/accounts/payment``, ``reverse-payment``,
``payment-history``), the day statement (``/api/v1/accounts/statement``) and accounts
(``/api/v1/accounts``, ``/api/v1/accounts/{accountId}``). HTTP only: rules are in :mod:`.service`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query

from taquilla.core.db import SessionDep
from taquilla.core.idempotency import IdempotencyDep
from taquilla.core.pagination import PageDep
from taquilla.core.periods import DateRange, Period
from taquilla.core.responses import Envelope, ListEnvelope, ok, ok_page
from taquilla.core.routing import context_router
from taquilla.network.auth import ListeroOrAdmin, NetworkScopeDep
from taquilla.network.clock import NowDep, TodayDep
from taquilla.network.common import R_READ, R_WRITE, IdPath, IdQuery
from taquilla.network.ledger import service, statements
from taquilla.network.ledger.schemas import (
    AccountMovementOut,
    AccountOut,
    Dimension,
    MovementIn,
    MovementType,
    OwnerType,
    PaymentResult,
    ReversePaymentIn,
    SorteoFigures,
    StatementOut,
)

router = context_router(prefix="/api/v1", tags=["sales network: accounts"])


def _result(movement: Any, statement: Any, reversed_by_name: str | None = None) -> PaymentResult:
    payment = AccountMovementOut.model_validate(movement)
    if movement.reversed_by:
        payment.reversedByUser = {"id": movement.reversed_by, "name": reversed_by_name or movement.reversed_by}
    return PaymentResult(payment=payment, statement=statement)


@router.post("/accounts/payment", status_code=201, response_model=Envelope[PaymentResult], responses=R_WRITE)
async def create_payment(body: MovementIn, scope: ListeroOrAdmin, session: SessionDep, idem: IdempotencyDep) -> Any:
    """Register a ``collection`` (cobro) or ``payment`` (pago): ``{payment, statement}`` (the day's statement right
    after it; its ``movements`` are the day's latest 20, ``movementsTruncated`` when there are more).

    ``Idempotency-Key`` header or body ``idempotencyKey``.
    """
    await idem.claim_body_key(body.idempotencyKey)
    movement, statement = await service.create_movement_answered(session, scope, body)
    return await idem.respond(201, _result(movement, statement))


@router.post("/accounts/reverse-payment", response_model=Envelope[PaymentResult], responses=R_WRITE)
async def reverse_payment(body: ReversePaymentIn, scope: ListeroOrAdmin, session: SessionDep, now: NowDep) -> Any:
    """Reverse a movement (never deleted): ``{payment, statement}``; a second reversal → 409."""
    name = await statements.user_name(session, scope.user_id)  # the reverser's, read before the day's row is locked
    movement, statement = await service.reverse_movement_answered(session, scope, body.paymentId, body.reason, now)
    return ok(_result(movement, statement, name))


def _history_period(
    today: TodayDep,
    date: Annotated[str | None, Query(description="YYYY-MM-DD (one CR day) or today|yesterday|week|month|year|range")] = None,
    fromDate: str | None = None,
    toDate: str | None = None,
) -> DateRange | None:
    if date is None:
        return None
    return statements.period_of(date, fromDate, toDate, today, Period.TODAY)


@router.get("/accounts/payment-history", response_model=ListEnvelope[AccountMovementOut], responses=R_READ)
async def payment_history(
    scope: NetworkScopeDep,
    session: SessionDep,
    page: PageDep,
    period: Annotated[DateRange | None, Depends(_history_period)],
    ventanaId: IdQuery = None,
    vendedorId: IdQuery = None,
    type: MovementType | None = None,
) -> Any:
    """Movements newest first (reversed ones included and flagged), filtered to the caller's scope."""
    total, rows = await service.list_movements(
        session, scope, ventana_id=ventanaId, vendedor_id=vendedorId, type_=type, period=period, page=page
    )
    return ok_page([AccountMovementOut.model_validate(m) for m in rows], page, total)


@router.get("/accounts/statement", response_model=Envelope[StatementOut], responses=R_READ)
async def statement(
    scope: NetworkScopeDep,
    session: SessionDep,
    today: TodayDep,
    date: Annotated[str | None, Query(description="today|yesterday|week|month|year|range (default month)")] = None,
    fromDate: str | None = None,
    toDate: str | None = None,
    month: Annotated[str | None, Query(description="YYYY-MM (wins over date)")] = None,
    dimension: Dimension | None = None,
    bancaId: IdQuery = None,
    ventanaId: IdQuery = None,
    vendedorId: IdQuery = None,
    scope_: Annotated[Literal["mine", "ventana", "all"] | None, Query(alias="scope", description="the front end's; the caller's role decides the reach")] = None,
    sort: Literal["asc", "desc"] = "asc",
    ignoreReset: bool | None = None,
) -> Any:
    """Per-day statements with ``totals``, ``monthlyAccumulated`` and ``meta`` (read-only; only ``canEdit`` depends on the caller).

    ``date`` also takes one ``YYYY-MM-DD``; ``sort=desc`` lists the newest day first.
    """
    q = await statements.resolve_statement_query(
        session, scope, date_param=date, from_date=fromDate, to_date=toDate, month=month, dimension=dimension,
        banca_id=bancaId, ventana_id=ventanaId, vendedor_id=vendedorId, today=today, sort=sort,
    )
    return ok(await statements.statement(session, q))


@router.get("/accounts/statement/{day}/bySorteo", response_model=Envelope[list[SorteoFigures]], responses=R_READ)
async def statement_by_sorteo(
    day: Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")],
    scope: NetworkScopeDep,
    session: SessionDep,
    today: TodayDep,
    dimension: Dimension | None = None,
    bancaId: IdQuery = None,
    ventanaId: IdQuery = None,
    vendedorId: IdQuery = None,
) -> Any:
    """One day's figures per sorteo (by scheduled time) with the running ``sorteoAccumulated`` (same scope rules as the statement)."""
    q = await statements.resolve_statement_query(
        session, scope, date_param=day, from_date=None, to_date=None, month=None, dimension=dimension,
        banca_id=bancaId, ventana_id=ventanaId, vendedor_id=vendedorId, today=today,
    )
    return ok(await statements.by_sorteo(session, q, q.period.start))


@router.get("/accounts", response_model=ListEnvelope[AccountOut], responses=R_READ)
async def list_accounts(
    scope: NetworkScopeDep,
    session: SessionDep,
    page: PageDep,
    ownerType: OwnerType | None = None,
    ventanaId: IdQuery = None,
    ownerId: IdQuery = None,
) -> Any:
    """The accounts the caller may see, each with its all-time remaining balance (+ CxC, − CxP)."""
    total, rows = await service.list_accounts(
        session, scope, owner_type=ownerType, ventana_id=ventanaId, page=page, owner_id=ownerId
    )
    return ok_page(rows, page, total)


@router.get("/accounts/{account_id}", response_model=Envelope[AccountOut], responses=R_READ)
async def get_account(account_id: IdPath, scope: NetworkScopeDep, session: SessionDep) -> Any:
    """One account with its current (all-time remaining) balance; 404 outside the caller's scope."""
    return ok(await service.get_account(session, scope, account_id))
