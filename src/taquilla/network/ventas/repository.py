"""Queries of the sales home screens: the summary from the rollup (``network_daily_rollups``), the rest
(and the summary filtered by lotería/sorteo) over the facts (``network_tickets``, ``network_jugadas``).

Cancelled tickets never count. A sale counts on its ticket's ``business_date`` (the CR date of its
sorteo), as in the statement. Ticket-level sums (``total_amount_cents``, ``payout_cents``) are
never joined with jugadas, so nothing is double-counted; only the ``numero`` breakdown sums
jugadas and counts distinct tickets. Every function reads; none writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.db import driver_connection
from taquilla.network import rollup
from taquilla.network.models import (
    TICKET_CANCELLED,
    Jugada,
    Loteria,
    LotteryTicket,
    Sorteo,
    Vendedor,
    Ventana,
)


@dataclass(frozen=True, slots=True)
class SalesFilter:
    """The resolved filters: CR business dates ``[start, end]`` and optional ids (already inside the caller's scope)."""

    start: date
    end: date
    ventana_id: str | None = None
    vendedor_id: str | None = None
    loteria_id: str | None = None
    sorteo_id: str | None = None


def _conds(f: SalesFilter) -> list[Any]:
    t = LotteryTicket
    conds: list[Any] = [t.business_date >= f.start, t.business_date <= f.end, t.status != TICKET_CANCELLED]
    for col, value in ((t.ventana_id, f.ventana_id), (t.vendedor_id, f.vendedor_id),
                       (t.loteria_id, f.loteria_id), (t.sorteo_id, f.sorteo_id)):
        if value is not None:
            conds.append(col == value)
    return conds


_SALES = func.coalesce(func.sum(LotteryTicket.total_amount_cents), 0)
_PAYOUT = func.coalesce(func.sum(LotteryTicket.payout_cents), 0)


_SUMMARY_COLS = ("sales_cents", "ticket_count", "jugada_count", "payouts_cents", rollup.LAST_TICKET)


async def summary(session: AsyncSession, f: SalesFilter) -> dict[str, Any]:
    """``{sales_cents, tickets, jugadas, payout_cents, last_at}`` of the non-cancelled tickets matching ``f``.

    Without a lotería/sorteo filter every figure comes from the rollup (one statement: the monthly rows of
    the period's whole months, the daily rows of its other days, :func:`taquilla.network.rollup.window_sources`;
    the rollup keeps the jugada count and each row's latest ticket, reconciled with the facts): a month
    of the scaled dataset reads 2,000 monthly rows instead of 3,000,000 jugadas. With one (the rollup has no lotería or sorteo), from the tickets and jugadas.
    """
    if f.loteria_id is None and f.sorteo_id is None:
        args: list[Any] = []
        conds = []
        for col, value in (("ventana_id", f.ventana_id), ("vendedor_id", f.vendedor_id)):
            if value is not None:
                args.append(value)
                conds.append(f"{col} = ${len(args)}")
        src = rollup.window_sources({"p": (f.start, f.end)}, _SUMMARY_COLS, args, subtract=False, where=" AND ".join(conds))
        conn = await driver_connection(session)
        r = await conn.fetchrow(
            "SELECT COALESCE(SUM(sales_cents), 0) AS sales, COALESCE(SUM(ticket_count), 0) AS tickets, "
            "COALESCE(SUM(jugada_count), 0) AS jugadas, COALESCE(SUM(payouts_cents), 0) AS payout, "
            f"MAX({rollup.LAST_TICKET}) AS last_at FROM ({src}) s", *args)
        return {"sales_cents": int(r["sales"]), "tickets": int(r["tickets"]), "jugadas": int(r["jugadas"]),
                "payout_cents": int(r["payout"]), "last_at": r["last_at"]}
    row = (await session.execute(
        select(_SALES.label("sales"), func.count().label("tickets"), _PAYOUT.label("payout"),
               func.max(LotteryTicket.created_at).label("last_at")).where(*_conds(f))
    )).one()
    jugadas = await session.scalar(
        select(func.count()).select_from(Jugada).join(LotteryTicket, LotteryTicket.id == Jugada.ticket_id).where(*_conds(f))
    )
    return {"sales_cents": int(row.sales), "tickets": int(row.tickets), "jugadas": int(jugadas or 0),
            "payout_cents": int(row.payout), "last_at": row.last_at}


def _grouped(key: Any, *names: Any) -> Select[Any]:
    return select(key.label("key"), *names, _SALES.label("sales"), func.count().label("tickets"), _PAYOUT.label("payout"))


async def breakdown(session: AsyncSession, f: SalesFilter, dimension: str, top: int) -> list[Any]:
    """Up to ``top`` rows ``(key, name…, sales, tickets, payout)`` (cents) per ``dimension``, by sales desc then key.

    ``sorteo`` rows also carry ``sorteo_name``, ``loteria_name`` and ``scheduled_at`` (the service builds the label).
    """
    t = LotteryTicket
    stmt: Select[Any]
    if dimension == "ventana":
        stmt = _grouped(t.ventana_id, Ventana.name.label("name")).join(Ventana, Ventana.id == t.ventana_id) \
            .group_by(t.ventana_id, Ventana.name)
    elif dimension == "vendedor":
        stmt = _grouped(t.vendedor_id, Vendedor.name.label("name")).join(Vendedor, Vendedor.id == t.vendedor_id) \
            .group_by(t.vendedor_id, Vendedor.name)
    elif dimension == "loteria":
        stmt = _grouped(t.loteria_id, Loteria.name.label("name")).join(Loteria, Loteria.id == t.loteria_id) \
            .group_by(t.loteria_id, Loteria.name)
    elif dimension == "sorteo":
        stmt = (
            _grouped(t.sorteo_id, Sorteo.name.label("sorteo_name"), Loteria.name.label("loteria_name"), Sorteo.scheduled_at)
            .join(Sorteo, Sorteo.id == t.sorteo_id).join(Loteria, Loteria.id == Sorteo.loteria_id)
            .group_by(t.sorteo_id, Sorteo.name, Loteria.name, Sorteo.scheduled_at)
        )
    else:  # numero: jugada amounts and payouts, distinct tickets
        stmt = (
            select(Jugada.number.label("key"), func.sum(Jugada.amount_cents).label("sales"),
                   func.count(func.distinct(Jugada.ticket_id)).label("tickets"), func.sum(Jugada.payout_cents).label("payout"))
            .join(LotteryTicket, LotteryTicket.id == Jugada.ticket_id)
            .group_by(Jugada.number)
        )
    stmt = stmt.where(*_conds(f)).order_by(func.sum(Jugada.amount_cents if dimension == "numero" else t.total_amount_cents).desc(),
                                           "key").limit(top)
    return list(await session.execute(stmt))


async def timeseries(session: AsyncSession, f: SalesFilter, granularity: str) -> list[tuple[Any, int, int]]:
    """``[(bucket, sales_cents, tickets)]`` in bucket order.

    ``hour``: bucket = the CR local hour of the sale (naive datetime, CR wall clock); ``day``: the
    business date; ``week``: the Monday of the business date's week (dates).
    """
    t = LotteryTicket
    if granularity == "hour":
        bucket: Any = func.date_trunc("hour", func.timezone("America/Costa_Rica", t.created_at))
    elif granularity == "week":
        bucket = func.date_trunc("week", t.business_date)
    else:
        bucket = t.business_date
    stmt = select(bucket.label("b"), _SALES.label("sales"), func.count().label("tickets")).where(*_conds(f)) \
        .group_by("b").order_by("b")
    out = []
    for r in await session.execute(stmt):
        b = r.b
        if granularity == "week" and isinstance(b, datetime):
            b = b.date()
        out.append((b, int(r.sales), int(r.tickets)))
    return out


async def ventana_of_vendedor(session: AsyncSession, vendedor_id: str) -> str | None:
    """The ventana of a vendedor, or None when it does not exist."""
    return await session.scalar(select(Vendedor.ventana_id).where(Vendedor.id == vendedor_id))
