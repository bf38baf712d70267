"""Queries of mayorizations: the period's figures from the rollup, the records, history, reconcile.

The figures are read from ``network_daily_rollups`` with the ledger's level sums
(the rule of :func:`taquilla.network.ledger.repository.sums_of_level`), never from the tickets.

Hot paths (issue 9, ``bench/bench_mayorizations.py``): calculate (:data:`CALCULATE_SQL`) and the
history page (:func:`history_rows`) are hand-written SQL sent through the driver, ONE statement each,
outside any explicit transaction (:func:`_one_statement_connection`): a single statement is its own
transaction (atomic, one snapshot), so the request costs one round trip instead of BEGIN + 4 ORM
statements + COMMIT. Measured with ``bench.bench_mayorizations`` (scaled dataset, one ventana-month,
load 1.9–2.8, median of 3 × 50, previous code run from a worktree between two runs of this one):
calculate 11.90 ms → 5.54/6.81 ms (API − ``/auth/me`` floor 9.24 → 2.33/2.59 ms; the statement alone
0.7 ms); history of 10,000 records 17.45 → 10.55/12.00 ms (API − floor 14.80 → 7.35/7.78 ms).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.db import driver_connection
from taquilla.network.auth import NetworkScope
from taquilla.network.ledger.repository import names_of
from taquilla.network.models import (
    ADJUSTMENT_KIND,
    MAYORIZATION_OPEN,
    MAYORIZATION_SETTLED,
    Mayorization,
    Movement,
    Vendedor,
    Ventana,
)


async def _one_statement_connection(session: AsyncSession) -> Any:
    """The asyncpg connection of ``session`` for a request whose whole work is ONE statement.

    No BEGIN is sent: the statement runs as its own transaction (atomic; a read sees one snapshot),
    and the session's COMMIT is then a no-op (two round trips saved). If the session already opened
    a transaction, the statement joins it (:func:`taquilla.core.db.driver_connection`).
    """
    fairy = await (await session.connection()).get_raw_connection()
    if fairy.dbapi_connection._transaction is not None:  # noqa: SLF001 - something ran before: stay in its transaction
        return await driver_connection(session)
    return fairy.driver_connection


CALCULATE_SQL = f"""
WITH a AS (
  SELECT id, owner_type, owner_id, ventana_id FROM network_accounts
   WHERE id = $1 AND ($4::text IS NULL OR ventana_id = $4) AND ($5::text IS NULL OR owner_id = $5)
), s AS (
  SELECT a.*, x.sales, x.prizes, x.commission, x.sales - x.prizes - x.commission AS net
    FROM a CROSS JOIN LATERAL (
      SELECT COALESCE(SUM(r.sales_cents), 0)::bigint AS sales, COALESCE(SUM(r.payouts_cents), 0)::bigint AS prizes,
             COALESCE(SUM(CASE WHEN a.owner_type = 'VENDEDOR' THEN r.vendedor_commission_cents
                               ELSE r.listero_commission_cents END), 0)::bigint AS commission
        FROM network_daily_rollups r
       WHERE r.business_date BETWEEN $2 AND $3
         AND ((a.owner_type = 'VENDEDOR' AND r.vendedor_id = a.owner_id) OR (a.owner_type <> 'VENDEDOR' AND r.ventana_id = a.owner_id))
    ) x
), up AS (
  INSERT INTO network_mayorizations AS m (id, account_id, owner_type, owner_id, ventana_id, vendedor_id, from_date, to_date,
         total_sales_cents, total_prizes_cents, total_commission_cents, net_operative_cents, debt_status, debt_amount_cents,
         status, created_by)
  SELECT $6, id, owner_type, owner_id, ventana_id, CASE WHEN owner_type = 'VENDEDOR' THEN owner_id END, $2, $3,
         sales, prizes, commission, net, CASE WHEN net > 0 THEN 'CXC' WHEN net < 0 THEN 'CXP' ELSE 'BALANCE' END, abs(net),
         '{MAYORIZATION_OPEN}', $7
    FROM s
  ON CONFLICT (account_id, from_date, to_date) DO UPDATE SET
         total_sales_cents = EXCLUDED.total_sales_cents, total_prizes_cents = EXCLUDED.total_prizes_cents,
         total_commission_cents = EXCLUDED.total_commission_cents, net_operative_cents = EXCLUDED.net_operative_cents,
         debt_status = EXCLUDED.debt_status, debt_amount_cents = EXCLUDED.debt_amount_cents,
         created_by = EXCLUDED.created_by, updated_at = now()
   WHERE m.status <> '{MAYORIZATION_SETTLED}'
  RETURNING m.*
)
SELECT EXISTS (SELECT FROM a) AS account_found, up.*,
       COALESCE(v.code, d.code, up.owner_id) AS owner_code, COALESCE(v.name, d.name, up.owner_id) AS owner_name
  FROM (SELECT 1) one
  LEFT JOIN up ON true
  LEFT JOIN ventanas v ON up.owner_type = 'VENTANA' AND v.id = up.owner_id
  LEFT JOIN vendedores d ON up.owner_type = 'VENDEDOR' AND d.id = up.owner_id
"""
"""Calculate of one account and period in one statement: $1 account id, $2/$3 the CR dates, $4/$5 the
scope's ventana/vendedor (NULL = unrestricted), $6 the new record's id, $7 the caller. The account is
read inside the scope; its period's sales, payouts and owner's commission are summed from the rollup
at its level (a VENDEDOR: its rows; a VENTANA: every row of the ventana — the statement's
:func:`sums_of_level`, whose level rule only changes collected/paid, which a mayorization does not read);
the record is inserted, or refreshed while OPEN (``ON CONFLICT … DO UPDATE … WHERE status <> 'SETTLED'``
locks the row: a concurrent settle either waits for it or turns it into a no-op). One row:
``account_found``, the record's columns (all NULL when the period is SETTLED), ``owner_code``/``owner_name``.
Figures equal :func:`period_sums` (tests/network/test_mayorizations.py compares them with the statement)."""


async def calculate_record(
    session: AsyncSession, scope: NetworkScope, account_id: str, start: date, end: date, record_id: str,
) -> Any:
    """:data:`CALCULATE_SQL` for ``account_id`` over ``[start, end]`` in ``scope``; the asyncpg row."""
    conn = await _one_statement_connection(session)
    return await conn.fetchrow(CALCULATE_SQL, account_id, start, end, scope.ventana_id, scope.vendedor_id, record_id, scope.user_id)


async def record_for_update(session: AsyncSession, mayorization_id: str) -> Mayorization | None:
    """The record, locked FOR UPDATE (concurrent settles queue here) and refreshed after the wait."""
    stmt = select(Mayorization).where(Mayorization.id == mayorization_id).with_for_update()
    return await session.scalar(stmt.execution_options(populate_existing=True))


_ORDER = {"date": "to_date", "debtAmount": "debt_amount_cents", "netOperative": "net_operative_cents"}


async def history_rows(
    session: AsyncSession, scope: NetworkScope, *, start: date, end: date, owner_type: str | None, owner_id: str | None,
    debt_status: str | None, is_settled: bool | None, order_by: str, descending: bool, offset: int, limit: int,
) -> tuple[int, int, int, list[Any]]:
    """``(total, Σ debt cents, Σ settled cents, one page of rows)`` of the records in ``scope`` whose ``to_date``
    is in ``[start, end]``, with the filters — the same as :func:`history_select` + :func:`history_page`, in ONE
    statement (one snapshot: the totals and the page agree). The totals cover every matching record; the page
    is ordered by ``order_by`` (a key of ``_ORDER``), ties by ``created_at`` then ``id`` in the same direction,
    cut first and only then joined to the owners' names; each row has the record's columns plus
    ``owner_code``/``owner_name`` (the owner's id when it has none). No page row when nothing matches
    (the one row then carries the zero totals)."""
    args: list[Any] = [start, end]
    conds = ["to_date BETWEEN $1 AND $2"]

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if scope.ventana_id is not None:
        conds.append(f"ventana_id = {param(scope.ventana_id)}")
    if scope.vendedor_id is not None:
        conds.append(f"vendedor_id = {param(scope.vendedor_id)}")
    if owner_type:
        conds.append(f"owner_type = {param(owner_type)}")
    if owner_id:
        conds.append(f"owner_id = {param(owner_id)}")
    if debt_status:
        conds.append(f"debt_status = {param(debt_status)}")
    if is_settled is not None:
        conds.append(f"status {'=' if is_settled else '<>'} '{MAYORIZATION_SETTLED}'")
    direction = "DESC" if descending else "ASC"
    order = ", ".join(f"{{0}}{c} {direction}" for c in (_ORDER[order_by], "created_at", "id"))
    sql = f"""
WITH f AS NOT MATERIALIZED (SELECT * FROM network_mayorizations WHERE {' AND '.join(conds)}),
t AS (SELECT count(*) AS total, COALESCE(SUM(debt_amount_cents), 0) AS debt, COALESCE(SUM(settled_amount_cents), 0) AS settled FROM f),
p AS (SELECT * FROM f ORDER BY {order.format('')} OFFSET {param(offset)} LIMIT {param(limit)})
SELECT t.total, t.debt, t.settled, p.*,
       COALESCE(v.code, d.code, p.owner_id) AS owner_code, COALESCE(v.name, d.name, p.owner_id) AS owner_name
  FROM t LEFT JOIN p ON true
  LEFT JOIN ventanas v ON p.owner_type = 'VENTANA' AND v.id = p.owner_id
  LEFT JOIN vendedores d ON p.owner_type = 'VENDEDOR' AND d.id = p.owner_id
 ORDER BY {order.format('p.')}"""
    conn = await _one_statement_connection(session)
    rows = await conn.fetch(sql, *args)
    total, debt, settled = (int(rows[0][k]) for k in ("total", "debt", "settled"))
    return total, debt, settled, [r for r in rows if r["id"] is not None]


async def owner_name(session: AsyncSession, owner_type: str, owner_id: str) -> tuple[str, str]:
    """(code, name) of a record's owner (a ventana or a vendedor); its id twice when it has none."""
    names = await names_of(session, Ventana if owner_type == "VENTANA" else Vendedor, [owner_id])
    return names.get(owner_id, (owner_id, owner_id))


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
