"""Every query of the director context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice.models import Event
from taquilla.core.queries import paginate
from taquilla.director.models import LedgerEntry, Organizer

ASSIGN_TYPES = ("assign_prepaid", "assign_loan")
KPI_VIEWS = ("mv_kpi_tickets_entregados", "mv_kpi_deuda_abierta", "mv_kpi_top_organizadores")


async def get_organizer(session: AsyncSession, organizer_id: str) -> Organizer | None:
    return await session.get(Organizer, organizer_id)


async def get_event(session: AsyncSession, event_id: str) -> Event | None:
    return await session.get(Event, event_id)


async def add(session: AsyncSession, row: Any) -> Any:
    """Insert ``row`` and flush."""
    session.add(row)
    await session.flush()
    return row


async def list_organizers(session: AsyncSession, offset: int, limit: int) -> tuple[int, list[Organizer]]:
    """``(total, organizers ordered by id)`` for one page."""
    return await paginate(session, select(Organizer), offset, limit, Organizer.id)


async def balances(session: AsyncSession, organizer_id: str) -> list[dict[str, Any]]:
    """Per currency: tickets, equivalent tickets, assigned cents, payment cents (whole ledger)."""
    is_payment = LedgerEntry.entry_type == "payment"
    stmt = (
        select(
            LedgerEntry.currency,
            func.coalesce(func.sum(LedgerEntry.tickets), 0),
            func.coalesce(func.sum(LedgerEntry.tickets_equivalent), 0),
            func.coalesce(func.sum(case((is_payment, 0), else_=LedgerEntry.amount_cents)), 0),
            func.coalesce(func.sum(case((is_payment, LedgerEntry.amount_cents), else_=0)), 0),
        )
        .where(LedgerEntry.organizer_id == organizer_id)
        .group_by(LedgerEntry.currency)
        .order_by(LedgerEntry.currency)
    )
    return [
        {"currency": c, "tickets": int(t), "ticketsEquivalent": int(te), "assigned": int(a), "payments": int(p)}
        for c, t, te, a, p in (await session.execute(stmt)).all()
    ]


def _entry_filters(
    organizer_id: str, event_id: str | None, entry_type: str | None, since: datetime | None, until: datetime | None
) -> list[Any]:
    conds: list[Any] = [LedgerEntry.organizer_id == organizer_id]
    if event_id:
        conds.append(LedgerEntry.event_id == event_id)
    if entry_type:
        conds.append(LedgerEntry.entry_type == entry_type)
    if since:
        conds.append(LedgerEntry.created_at >= since)
    if until:
        conds.append(LedgerEntry.created_at < until)
    return conds


async def count_entries(session: AsyncSession, **filters: Any) -> int:
    return await session.scalar(select(func.count()).select_from(LedgerEntry).where(*_entry_filters(**filters))) or 0


async def list_entries(session: AsyncSession, offset: int, limit: int, **filters: Any) -> list[LedgerEntry]:
    """Entries newest first (``created_at`` then ``id`` descending, a stable order)."""
    stmt = (
        select(LedgerEntry)
        .where(*_entry_filters(**filters))
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def refresh_kpi_views(session: AsyncSession) -> None:
    """``REFRESH MATERIALIZED VIEW CONCURRENTLY`` for the three KPI views (docs/db/migrations/refresh_kpis.sql)."""
    for view in KPI_VIEWS:
        await session.execute(text(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}"))


OVERVIEW_ROWS = 100
"""Rows listed per overview list (debts, credits, delivered); the totals cover every row of the views."""


async def read_overview(session: AsyncSession, top: int = 10, rows: int = OVERVIEW_ROWS) -> dict[str, list[dict[str, Any]]]:
    """The overview's reads of the three views, in one snapshot (the caller's transaction).

    * ``top``: the first ``top`` organizers by ranking;
    * ``debt`` / ``credit``: the ``rows`` largest positive / negative balances (organizer × currency);
    * ``delivered``: the ``rows`` largest organizer × event deliveries;
    * ``ticketTotals``: one row — organizers ranked, equivalent and raw tickets over every organizer;
    * ``moneyTotals``: per currency, over every organizer: Σ positive balances and how many owe,
      Σ credits (as positive cents) and how many hold one — a credit never nets against a debt.

    Cents come back as ``Decimal`` (the views sum in ``numeric``).
    """

    async def fetch(sql: str, **params: Any) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in await session.execute(text(sql), params)]

    debt_cols = "organizer_id, currency, assigned_amount_cents, payments_cents, deuda_cents"
    return {
        "top": await fetch(
            "SELECT organizer_id, organizer_name, tickets_equivalentes, ranking "
            "FROM mv_kpi_top_organizadores ORDER BY ranking, organizer_id LIMIT :top",
            top=top,
        ),
        "debt": await fetch(
            f"SELECT {debt_cols} FROM mv_kpi_deuda_abierta WHERE deuda_cents > 0 "
            "ORDER BY deuda_cents DESC, organizer_id, currency LIMIT :rows",
            rows=rows,
        ),
        "credit": await fetch(
            f"SELECT {debt_cols} FROM mv_kpi_deuda_abierta WHERE deuda_cents < 0 "
            "ORDER BY deuda_cents, organizer_id, currency LIMIT :rows",
            rows=rows,
        ),
        "delivered": await fetch(
            "SELECT organizer_id, event_id, tickets_entregados, tickets_equivalentes, asignaciones, ultima_asignacion "
            "FROM mv_kpi_tickets_entregados ORDER BY tickets_equivalentes DESC, organizer_id, event_id LIMIT :rows",
            rows=rows,
        ),
        "ticketTotals": await fetch(
            "SELECT (SELECT count(*) FROM mv_kpi_top_organizadores) AS organizers, "
            "(SELECT COALESCE(sum(tickets_equivalentes), 0) FROM mv_kpi_top_organizadores) AS tickets_equivalentes, "
            "(SELECT COALESCE(sum(tickets_entregados), 0) FROM mv_kpi_tickets_entregados) AS tickets"
        ),
        "moneyTotals": await fetch(
            "SELECT currency, "
            "COALESCE(sum(deuda_cents) FILTER (WHERE deuda_cents > 0), 0) AS deuda_cents, "
            "count(*) FILTER (WHERE deuda_cents > 0) AS deudores, "
            "COALESCE(-sum(deuda_cents) FILTER (WHERE deuda_cents < 0), 0) AS credito_cents, "
            "count(*) FILTER (WHERE deuda_cents < 0) AS acreedores "
            "FROM mv_kpi_deuda_abierta GROUP BY currency ORDER BY currency"
        ),
    }
