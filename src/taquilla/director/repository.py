"""Every query of the director context.

Raw SQL rule (STYLE.md): the two writes (``POST /director/assign`` and ``/director/payments``)
are the measured hot path, so their statements are hand-written and run on the asyncpg
connection of the request's own transaction (:func:`taquilla.core.db.driver_connection`):
one statement checks the organizer (and event), inserts the entry and reads the organizer's
balances — one round trip instead of four (organizer get, event get, flush, balances; two
before issue 13), and no unit of work. ``bench.bench_director --ops 1000 --runs 3`` (16 clients, a
shared 2-core machine under load, before/after runs interleaved twice): ORM 55 and 70 writes/s
(API/driver 0.04, 0.06) → hand-written 90 and 110 writes/s (0.09, 0.11), about 1.6×. Same rows,
same transaction as the session. Everything else here uses the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.db import DriverTransaction, driver_connection
from taquilla.core.queries import paginate
from taquilla.director.models import LedgerEntry, Organizer

ASSIGN_TYPES = ("assign_prepaid", "assign_loan")
KPI_VIEWS = ("mv_kpi_tickets_entregados", "mv_kpi_deuda_abierta", "mv_kpi_top_organizadores")


async def get_organizer(session: AsyncSession, organizer_id: str) -> Organizer | None:
    return await session.get(Organizer, organizer_id)


async def add(session: AsyncSession, row: Any) -> Any:
    """Insert ``row`` and flush."""
    session.add(row)
    await session.flush()
    return row


async def list_organizers(session: AsyncSession, offset: int, limit: int) -> tuple[int, list[Organizer]]:
    """``(total, organizers ordered by id)`` for one page."""
    return await paginate(session, select(Organizer), offset, limit, Organizer.id)


# ------------------------------------------------------------------- hot path (writes)

_ENTRY_COLUMNS = (
    "id, organizer_id, event_id, entry_type, tickets, tickets_equivalent, unit_price_cents, amount_cents, currency, metadata, created_by"
)

@dataclass(slots=True)
class NewEntry:
    """A ledger entry being written on the hot path (the columns of ``director_ledger_entries``).

    A plain object instead of a :class:`LedgerEntry` (the ORM's instrumented constructor was ~2 %
    of a write's CPU); :class:`~taquilla.director.schemas.EntryOut` maps it the same way.
    ``tickets_equivalent`` and ``created_at`` are filled in from the database.
    """

    id: str
    organizer_id: str
    event_id: str | None
    entry_type: str
    tickets: int
    unit_price_cents: int | None
    amount_cents: int
    currency: str
    metadata_: dict[str, Any]
    created_by: str | None
    tickets_equivalent: int = 0
    created_at: datetime | None = None


# The entry's organizer's balances after the insert, in the same statement: its ``director_balances`` rows in
# the statement's snapshot (the trigger adds this entry only at the statement's end, which the snapshot
# cannot see) plus the row just inserted, per currency — what the whole ledger's sums were before the
# rollup (migration 20261124_director_balances), without reading the ledger.
_BALANCES_AFTER_INSERT = """
add AS (
    SELECT currency, tickets, tickets_equivalent,
           CASE WHEN entry_type <> 'payment' THEN amount_cents ELSE 0 END AS assigned,
           CASE WHEN entry_type = 'payment' THEN amount_cents ELSE 0 END AS payments
      FROM ins
), bal AS (
    SELECT b.currency,
           b.tickets + COALESCE(a.tickets, 0) AS tickets,
           b.tickets_equivalent + COALESCE(a.tickets_equivalent, 0) AS tickets_equivalent,
           b.assigned_cents + COALESCE(a.assigned, 0) AS assigned,
           b.payments_cents + COALESCE(a.payments, 0) AS payments
      FROM director_balances b LEFT JOIN add a ON a.currency = b.currency
     WHERE b.organizer_id = $2 AND EXISTS (SELECT 1 FROM ins)
    UNION ALL
    SELECT a.currency, a.tickets, a.tickets_equivalent, a.assigned, a.payments
      FROM add a
     WHERE NOT EXISTS (SELECT 1 FROM director_balances b WHERE b.organizer_id = $2 AND b.currency = a.currency)
)"""

INSERT_ASSIGNMENT_SQL = f"""
WITH src AS (
    SELECT o.id AS organizer_id, e.id AS event_id, e.type AS event_type
      FROM organizers o LEFT JOIN events e ON e.id = $3
     WHERE o.id = $2
), ins AS (
    INSERT INTO director_ledger_entries ({_ENTRY_COLUMNS})
    SELECT $1, s.organizer_id, s.event_id, $4, $5::int, CASE WHEN s.event_type = 'premium' THEN $7::int ELSE $6::int END,
           $8::bigint, $9::bigint, $10, $11::jsonb, $12
      FROM src s
     WHERE s.event_id IS NOT NULL
    RETURNING currency, tickets, tickets_equivalent, amount_cents, entry_type, created_at
), {_BALANCES_AFTER_INSERT}
SELECT s.organizer_id IS NOT NULL, s.event_id IS NOT NULL, i.tickets_equivalent, i.created_at,
       b.currency, b.tickets, b.tickets_equivalent, b.assigned, b.payments
  FROM (SELECT 1) one LEFT JOIN src s ON true LEFT JOIN ins i ON true LEFT JOIN bal b ON i.created_at IS NOT NULL
 ORDER BY b.currency
"""
"""Hot path, one statement: insert allotment $1 when organizer $2 and event $3 exist, and read the organizer's balances.

$6/$7 are the equivalent tickets for a standard/premium event (the service computes both;
the statement picks by the event's type). One row per currency of the organizer's ledger:
(organizer found, event found, tickets_equivalent, created_at, currency, tickets, equivalent
tickets, assigned cents, payment cents); a single row with NULLs from the third column on when
nothing was inserted. Folding the balances read (a second round trip) into the insert:
see the director table in bench/README.md.
"""

INSERT_PAYMENT_SQL = f"""
WITH ins AS (
    INSERT INTO director_ledger_entries ({_ENTRY_COLUMNS})
    SELECT $1, o.id, NULL, 'payment', 0, 0, NULL, $3::bigint, $4, $5::jsonb, $6
      FROM organizers o
     WHERE o.id = $2
    RETURNING currency, tickets, tickets_equivalent, amount_cents, entry_type, created_at
), {_BALANCES_AFTER_INSERT}
SELECT i.created_at, b.currency, b.tickets, b.tickets_equivalent, b.assigned, b.payments
  FROM ins i JOIN bal b ON true
 ORDER BY b.currency
"""
"""Hot path, one statement: insert payment $1 when organizer $2 exists, and read its balances (one row per
currency: created_at, currency, tickets, equivalent tickets, assigned cents, payment cents); no row otherwise."""

BALANCES_SQL = """
SELECT currency, tickets, tickets_equivalent, assigned_cents, payments_cents
  FROM director_balances
 WHERE organizer_id = $1
 ORDER BY currency
"""
"""One organizer's whole ledger per currency (the ledger page), from the running balances."""


def _balance_rows(rows: Any, first: int) -> list[dict[str, Any]]:
    return [
        {"currency": r[first], "tickets": int(r[first + 1]), "ticketsEquivalent": int(r[first + 2]),
         "assigned": int(r[first + 3]), "payments": int(r[first + 4])}
        for r in rows
        if r[first] is not None
    ]  # fmt: skip


async def insert_assignment(
    session: AsyncSession | DriverTransaction, entry: NewEntry, *, equivalent_standard: int, equivalent_premium: int, metadata_json: str
) -> tuple[bool, bool, list[dict[str, Any]]]:
    """Insert allotment ``entry`` (``tickets_equivalent`` and ``created_at`` are filled in from the
    database) unless its organizer or event is missing.

    Returns ``(organizer found, event found, balances)``; the entry was written only when both are
    true, and then ``balances`` are the organizer's per currency (sorted) including it, as
    :func:`balances` returns them.
    """
    conn = await driver_connection(session)
    rows = await conn.fetch(
        INSERT_ASSIGNMENT_SQL,
        entry.id,
        entry.organizer_id,
        entry.event_id,
        entry.entry_type,
        entry.tickets,
        equivalent_standard,
        equivalent_premium,
        entry.unit_price_cents,
        entry.amount_cents,
        entry.currency,
        metadata_json,
        entry.created_by,
    )
    r0 = rows[0]
    if r0[3] is not None:
        entry.tickets_equivalent, entry.created_at = r0[2], r0[3]
    return r0[0], r0[1], _balance_rows(rows, 4)


async def insert_payment(session: AsyncSession | DriverTransaction, entry: NewEntry, *, metadata_json: str) -> list[dict[str, Any]] | None:
    """Insert payment ``entry`` (``created_at`` filled in) unless its organizer is missing (``None``);
    the organizer's balances per currency including it, as :func:`balances` returns them."""
    conn = await driver_connection(session)
    rows = await conn.fetch(
        INSERT_PAYMENT_SQL, entry.id, entry.organizer_id, entry.amount_cents, entry.currency, metadata_json, entry.created_by
    )
    if not rows:
        return None
    entry.created_at = rows[0][0]
    return _balance_rows(rows, 1)


async def balances(session: AsyncSession, organizer_id: str) -> list[dict[str, Any]]:
    """Per currency (sorted): tickets, equivalent tickets, assigned cents, payment cents — whole ledger."""
    conn = await driver_connection(session)
    return _balance_rows(await conn.fetch(BALANCES_SQL, organizer_id), 0)


# ------------------------------------------------------------------- reads


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
