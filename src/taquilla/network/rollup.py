"""The per-day rollup (``network_daily_rollups``): one rule, called by every fact change.

A row per (CR business date, ventana, vendedor) — ``vendedor_id = ''`` (:data:`NO_VENDEDOR`)
for movements between the banca and the ventana itself — holds integer cents (and a count)
of the facts of that day. Each writer adds its delta in the transaction of the fact itself
(``sign`` +1 when the fact happens, −1 when it is undone):

* sale / cancellation (:func:`record_ticket`; the sale embeds :func:`add_sql` in its one write statement,
  ``sales.repository.SELL_SQL``): ± sales, listero and vendedor commission, ticket count;
* evaluation / revert (:func:`record_sorteo_payouts`): ± payouts of the sorteo's winning tickets;
* prize payment / reversal (:func:`record_prize_payment`): ± paid-to-customer, on the ticket's date;
* movement / reversal (:func:`record_movement`): ± collected (``collection``) or paid (``payment``).

Every change also adds 1 to the row's ``revision`` (the dashboards version their answers by the
sum of the revisions under them). Writes are ``INSERT … ON CONFLICT DO UPDATE SET x = x + EXCLUDED.x``: two first facts of a row
inserted at once never collide (PostgreSQL turns the second into the update). A sum that would
leave BIGINT is refused by the statement's ``WHERE`` (no row returned) and raised as 400
``AMOUNT_TOO_LARGE`` before the request commits anything. ``taquilla network reconcile``
recomputes the table from the facts with :data:`EXPECTED_ROLLUPS_SQL`.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.db import driver_connection
from taquilla.core.errors import AmountTooLarge
from taquilla.network.models import NO_VENDEDOR, DailyRollup

ROLLUP_FIELDS = (
    "sales_cents",
    "payouts_cents",
    "listero_commission_cents",
    "vendedor_commission_cents",
    "collected_cents",
    "paid_cents",
    "paid_to_customer_cents",
    "ticket_count",
)
_KEY = ("business_date", "ventana_id", "vendedor_id")
_BIGINT = "BETWEEN -9223372036854775808 AND 9223372036854775807"


def _fits(table: str, fields: tuple[str, ...]) -> str:
    return " AND ".join(f"{table}.{f}::numeric + EXCLUDED.{f} {_BIGINT}" for f in fields)


def add_sql(values: list[str] | None = None, guard: str = "") -> str:
    """The rollup's ``INSERT … ON CONFLICT DO UPDATE`` of one delta row, ``RETURNING 1`` (no row when a sum
    would leave BIGINT). ``values``: the SQL of the key and :data:`ROLLUP_FIELDS` (default ``$1…$11``);
    ``guard``: a condition the row is inserted under (used by a statement that embeds this one as a CTE
    and must run it after its earlier writes, e.g. the sale's ``sales.repository.SELL_SQL``)."""
    values = values or [f"${i}" for i in range(1, len(_KEY) + len(ROLLUP_FIELDS) + 1)]
    source = f"SELECT {', '.join(values)} WHERE {guard}" if guard else f"VALUES ({', '.join(values)})"
    return (
        f"INSERT INTO network_daily_rollups ({', '.join(_KEY + ROLLUP_FIELDS)}) {source} "
        f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET "
        + ", ".join(f"{f} = network_daily_rollups.{f} + EXCLUDED.{f}" for f in ROLLUP_FIELDS)
        + ", revision = network_daily_rollups.revision + 1"
        + f" WHERE {_fits('network_daily_rollups', ROLLUP_FIELDS)} RETURNING 1"
    )


_ADD_SQL = add_sql()
"""Add one delta row; returns no row when a sum would leave BIGINT (nothing changed)."""

_SORTEO_PAYOUTS_SQL = f"""
WITH d0 AS (
    SELECT business_date, ventana_id, vendedor_id, $2::int * SUM(payout_cents) AS payouts_cents
      FROM network_tickets WHERE sorteo_id = $1 AND payout_cents > 0
     GROUP BY business_date, ventana_id, vendedor_id
), up AS (
    INSERT INTO network_daily_rollups (business_date, ventana_id, vendedor_id, payouts_cents)
    SELECT business_date, ventana_id, vendedor_id, payouts_cents FROM d0
     WHERE payouts_cents {_BIGINT}
     ORDER BY business_date, ventana_id, vendedor_id
    ON CONFLICT (business_date, ventana_id, vendedor_id)
    DO UPDATE SET payouts_cents = network_daily_rollups.payouts_cents + EXCLUDED.payouts_cents,
                  revision = network_daily_rollups.revision + 1
    WHERE {_fits('network_daily_rollups', ('payouts_cents',))}
    RETURNING 1
)
SELECT (SELECT count(*) FROM d0) - (SELECT count(*) FROM up)
"""
"""Add ``$2`` × the sorteo's payouts per row (rows in key order); returns the number of refused rows."""


class TicketFacts(Protocol):
    """What the rollup reads of a ticket (an ORM row or the sale's in-memory ticket)."""

    business_date: date
    ventana_id: str
    vendedor_id: str
    total_amount_cents: int
    commission_cents: int
    listero_commission_cents: int


class MovementFacts(Protocol):
    """What the rollup reads of a movement."""

    date: date
    ventana_id: str
    vendedor_id: str | None
    type: str
    amount_cents: int


def _too_large() -> AmountTooLarge:
    return AmountTooLarge("The day's totals of this ventana/vendedor would exceed what can be stored.")


async def _add(session: AsyncSession, day: date, ventana_id: str, vendedor_id: str, **cents: int) -> None:
    conn = await driver_connection(session)  # on every sale: one prepared statement, no ORM
    values = [cents.get(f, 0) for f in ROLLUP_FIELDS]
    if await conn.fetchval(_ADD_SQL, day, ventana_id, vendedor_id, *values) is None:
        raise _too_large()


async def record_ticket(session: AsyncSession, ticket: TicketFacts, sign: int) -> None:
    """A sale (``sign`` +1) or its cancellation (−1) on the ticket's business date.

    Adds ± the ticket's total amount, listero commission, vendedor commission (cents) and ±1
    ticket. Raises AmountTooLarge (400) when a day's sum would leave BIGINT.
    """
    await _add(
        session, ticket.business_date, ticket.ventana_id, ticket.vendedor_id,
        sales_cents=sign * ticket.total_amount_cents,
        listero_commission_cents=sign * ticket.listero_commission_cents,
        vendedor_commission_cents=sign * ticket.commission_cents,
        ticket_count=sign,
    )


async def record_prize_payment(session: AsyncSession, ticket: TicketFacts, cents: int) -> None:
    """A prize paid to a customer (``cents`` > 0) or its reversal (< 0), on the ticket's business date."""
    await _add(session, ticket.business_date, ticket.ventana_id, ticket.vendedor_id, paid_to_customer_cents=cents)


async def record_movement(session: AsyncSession, movement: MovementFacts, sign: int) -> None:
    """A movement (``sign`` +1) or its reversal (−1) on its CR date and level.

    ``collection`` (cobro) adds to ``collected_cents``, ``payment`` (pago) to ``paid_cents``; a
    movement without vendedor belongs to the ventana's own row (``vendedor_id = ''``).
    """
    field = "collected_cents" if movement.type == "collection" else "paid_cents"
    await _add(
        session, movement.date, movement.ventana_id, movement.vendedor_id or NO_VENDEDOR,
        **{field: sign * movement.amount_cents},
    )


async def record_sorteo_payouts(session: AsyncSession, sorteo_id: str, sign: int) -> None:
    """An evaluation (``sign`` +1, after the winners are marked) or its revert (−1, before they are cleared).

    Adds ± the payouts of the sorteo's winning tickets to each (business date, ventana,
    vendedor) row, in key order (no deadlock between writers). Raises AmountTooLarge (400).
    """
    conn = await driver_connection(session)
    if await conn.fetchval(_SORTEO_PAYOUTS_SQL, sorteo_id, sign):
        raise _too_large()


# ---- recomputation from the facts (reconcile, bulk loads) -------------------------------------------

EXPECTED_ROLLUPS_SQL = """
WITH j AS (
    SELECT t.business_date, t.ventana_id, t.vendedor_id,
           SUM(j.amount_cents) AS sales_cents, SUM(j.payout_cents) AS payouts_cents,
           SUM(j.listero_commission_cents) AS listero_commission_cents,
           SUM(j.commission_cents) AS vendedor_commission_cents
      FROM network_jugadas j JOIN network_tickets t ON t.id = j.ticket_id
     WHERE t.status <> 'CANCELLED'
     GROUP BY 1, 2, 3
), tc AS (
    SELECT business_date, ventana_id, vendedor_id, COUNT(*) AS ticket_count
      FROM network_tickets WHERE status <> 'CANCELLED' GROUP BY 1, 2, 3
), pp AS (
    SELECT t.business_date, t.ventana_id, t.vendedor_id, SUM(p.amount_cents) AS paid_to_customer_cents
      FROM network_prize_payments p JOIN network_tickets t ON t.id = p.ticket_id
     WHERE p.reversed_at IS NULL GROUP BY 1, 2, 3
), mv AS (
    SELECT date AS business_date, ventana_id, COALESCE(vendedor_id, '') AS vendedor_id,
           SUM(CASE WHEN type = 'collection' THEN amount_cents ELSE 0 END) AS collected_cents,
           SUM(CASE WHEN type = 'payment' THEN amount_cents ELSE 0 END) AS paid_cents
      FROM network_movements WHERE NOT is_reversed GROUP BY 1, 2, 3
), keys AS (
    SELECT business_date, ventana_id, vendedor_id FROM j
    UNION SELECT business_date, ventana_id, vendedor_id FROM tc
    UNION SELECT business_date, ventana_id, vendedor_id FROM pp
    UNION SELECT business_date, ventana_id, vendedor_id FROM mv
)
SELECT k.business_date, k.ventana_id, k.vendedor_id,
       COALESCE(j.sales_cents, 0)::bigint AS sales_cents,
       COALESCE(j.payouts_cents, 0)::bigint AS payouts_cents,
       COALESCE(j.listero_commission_cents, 0)::bigint AS listero_commission_cents,
       COALESCE(j.vendedor_commission_cents, 0)::bigint AS vendedor_commission_cents,
       COALESCE(mv.collected_cents, 0)::bigint AS collected_cents,
       COALESCE(mv.paid_cents, 0)::bigint AS paid_cents,
       COALESCE(pp.paid_to_customer_cents, 0)::bigint AS paid_to_customer_cents,
       COALESCE(tc.ticket_count, 0)::bigint AS ticket_count
  FROM keys k
  LEFT JOIN j USING (business_date, ventana_id, vendedor_id)
  LEFT JOIN tc USING (business_date, ventana_id, vendedor_id)
  LEFT JOIN pp USING (business_date, ventana_id, vendedor_id)
  LEFT JOIN mv USING (business_date, ventana_id, vendedor_id)
"""
"""The rollup recomputed from the facts (jugadas, tickets, prize payments, movements), one row per key."""

Rows = dict[tuple[date, str, str], dict[str, int]]


async def expected_rows(session: AsyncSession) -> Rows:
    """``{(date, ventana, vendedor): {field: cents}}`` recomputed from the facts."""
    rows = await session.execute(text(EXPECTED_ROLLUPS_SQL))
    return {(r.business_date, r.ventana_id, r.vendedor_id): {f: int(getattr(r, f)) for f in ROLLUP_FIELDS} for r in rows}


async def stored_rows(session: AsyncSession) -> Rows:
    """The stored rollup, in the shape of :func:`expected_rows`."""
    rows = await session.execute(select(*(getattr(DailyRollup, c) for c in _KEY + ROLLUP_FIELDS)))
    return {(r.business_date, r.ventana_id, r.vendedor_id): {f: int(getattr(r, f)) for f in ROLLUP_FIELDS} for r in rows}


async def lock_for_reconcile(session: AsyncSession) -> None:
    """Block writers of the rollup (SHARE lock, until the transaction ends) for a consistent comparison."""
    await session.execute(text("LOCK TABLE network_daily_rollups IN SHARE MODE"))


async def rebuild(session: AsyncSession) -> None:
    """Replace the rollup's contents with :data:`EXPECTED_ROLLUPS_SQL` (same transaction).

    Every new row's ``revision`` is 1 + the sum of all old revisions, so the revision sum over any
    non-empty set of rows is larger than any sum before the rebuild (versions keep growing).
    """
    base = int(await session.scalar(text("SELECT COALESCE(SUM(revision), 0) + 1 FROM network_daily_rollups")) or 1)
    await session.execute(text("DELETE FROM network_daily_rollups"))
    cols = ", ".join(_KEY + ROLLUP_FIELDS)
    await session.execute(
        text(f"INSERT INTO network_daily_rollups ({cols}, revision) SELECT {cols}, :base FROM ({EXPECTED_ROLLUPS_SQL}) e"),
        {"base": base},
    )


def zero() -> dict[str, int]:
    """A rollup row with every figure 0."""
    return dict.fromkeys(ROLLUP_FIELDS, 0)

