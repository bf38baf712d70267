"""Routes of mayorizations (seeds 002/003): ``POST /api/v1/accounts/{accountId}/mayorizations/calculate``,
``GET /api/v1/accounts/mayorizations/history``, ``POST /api/v1/accounts/mayorizations/settle``.
HTTP only: rules are in :mod:`.service`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query

from taquilla.core.context import current_request_id
from taquilla.core.db import SessionDep
from taquilla.core.idempotency import IdempotencyDep
from taquilla.core.jsonenc import TaquillaJSONResponse
from taquilla.core.pagination import MAX_PAGE_SIZE
from taquilla.core.responses import Envelope, created
from taquilla.core.routing import context_router
from taquilla.network.auth import ListeroOrAdmin, NetworkScopeDep
from taquilla.network.clock import NowDep, TodayDep
from taquilla.network.common import R_READ, R_WRITE, IdPath, IdQuery
from taquilla.network.mayorizations import service
from taquilla.network.mayorizations.schemas import (
    DebtStatus,
    HistoryOut,
    MayorizationOut,
    OrderBy,
    OwnerType,
    SettleIn,
    SettleOut,
)

router = context_router(prefix="/api/v1", tags=["sales network: mayorizations"])

DateQuery = Annotated[str, Query(description="YYYY-MM-DD (CR)")]


@router.post(
    "/accounts/{accountId}/mayorizations/calculate", status_code=201, response_model=Envelope[MayorizationOut], responses=R_WRITE,
)
async def calculate(
    accountId: IdPath,
    fromDate: DateQuery,
    toDate: DateQuery,
    scope: ListeroOrAdmin,
    session: SessionDep,
    includeDesglose: bool | None = None,  # sent by a later front end; no breakdown is returned
) -> Any:
    """Calculate and persist the period's closing of one account (201, ``maj_…``); an OPEN record of the
    same period is refreshed, a SETTLED one → 409. A VENDEDOR → 403."""
    return created(await service.calculate(session, scope, accountId, fromDate, toDate))


@router.get("/accounts/mayorizations/history", response_model=HistoryOut, responses=R_READ)
async def history(
    scope: NetworkScopeDep,
    session: SessionDep,
    today: TodayDep,
    period: Annotated[str | None, Query(description="today|yesterday|week|month|year|range (default week)")] = None,
    fromDate: str | None = None,
    toDate: str | None = None,
    ownerType: OwnerType | None = None,
    ownerId: IdQuery = None,
    debtStatus: DebtStatus | None = None,
    isSettled: bool | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    pageSize: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    orderBy: OrderBy = "date",
    order: Literal["asc", "desc"] = "desc",
) -> Any:
    """The persisted records in the caller's scope: ``{success, mayorizations, pagination, summary, requestId}``
    (seed 002's keys; ``summary`` over every matching record)."""
    q = service.HistoryQuery(period, fromDate, toDate, ownerType, ownerId, debtStatus, isSettled, page, pageSize, orderBy, order == "desc")
    items, pagination, summary = await service.history(session, scope, q, today)
    return TaquillaJSONResponse({
        "success": True, "mayorizations": items, "pagination": pagination, "summary": summary, "requestId": current_request_id(),
    })


@router.post("/accounts/mayorizations/settle", status_code=201, response_model=Envelope[SettleOut], responses=R_WRITE)
async def settle(body: SettleIn, scope: ListeroOrAdmin, session: SessionDep, idem: IdempotencyDep, now: NowDep) -> Any:
    """Settle an OPEN record in full: ``{mayorization, ledgerEntry, newBalance}`` (201). A second settle → 409
    "Majorization is already settled"; the same ``requestId`` (or ``Idempotency-Key``) → the first 201 again."""
    await idem.claim_body_key(body.requestId)
    return await idem.respond(201, await service.settle(session, scope, body, now))
