"""Rules of the sales home screens (``/api/v1/ventas/*``): who sees what, and the figures.

* Scope: ADMIN sees every sale; a listero (VENTANA) its ventana's (all its vendedores');
  a VENDEDOR its own. ``scope=mine|all`` is accepted as the front end sends it; the caller's
  role decides the reach, so the figures never depend on the parameter.
* A filter outside the caller's scope (another ventana, a vendedor of another ventana) is
  403 ``OUT_OF_SCOPE``; ADMIN filtering by an unknown id simply gets zero sales.
* Figures: sales are the non-cancelled tickets' totals on their CR business date (the
  statement's ``totalSales``); ``payoutTotal`` the prizes they won; ``neto = ventasTotal − payoutTotal``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import Forbidden
from taquilla.core.money import from_cents
from taquilla.core.periods import CR_TZ, DateRange
from taquilla.network.auth import NetworkScope
from taquilla.network.dashboard import repository as dash_repo
from taquilla.network.ventas import repository as repo
from taquilla.network.ventas.repository import SalesFilter
from taquilla.network.ventas.schemas import BreakdownItem, TimePoint, VentasSummary

_MAX_FILLED_BUCKETS = 1000


async def resolve_filter(
    session: AsyncSession, scope: NetworkScope, period: DateRange, *, ventana_id: str | None, vendedor_id: str | None,
    loteria_id: str | None, sorteo_id: str | None,
) -> SalesFilter:
    """The period and filters narrowed to the caller's scope.

    Raises Forbidden ``OUT_OF_SCOPE`` for a ventana or vendedor outside it (a listero naming a
    vendedor of another ventana, or an unknown one, included).
    """
    ventana_id, vendedor_id = scope.narrow(ventana_id, vendedor_id)
    listero = scope.ventana_id is not None and scope.vendedor_id is None
    if vendedor_id is not None and listero and await repo.ventana_of_vendedor(session, vendedor_id) != scope.ventana_id:
        raise Forbidden("This vendedor is outside your scope.", code="OUT_OF_SCOPE")
    return SalesFilter(period.start, period.end, ventana_id, vendedor_id, loteria_id, sorteo_id)


async def version(session: AsyncSession, f: SalesFilter) -> str:
    """The version of an answer over ``f`` (:mod:`taquilla.network.versioned`): revision sum and row count
    of the rollup rows of the period and the ventana/vendedor filter (every sale, cancellation and
    evaluation under the answer changes one of them), and the stamp of the ventanas' and vendedores' names."""
    return await dash_repo.version(session, dash_repo.Rows(f.start, f.end, f.ventana_id, f.vendedor_id), with_vendedores=True)


async def summary(session: AsyncSession, f: SalesFilter) -> VentasSummary:
    """``{ventasTotal, ticketsCount, jugadasCount, payoutTotal, neto, lastTicketAt}`` (major units; last sale UTC)."""
    s = await repo.summary(session, f)
    return VentasSummary(
        ventasTotal=from_cents(s["sales_cents"]), ticketsCount=s["tickets"], jugadasCount=s["jugadas"],
        payoutTotal=from_cents(s["payout_cents"]), neto=from_cents(s["sales_cents"] - s["payout_cents"]),
        lastTicketAt=s["last_at"],
    )


def _sorteo_label(r: Any) -> str:
    if r.sorteo_name:
        return str(r.sorteo_name)
    return f"{r.loteria_name} {r.scheduled_at.astimezone(CR_TZ):%Y-%m-%d %H:%M}"


async def breakdown(session: AsyncSession, f: SalesFilter, dimension: str, top: int) -> list[BreakdownItem]:
    """The ``top`` groups of ``dimension`` (ventana|vendedor|loteria|sorteo|numero) by ``ventasTotal`` desc (then key).

    ``name``: the entity's name; a sorteo's own name or "<lotería> <CR date and time>"; the number itself.
    """
    out = []
    for r in await repo.breakdown(session, f, dimension, top):
        if dimension == "sorteo":
            name = _sorteo_label(r)
        elif dimension == "numero":
            name = r.key
        else:
            name = r.name
        sales, payout = int(r.sales), int(r.payout)
        out.append(BreakdownItem(key=r.key, name=name, ventasTotal=from_cents(sales), ticketsCount=int(r.tickets),
                                 payoutTotal=from_cents(payout), neto=from_cents(sales - payout)))
    return out


def start_utc(bucket: date | datetime) -> datetime:
    """The UTC instant of a bucket's start (a CR date → its CR midnight; a naive CR wall-clock hour)."""
    moment = bucket if isinstance(bucket, datetime) else datetime.combine(bucket, time(0))
    return moment.replace(tzinfo=CR_TZ).astimezone(UTC)


async def timeseries(session: AsyncSession, f: SalesFilter, granularity: str) -> list[TimePoint]:
    """Sales per bucket, oldest first: ``[{ts, ventasTotal, ticketsCount}]``.

    ``day``: one point per CR business date of the period; ``week``: per week (Monday) — both
    with zero points for empty buckets (up to 1000 points; beyond that only non-empty ones).
    ``hour``: the CR hour of each sale, non-empty hours only. ``ts`` is the bucket's start as UTC.
    """
    rows = {b: (s, n) for b, s, n in await repo.timeseries(session, f, granularity)}
    buckets: list[Any] = sorted(rows)
    if granularity in ("day", "week"):
        step = 1 if granularity == "day" else 7
        first = f.start if granularity == "day" else f.start - timedelta(days=f.start.weekday())
        count = (f.end - first).days // step + 1
        if count <= _MAX_FILLED_BUCKETS:
            buckets = [first + timedelta(days=i * step) for i in range(count)]
    return [TimePoint(ts=start_utc(b), ventasTotal=from_cents(rows.get(b, (0, 0))[0]), ticketsCount=rows.get(b, (0, 0))[1])
            for b in buckets]
