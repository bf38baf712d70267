"""Queries of mayorizations: the period's figures from the rollup, the records, history, reconcile.

The figures are read from ``network_daily_rollups`` with the ledger's level sums
(:func:`taquilla.network.ledger.repository.sums_of_level`), never from the tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from taquilla.network.auth import NetworkScope
from taquilla.network.ledger.repository import names_of, sums_of_level
from taquilla.network.models import (
    ADJUSTMENT_KIND,
    MAYORIZATION_SETTLED,
    Account,
    DailyRollup,
    Mayorization,
    Movement,
    Vendedor,
    Ventana,
)
from taquilla.network.rollup import ROLLUP_FIELDS


async def period_sums(session: AsyncSession, account: Account, start: date, end: date) -> dict[str, int]:
    """The rollup cents of ``account`` summed over CR dates ``[start, end]`` at its level.

    VENTANA: every row of the ventana (movements of the banca↔ventana level only); VENDEDOR: the
    vendedor's rows. Same sums as the statement of that account and period.
    """
    vendedor_level = account.owner_type == "VENDEDOR"
    owner_col = DailyRollup.vendedor_id if vendedor_level else DailyRollup.ventana_id
    stmt = select(*sums_of_level(vendedor_level)).where(
        owner_col == account.owner_id, DailyRollup.business_date >= start, DailyRollup.business_date <= end
    )
    row = (await session.execute(stmt)).one()
    return {f: int(getattr(row, f)) for f in ROLLUP_FIELDS}


async def upsert_record(session: AsyncSession, values: dict[str, Any], figures: dict[str, Any]) -> Mayorization | None:
    """Insert the record of (account, period), or refresh its ``figures`` while it is OPEN — one statement
    (``ON CONFLICT … DO UPDATE … WHERE status = 'OPEN'``, which locks the row, so a concurrent settle
    either waits for it or makes it a no-op). Returns the record, or None when it exists SETTLED."""
    stmt = pg_insert(Mayorization).values(**values, **figures)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Mayorization.account_id, Mayorization.from_date, Mayorization.to_date],
        set_={**{k: getattr(stmt.excluded, k) for k in figures}, "created_by": stmt.excluded.created_by, "updated_at": func.now()},
        where=Mayorization.status != MAYORIZATION_SETTLED,
    ).returning(Mayorization)
    return await session.scalar(stmt, execution_options={"populate_existing": True})


async def record_for_update(session: AsyncSession, mayorization_id: str) -> Mayorization | None:
    """The record, locked FOR UPDATE (concurrent settles queue here) and refreshed after the wait."""
    stmt = select(Mayorization).where(Mayorization.id == mayorization_id).with_for_update()
    return await session.scalar(stmt.execution_options(populate_existing=True))


def history_select(
    scope: NetworkScope, *, start: date, end: date, owner_type: str | None, owner_id: str | None,
    debt_status: str | None, is_settled: bool | None,
) -> Select[Any]:
    """Records in ``scope`` whose ``date`` (= ``to_date``) is in ``[start, end]``, with the filters."""
    stmt = select(Mayorization).where(Mayorization.to_date >= start, Mayorization.to_date <= end)
    stmt = scope.where(stmt, Mayorization.ventana_id, Mayorization.vendedor_id)
    if owner_type:
        stmt = stmt.where(Mayorization.owner_type == owner_type)
    if owner_id:
        stmt = stmt.where(Mayorization.owner_id == owner_id)
    if debt_status:
        stmt = stmt.where(Mayorization.debt_status == debt_status)
    if is_settled is not None:
        stmt = stmt.where((Mayorization.status == MAYORIZATION_SETTLED) if is_settled else (Mayorization.status != MAYORIZATION_SETTLED))
    return stmt


_ORDER = {"date": "to_date", "debtAmount": "debt_amount_cents", "netOperative": "net_operative_cents"}


async def history_page(
    session: AsyncSession, stmt: Select[Any], *, order_by: str, descending: bool, offset: int, limit: int,
) -> tuple[int, int, int, list[tuple[Mayorization, str | None, str | None]]]:
    """``(total, Σ debt cents, Σ settled cents, one page of (record, owner code, owner name))``: the totals
    over every matching record. Ties are ordered by ``createdAt`` then ``id`` in the same direction (stable pages)."""
    sub = stmt.subquery()
    totals = (await session.execute(select(
        func.count(), func.coalesce(func.sum(sub.c.debt_amount_cents), 0), func.coalesce(func.sum(sub.c.settled_amount_cents), 0)
    ).select_from(sub))).one()
    def ordered(m: Any) -> list[Any]:
        cols = (getattr(m, _ORDER[order_by]), m.created_at, m.id)
        return [c.desc() if descending else c.asc() for c in cols]

    # the page is cut first (top-N of the records), then only its rows are joined to the owners' names
    m = aliased(Mayorization, stmt.order_by(*ordered(Mayorization)).offset(offset).limit(limit).subquery())
    page = (
        select(m, func.coalesce(Ventana.code, Vendedor.code), func.coalesce(Ventana.name, Vendedor.name))
        .outerjoin(Ventana, (m.owner_type == "VENTANA") & (Ventana.id == m.owner_id))
        .outerjoin(Vendedor, (m.owner_type == "VENDEDOR") & (Vendedor.id == m.owner_id))
        .order_by(*ordered(m))
    )
    rows = (await session.execute(page)).all()
    return int(totals[0]), int(totals[1]), int(totals[2]), [(r[0], r[1], r[2]) for r in rows]


async def owner_names(session: AsyncSession, records: Sequence[Mayorization]) -> dict[tuple[str, str], tuple[str, str]]:
    """(owner type, owner id) → (code, name) of the records' ventanas and vendedores."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for owner_type, model in (("VENTANA", Ventana), ("VENDEDOR", Vendedor)):
        ids = sorted({r.owner_id for r in records if r.owner_type == owner_type})
        out |= {(owner_type, k): v for k, v in (await names_of(session, model, ids)).items()}
    return out


# ---- reconcile ------------------------------------------------------------------------------------


async def adjustment_report(session: AsyncSession) -> dict[str, Any]:
    """Live ADJUSTMENT movements (``count``, ``valueSignedCents`` = Σ +paid −collected) and the
    SETTLED records whose ADJUSTMENT is missing, reversed or of another amount (``broken``: ids, first 100)."""
    signed = case((Movement.type == "payment", Movement.amount_cents), else_=-Movement.amount_cents)
    live = select(func.count(), func.coalesce(func.sum(signed), 0)).where(Movement.kind == ADJUSTMENT_KIND, Movement.is_reversed.is_(False))
    count, total = (await session.execute(live)).one()
    good = select(Movement.mayorization_id).where(
        Movement.kind == ADJUSTMENT_KIND, Movement.is_reversed.is_(False),
        Movement.mayorization_id == Mayorization.id, Movement.amount_cents == Mayorization.settled_amount_cents,
    )
    broken = await session.scalars(
        select(Mayorization.id).where(Mayorization.status == MAYORIZATION_SETTLED, ~good.exists()).order_by(Mayorization.id).limit(100)
    )
    return {"count": int(count), "valueSignedCents": int(total), "broken": list(broken)}


async def settled_days(
    session: AsyncSession, dimension: str, ventana_id: str | None, vendedor_id: str | None, start: date, end: date,
) -> set[date]:
    """The CR dates in ``[start, end]`` covered by a SETTLED mayorization of the statement's one entity
    (dimension ventana: that ventana's account; vendedor: that vendedor's); empty for banca or no single entity."""
    owner_type, owner = ("VENDEDOR", vendedor_id) if dimension == "vendedor" else ("VENTANA", ventana_id if dimension == "ventana" else None)
    if owner is None:
        return set()
    rows = await session.execute(select(Mayorization.from_date, Mayorization.to_date).where(
        Mayorization.owner_id == owner, Mayorization.owner_type == owner_type, Mayorization.status == MAYORIZATION_SETTLED,
        Mayorization.from_date <= end, Mayorization.to_date >= start,
    ))
    days: set[date] = set()
    for first, last in rows:
        day = max(first, start)
        while day <= min(last, end):
            days.add(day)
            day += timedelta(days=1)
    return days
