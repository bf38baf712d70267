"""Routes of the network's dashboards (contract rows 66–70, 73, 74): ``GET /api/v1/admin/dashboard``,
``/timeseries``, ``/cxc``, ``/cxp``, ``/ganancia``, ``/vendedores``, ``/export`` (+ its download).
HTTP only: rules in :mod:`.service` and :mod:`.export`.

Common query: ``date=today|yesterday|week|month|year|range`` (default today) with
``fromDate``/``toDate`` (CR ``YYYY-MM-DD``), ``ventanaId``, ``loteriaId`` (one id or a comma
list), ``betType`` (accepted, does not filter). ADMIN sees all; a listero (VENTANA) its ventana;
a VENDEDOR gets 403 ``ROLE_FORBIDDEN``. Every 200 carries an ``ETag`` (also in ``data.meta.etag``);
``If-None-Match`` with the current one → 304 without a body (:mod:`taquilla.network.versioned`).
Errors: 400 (unknown period/dimension/granularity, bad range, malformed id), 401, 403, 404
(unknown ventana/lotería). GETs never write.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request, Response

from taquilla.core.errors import BadRequest
from taquilla.core.pagination import PageDep
from taquilla.core.periods import DateRange
from taquilla.core.responses import Envelope, error_responses, ok
from taquilla.core.routing import context_router
from taquilla.network.auth import ListeroOrAdmin, NetworkScope
from taquilla.network.clock import NowDep, PeriodDep, TodayDep
from taquilla.network.common import IdQuery
from taquilla.network.dashboard import export, service
from taquilla.network.dashboard.schemas import (
    AccountsOut,
    DashboardOut,
    GananciaOut,
    Granularity,
    MonthToDateOut,
    ExportOut,
    ExposureOut,
    SeriesOut,
    VendedoresOut,
)
from taquilla.network.versioned import ReadSessionDep, respond

router = context_router(prefix="/api/v1/admin/dashboard", tags=["sales network: dashboards"])
R_DASH = {**error_responses(400, 401, 403, 404), 304: {"description": "Not Modified (If-None-Match holds the current ETag)"}}


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
    request: Request, scope: ListeroOrAdmin, session: ReadSessionDep, period: PeriodDep, today: TodayDep,
    dimension: str = "ventana", ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None,
    aging: Annotated[str | None, Query(max_length=10, description="accepted; no aging buckets")] = None,
    betType: BetType = None,
) -> Any:
    """Cuentas por cobrar: the ventanas (or vendedores) whose remaining balance of the period is positive,
    each with seed 001's fields, ``saldoAHoy`` and ``saldoAHoyMeta`` (whole reference month)."""
    return await _accounts("cxc", request, scope, session, period, today, dimension, ventanaId, loteriaId)


@router.get("/cxp", response_model=Envelope[AccountsOut], responses=R_DASH)
async def cxp(
    request: Request, scope: ListeroOrAdmin, session: ReadSessionDep, period: PeriodDep, today: TodayDep,
    dimension: str = "ventana", ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None,
    aging: Annotated[str | None, Query(max_length=10, description="accepted; no aging buckets")] = None,
    betType: BetType = None,
) -> Any:
    """Cuentas por pagar: the entities whose remaining balance is negative (``amount`` shown positive)."""
    return await _accounts("cxp", request, scope, session, period, today, dimension, ventanaId, loteriaId)


@router.get("/ganancia", response_model=Envelope[GananciaOut], responses=R_DASH)
async def ganancia(
    request: Request, scope: ListeroOrAdmin, session: ReadSessionDep, period: PeriodDep, today: TodayDep,
    dimension: str = "ventana", ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None,
    betType: BetType = None,
) -> Any:
    """The banca's profit per ventana, lotería or vendedor (or only ``global``): sales − payouts − listero commission."""
    q = await _query(session, scope, period, today, dimension, service.GANANCIA_DIMENSIONS, ventanaId, loteriaId)
    version = await service.version(session, q, with_vendedores=dimension == "vendedor")
    return await respond(request, "ganancia", q.params(), service.scope_key(scope), version,
                         lambda etag: service.ganancia(session, q, etag))


@router.get("/ganancia/month-to-date", response_model=Envelope[MonthToDateOut], responses=R_DASH)
async def ganancia_month_to_date(
    request: Request, scope: ListeroOrAdmin, session: ReadSessionDep, today: TodayDep,
    dimension: str = "ventana", ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None,
) -> Any:
    """Contract row 71: ganancia from the 1st of the current month to today (CR), ``meta`` with
    ``fromDate``, ``toDate``, ``timezone``, ``monthName`` and a ``description``."""
    period = DateRange(today.replace(day=1), today)
    q = await _query(session, scope, period, today, dimension, service.GANANCIA_DIMENSIONS, ventanaId, loteriaId)
    version = await service.version(session, q, with_vendedores=dimension == "vendedor")
    tz = request.app.state.settings.network_timezone
    return await respond(request, "ganancia-mtd", q.params(), service.scope_key(scope), version,
                         lambda etag: service.month_to_date(session, q, etag, tz))


@router.get("/exposure", response_model=Envelope[ExposureOut], responses=R_DASH)
async def exposure(
    request: Request, scope: ListeroOrAdmin, session: ReadSessionDep, period: PeriodDep, today: TodayDep,
    top: Annotated[int, Query(ge=1, le=100, description="how many numbers in topNumbers (default 20)")] = 20,
    betType: Annotated[str | None, Query(max_length=32, description="NUMERO or REVENTADO (all, or absent: both)")] = None,
    ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None,
) -> Any:
    """Contract row 72: per number, the sales and potential payout of the period's pending sorteos
    (not evaluated yet) — ``topNumbers``, ``byLoteria``, a 00–99 ``heatmap``."""
    bet = None if betType in (None, "all") else betType
    if bet is not None and bet not in service.EXPOSURE_BET_TYPES:
        raise BadRequest(f"betType must be NUMERO, REVENTADO or all; got {betType!r}.", code="INVALID_BET_TYPE")
    q = await _query(session, scope, period, today, "ventana", ("ventana",), ventanaId, loteriaId, top=top, betType=bet)
    version = await service.version(session, q)
    return await respond(request, "exposure", q.params(), service.scope_key(scope), version,
                         lambda etag: service.exposure(session, q, etag, top, bet))


@router.get("", response_model=Envelope[DashboardOut], responses=R_DASH)
async def dashboard(
    request: Request, scope: ListeroOrAdmin, session: ReadSessionDep, period: PeriodDep, today: TodayDep, now: NowDep,
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
    request: Request, scope: ListeroOrAdmin, session: ReadSessionDep, period: PeriodDep, today: TodayDep,
    granularity: Granularity = "day", compare: bool = False,
    ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None, betType: BetType = None,
) -> Any:
    """Sales, commissions, tickets, winners and payouts per hour, day or week (``comparison`` with ``compare=true``)."""
    q = await _query(session, scope, period, today, "ventana", ("ventana",), ventanaId, loteriaId,
                     granularity=granularity, compare=compare)
    version = await service.version(session, q, with_previous=compare)
    return await respond(request, "timeseries", q.params(), service.scope_key(scope), version,
                         lambda etag: service.timeseries(session, q, etag, granularity, compare))


@router.get("/vendedores", response_model=Envelope[VendedoresOut], responses=R_DASH)
async def vendedores(
    request: Request, scope: ListeroOrAdmin, session: ReadSessionDep, period: PeriodDep, today: TodayDep, page: PageDep,
    sortBy: Annotated[Literal[service.VENDEDOR_SORTS], Query(description="sales (default), commissions, tickets, winners, avgTicket, winRate, vendedorName")] = "sales",  # type: ignore[valid-type]
    sortOrder: Annotated[Literal["asc", "desc"], Query()] = "desc",
    ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None, betType: BetType = None,
) -> Any:
    """Contract row 73: the vendedores of the period (a listero: its own) with sales, own commission, tickets,
    winners, average ticket and win rate; ``page``/``pageSize`` (≤ 100), ``sortBy``, ``sortOrder``."""
    q = await _query(session, scope, period, today, "vendedor", ("vendedor",), ventanaId, loteriaId,
                     page=page.page, pageSize=page.page_size, sortBy=sortBy, sortOrder=sortOrder)
    version = await service.version(session, q)
    return await respond(request, "vendedores", q.params(), service.scope_key(scope), version,
                         lambda etag: service.vendedores(session, q, etag, page, sortBy, sortOrder == "desc"))


@router.get("/export", response_model=Envelope[ExportOut], responses=R_DASH)
async def export_dashboard(
    request: Request, scope: ListeroOrAdmin, session: ReadSessionDep, period: PeriodDep, today: TodayDep, now: NowDep,
    format: Annotated[str, Query(max_length=10, description="csv or xlsx (pdf is refused)")] = "xlsx",  # noqa: A002
    sections: Annotated[str | None, Query(max_length=200, description="comma list of kpis, ventanas, loterias, vendedores, "
                                          "finanzas, exposure (default all)")] = None,
    ventanaId: IdQuery = None, loteriaId: LoteriaQuery = None, betType: BetType = None,
) -> Any:
    """Contract row 74: the period's dashboard sections as one CSV or XLSX file, downloadable for
    ``DASHBOARD_EXPORT_TTL_SECONDS`` at ``url`` (no token needed there: the URL is the credential)."""
    fmt, chosen = export.check_format(format), export.parse_sections(sections)
    q = await _query(session, scope, period, today, "ventana", ("ventana",), ventanaId, loteriaId)
    s = request.app.state.settings
    parts = await export.tables(session, q, chosen, cxc_threshold=s.dashboard_cxc_alert_threshold,
                                low_margin=s.dashboard_low_margin_percent, now=now)
    filename = f"dashboard_{q.period.start}_{q.period.end}.{fmt}"
    content = export.render(fmt, f"Dashboard {q.period.start} – {q.period.end}", parts)
    token, expires = await export.store(request.app.state.redis, fmt, filename, content, s.dashboard_export_ttl_seconds, now)
    return ok({"url": f"{router.prefix}/export/{token}", "filename": filename, "format": fmt, "expiresAt": expires,
               "sections": list(chosen)})


@router.get("/export/{token}", responses={200: {"content": {m: {} for m in export.FORMATS.values()},
                                                  "description": "the exported file"}, **error_responses(400, 404)})
async def download_export(request: Request, token: Annotated[str, Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]) -> Response:
    """The file of an export while it lives (no token: whoever holds the URL downloads it, as a pre-signed link);
    404 ``EXPORT_NOT_FOUND`` once expired."""
    media, filename, content = await export.load(request.app.state.redis, token)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                        "Cache-Control": "private, no-store"})
