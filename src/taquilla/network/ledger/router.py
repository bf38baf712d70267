"""Routes of the ledger: movements (``/api/v1/accounts/payment``, ``reverse-payment``,
``payment-history``), the day statement (``/api/v1/accounts/statement``) and accounts
(``/api/v1/accounts``, ``/api/v1/accounts/{accountId}``). HTTP only: rules are in :mod:`.service`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from taquilla.core.db import SessionDep
from taquilla.core.idempotency import IdempotencyDep
from taquilla.core.pagination import PageDep
from taquilla.core.responses import Envelope, ListEnvelope, ok, ok_page
from taquilla.core.routing import context_router
from taquilla.network.auth import ListeroOrAdmin, NetworkScopeDep
from taquilla.network.clock import NowDep, PeriodFilter, TodayDep
from taquilla.network.common import R_READ, R_WRITE, IdPath, IdQuery
from taquilla.network.ledger import service
from taquilla.network.ledger.schemas import (
    AccountMovementOut,
    AccountOut,
    Dimension,
    MovementIn,
    MovementType,
    OwnerType,
    ReversePaymentIn,
    StatementOut,
)

router = context_router(prefix="/api/v1", tags=["sales network: accounts"])


@router.post("/accounts/payment", status_code=201, response_model=Envelope[AccountMovementOut], responses=R_WRITE)
async def create_payment(body: MovementIn, scope: ListeroOrAdmin, session: SessionDep, idem: IdempotencyDep) -> Any:
    """Register a ``collection`` (cobro) or ``payment`` (pago). ``Idempotency-Key`` header or body ``idempotencyKey``."""
    await idem.claim_body_key(body.idempotencyKey)
    movement = await service.create_movement(session, scope, body)
    return await idem.respond(201, AccountMovementOut.model_validate(movement))


@router.post("/accounts/reverse-payment", response_model=Envelope[AccountMovementOut], responses=R_WRITE)
async def reverse_payment(body: ReversePaymentIn, scope: ListeroOrAdmin, session: SessionDep, now: NowDep) -> Any:
    """Reverse a movement (never deleted); a second reversal → 409."""
    return ok(AccountMovementOut.model_validate(await service.reverse_movement(session, scope, body.paymentId, body.reason, now)))


@router.get("/accounts/payment-history", response_model=ListEnvelope[AccountMovementOut], responses=R_READ)
async def payment_history(
    scope: NetworkScopeDep,
    session: SessionDep,
    page: PageDep,
    period: PeriodFilter,
    ventanaId: IdQuery = None,  # noqa: N803
    vendedorId: IdQuery = None,  # noqa: N803
    type: MovementType | None = None,  # noqa: A002
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
    fromDate: str | None = None,  # noqa: N803
    toDate: str | None = None,  # noqa: N803
    month: Annotated[str | None, Query(description="YYYY-MM (wins over date)")] = None,
    dimension: Dimension | None = None,
    bancaId: IdQuery = None,  # noqa: N803
    ventanaId: IdQuery = None,  # noqa: N803
    vendedorId: IdQuery = None,  # noqa: N803
) -> Any:
    """Per-day statements with ``totals``, ``monthlyAccumulated`` and ``meta`` (read-only, the same for every viewer)."""
    q = await service.resolve_statement_query(
        session, scope, date_param=date, from_date=fromDate, to_date=toDate, month=month, dimension=dimension,
        banca_id=bancaId, ventana_id=ventanaId, vendedor_id=vendedorId, today=today,
    )
    return ok(await service.statement(session, q))


@router.get("/accounts", response_model=ListEnvelope[AccountOut], responses=R_READ)
async def list_accounts(
    scope: NetworkScopeDep,
    session: SessionDep,
    page: PageDep,
    ownerType: OwnerType | None = None,  # noqa: N803
    ventanaId: IdQuery = None,  # noqa: N803
) -> Any:
    """The accounts the caller may see, each with its all-time remaining balance (+ CxC, − CxP)."""
    total, rows = await service.list_accounts(session, scope, owner_type=ownerType, ventana_id=ventanaId, page=page)
    return ok_page(rows, page, total)


@router.get("/accounts/{account_id}", response_model=Envelope[AccountOut], responses=R_READ)
async def get_account(account_id: IdPath, scope: NetworkScopeDep, session: SessionDep) -> Any:
    """One account with its current (all-time remaining) balance; 404 outside the caller's scope."""
    return ok(await service.get_account(session, scope, account_id))
