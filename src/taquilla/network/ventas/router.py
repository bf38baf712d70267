"""Routes of the sales home screens: ``GET /api/v1/ventas/summary``, ``/ventas/breakdown`` and
``/ventas/timeseries`` (contract rows 62–64). HTTP only: rules are in :mod:`.service`.

Common query: ``scope=mine|all`` (accepted; the caller's role decides the reach),
``date=today|yesterday|week|month|year|range`` (default today) with ``fromDate``/``toDate``
(CR ``YYYY-MM-DD``), ``ventanaId``, ``vendedorId``, ``loteriaId``, ``sorteoId``.
Errors: 400 (unknown period/dimension/granularity, bad range, ``top`` out of 1–50, malformed
id), 401, 403 ``OUT_OF_SCOPE`` / ``NETWORK_FORBIDDEN``. GETs never write. Every 200 carries an
``ETag``; ``If-None-Match`` with the current one → 304; answers are cached in Redis under their
version (:mod:`taquilla.network.versioned`, ``x-cache: hit|miss``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from taquilla.core.responses import Envelope
from taquilla.core.routing import context_router
from taquilla.network.auth import NetworkScope, NetworkScopeDep
from taquilla.network.clock import PeriodDep
from taquilla.network.common import R_READ, IdQuery
from taquilla.network.dashboard.service import scope_key
from taquilla.network.ventas import service
from taquilla.network.ventas.repository import SalesFilter
from taquilla.network.ventas.schemas import (
    BreakdownDimension,
    BreakdownItem,
    Granularity,
    ScopeParam,
    TimePoint,
    VentasSummary,
)
from taquilla.network.versioned import ReadSessionDep, respond

R_VENTAS = {**R_READ, 304: {"description": "Not Modified (If-None-Match holds the current ETag)"}}
router = context_router(prefix="/api/v1/ventas", tags=["sales network: sales home"])


async def _filter(
    scope: NetworkScopeDep,
    session: ReadSessionDep,
    period: PeriodDep,
    scope_: Annotated[ScopeParam | None, Query(alias="scope", description="the front end's; the caller's role decides the reach")] = None,
    ventanaId: IdQuery = None,
    vendedorId: IdQuery = None,
    loteriaId: IdQuery = None,
    sorteoId: IdQuery = None,
) -> SalesFilter:
    return await service.resolve_filter(
        session, scope, period, ventana_id=ventanaId, vendedor_id=vendedorId, loteria_id=loteriaId, sorteo_id=sorteoId
    )


FilterDep = Annotated[SalesFilter, Depends(_filter)]


async def _versioned(request: Request, endpoint: str, f: SalesFilter, scope: NetworkScope, session: Any,
                     compute: Callable[[], Awaitable[Any]], *extra: Any) -> Any:
    async def data(_etag: str) -> Any:
        return await compute()

    version = await service.version(session, f)
    return await respond(request, "ventas:" + endpoint, (f, extra), scope_key(scope), version, data)


@router.get("/summary", response_model=Envelope[VentasSummary], responses=R_VENTAS)
async def summary(request: Request, scope: NetworkScopeDep, f: FilterDep, session: ReadSessionDep) -> Any:
    """``{ventasTotal, ticketsCount, jugadasCount, payoutTotal, neto, lastTicketAt}`` of the period in the caller's scope.

    Amounts in major units; cancelled tickets excluded; ``neto = ventasTotal − payoutTotal``;
    ``lastTicketAt`` the newest sale (UTC) or null.
    """
    return await _versioned(request, "summary", f, scope, session, lambda: service.summary(session, f))


@router.get("/breakdown", response_model=Envelope[list[BreakdownItem]], responses=R_VENTAS)
async def breakdown(
    request: Request,
    scope: NetworkScopeDep,
    f: FilterDep,
    session: ReadSessionDep,
    dimension: BreakdownDimension = "ventana",
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Any:
    """``[{key, name, ventasTotal, ticketsCount, payoutTotal, neto}]``: the ``top`` groups by ``ventasTotal`` desc."""
    return await _versioned(request, "breakdown", f, scope, session, lambda: service.breakdown(session, f, dimension, top),
                            dimension, top)


@router.get("/timeseries", response_model=Envelope[list[TimePoint]], responses=R_VENTAS)
async def timeseries(
    request: Request,
    scope: NetworkScopeDep,
    f: FilterDep,
    session: ReadSessionDep,
    granularity: Granularity = "day",
    dimension: Annotated[BreakdownDimension | None, Query(description="accepted (the front end sends it); the series is the total")] = None,
) -> Any:
    """``[{ts, ventasTotal, ticketsCount}]`` per hour, day or week (``ts`` = bucket start, UTC), oldest first."""
    return await _versioned(request, "timeseries", f, scope, session, lambda: service.timeseries(session, f, granularity),
                            granularity)
