"""Routes of the network's dashboards (contract rows 66–70): ``GET /api/v1/admin/dashboard``,
``/timeseries``, ``/cxc``, ``/cxp``, ``/ganancia``. HTTP only: rules in :mod:`.service`.

Common query: ``date=today|yesterday|week|month|year|range`` (default today) with
``fromDate``/``toDate`` (CR ``YYYY-MM-DD``), ``ventanaId``, ``loteriaId`` (one id or a comma
list), ``betType`` (accepted, does not filter). ADMIN sees all; a listero (VENTANA) its ventana;
a VENDEDOR gets 403 ``ROLE_FORBIDDEN``. Every 200 carries an ``ETag`` (also in ``data.meta.etag``);
``If-None-Match`` with the current one → 304 without a body (:mod:`taquilla.network.versioned`).
Errors: 400 (unknown period/dimension/granularity, bad range, malformed id), 401, 403, 404
(unknown ventana/lotería). GETs never write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from taquilla.core.db import SessionDep
from taquilla.core.periods import DateRange, Period, resolve_period
from taquilla.core.responses import Envelope, error_responses
from taquilla.core.routing import context_router
from taquilla.network.auth import ListeroOrAdmin, NetworkScope
from taquilla.network.clock import NowDep, TodayDep
from taquilla.network.common import IdQuery
from taquilla.network.dashboard import service
from taquilla.network.dashboard.schemas import (
    AccountsOut,
    DashboardOut,
    GananciaOut,
    Granularity,
    SeriesOut,
)
from taquilla.network.versioned import respond

router = context_router(prefix="/api/v1/admin/dashboard", tags=["sales network: dashboards"])
R_DASH = {**error_responses(400, 401, 403, 404), 304: {"description": "Not Modified (If-None-Match holds the current ETag)"}}


def _period(
    today: TodayDep,
    date: Annotated[str | None, Query(description="today|yesterday|week|month|year|range (default today)")] = None,
    fromDate: Annotated[str | None, Query(description="YYYY-MM-DD (CR), with date=range")] = None,
    toDate: Annotated[str | None, Query(description="YYYY-MM-DD (CR), with date=range")] = None,
) -> DateRange:
    return resolve_period(date, fromDate, toDate, today=today, default=Period.TODAY)


PeriodDep = Annotated[DateRange, Depends(_period)]
LoteriaQuery = Annotated[str | None, Query(max_length=2000, description="one lotería id or a comma-separated list")]
BetType = Annotated[str | None, Query(max_length=32, description="accepted as the front end sends it; does not filter")]


async def _query(session: Any, scope: NetworkScope, period: DateRange, today: Any, dimension: str, allowed: tuple[str, ...],
                 ventana_id: str | None, loteria_id: str | None, **extra: Any) -> service.DashQuery:
    return await service.resolve(session, scope, period, today, dimension=dimension, allowed=allowed,
                                 ventana_id=ventana_id, loteria_id=loteria_id, extra=extra)


async def _accounts(kind: str, request: Request, scope: NetworkScope, session: Any, period: DateRange, today: Any,
                    dimension: str, ventana_id: str | None, loteria_id: str | None) -> Any:
    q = await _query(session, scope, period, today, dimension, service.ACCOUNT_DIMENSIONS, ventana_id, loteria_id)
    version = await service.version(session, q)
    return await respond(request, kind, q.params(), service.scope_key(scope), version,
                         lambda etag: service.accounts(session, q, kind, etag))


@router.get("/cxc", response_model=Envelope[AccountsOut], responses=R_DASH)
async def cxc(
    request: Request, scope: ListeroOrAdmin, session: SessionDep, period: PeriodDep, today: TodayDep,
    dimension: str = "ventana", ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None,
    aging: Annotated[str | None, Query(max_length=10, description="accepted; no aging buckets")] = None,
    betType: BetType = None,
) -> Any:
    """Cuentas por cobrar: the ventanas (or vendedores) whose remaining balance of the period is positive,
    each with seed 001's fields, ``saldoAHoy`` and ``saldoAHoyMeta`` (whole reference month)."""
    return await _accounts("cxc", request, scope, session, period, today, dimension, ventanaId, loteriaId)


@router.get("/cxp", response_model=Envelope[AccountsOut], responses=R_DASH)
async def cxp(
    request: Request, scope: ListeroOrAdmin, session: SessionDep, period: PeriodDep, today: TodayDep,
    dimension: str = "ventana", ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None,
    aging: Annotated[str | None, Query(max_length=10, description="accepted; no aging buckets")] = None,
    betType: BetType = None,
) -> Any:
    """Cuentas por pagar: the entities whose remaining balance is negative (``amount`` shown positive)."""
    return await _accounts("cxp", request, scope, session, period, today, dimension, ventanaId, loteriaId)


@router.get("/ganancia", response_model=Envelope[GananciaOut], responses=R_DASH)
async def ganancia(
    request: Request, scope: ListeroOrAdmin, session: SessionDep, period: PeriodDep, today: TodayDep,
    dimension: str = "ventana", ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None,
    betType: BetType = None,
) -> Any:
    """The banca's profit per ventana, lotería or vendedor (or only ``global``): sales − payouts − listero commission."""
    q = await _query(session, scope, period, today, dimension, service.GANANCIA_DIMENSIONS, ventanaId, loteriaId)
    version = await service.version(session, q, with_vendedores=dimension == "vendedor")
    return await respond(request, "ganancia", q.params(), service.scope_key(scope), version,
                         lambda etag: service.ganancia(session, q, etag))


@router.get("", response_model=Envelope[DashboardOut], responses=R_DASH)
async def dashboard(
    request: Request, scope: ListeroOrAdmin, session: SessionDep, period: PeriodDep, today: TodayDep, now: NowDep,
    ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None, betType: BetType = None,
) -> Any:
    """KPIs (with the previous period), CxC/CxP/ganancia summaries (saldoAHoy rule), ventanas, alerts, ``meta``."""
    q = await _query(session, scope, period, today, "ventana", ("ventana",), ventanaId, loteriaId)
    version = await service.version(session, q, with_previous=True)
    s = request.app.state.settings
    return await respond(request, "dashboard", q.params(), service.scope_key(scope), version,
                         lambda etag: service.dashboard(session, q, etag, cxc_threshold=s.dashboard_cxc_alert_threshold,
                                                        low_margin=s.dashboard_low_margin_percent, now=now))


@router.get("/timeseries", response_model=Envelope[SeriesOut], responses=R_DASH)
async def timeseries(
    request: Request, scope: ListeroOrAdmin, session: SessionDep, period: PeriodDep, today: TodayDep,
    granularity: Granularity = "day", compare: bool = False,
    ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None, betType: BetType = None,
) -> Any:
    """Sales, commissions, tickets, winners and payouts per hour, day or week (``comparison`` with ``compare=true``)."""
    q = await _query(session, scope, period, today, "ventana", ("ventana",), ventanaId, loteriaId,
                     granularity=granularity, compare=compare)
    version = await service.version(session, q, with_previous=compare)
    return await respond(request, "timeseries", q.params(), service.scope_key(scope), version,
                         lambda etag: service.timeseries(session, q, etag, granularity, compare))
