"""The per-day rollup (``network_daily_rollups``): one rule, called by every fact change.

A row per (CR business date, ventana, vendedor) — ``vendedor_id = ''`` (:data:`NO_VENDEDOR`)
for movements between the banca and the ventana itself — holds integer cents (and the ticket and
jugada counts) of the facts of that day, and ``last_ticket_at`` (UTC instant of the row's latest
non-cancelled ticket, NULL without one). Each writer adds its delta in the transaction of the fact itself
(``sign`` +1 when the fact happens, −1 when it is undone):

* sale / cancellation (:func:`record_ticket`; the sale embeds :func:`add_sql` in its one write statement,
  ``sales.repository.SELL_SQL``): ± sales, listero and vendedor commission, ticket and jugada counts;
  ``last_ticket_at`` = the later of the row's and the sale's instant (``GREATEST``), and on a
  cancellation the row's latest other non-cancelled ticket (recomputed from ``network_tickets``
  through ``ix_network_tickets_vendedor_date``);
* evaluation / revert (:func:`record_sorteo_payouts`): ± payouts and count of the sorteo's winning tickets;
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

from datetime import date, timedelta
from typing import Any, Protocol

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
    "winner_count",
    "jugada_count",
)
"""The summed figures of a row (BIGINT; cents, or counts for ``ticket_count``/``winner_count``/``jugada_count``;
``jugada_count`` stays last: the cancellation's statement counts it)."""
LAST_TICKET = "last_ticket_at"
"""The row's latest non-cancelled ticket's ``created_at`` (timestamptz, NULL without tickets): a maximum, not a sum."""
STORED_COLUMNS = ROLLUP_FIELDS + (LAST_TICKET,)
"""Every column a rebuild writes besides the key and ``revision``."""
_KEY = ("business_date", "ventana_id", "vendedor_id")
_BIGINT = "BETWEEN -9223372036854775808 AND 9223372036854775807"


def _fits(table: str, fields: tuple[str, ...]) -> str:
    return " AND ".join(f"{table}.{f}::numeric + EXCLUDED.{f} {_BIGINT}" for f in fields)


def add_sql(values: list[str] | None = None, guard: str = "", last_ticket_at: str = "NULL::timestamptz",
            recompute_last: str | None = None) -> str:
    """The rollup's ``INSERT … ON CONFLICT DO UPDATE`` of one delta row, ``RETURNING 1`` (no row when a sum
    would leave BIGINT). ``values``: the SQL of the key and :data:`ROLLUP_FIELDS` (default ``$1…$12``);
    ``guard``: a condition the row is inserted under (used by a statement that embeds this one as a CTE
    and must run it after its earlier writes, e.g. the sale's ``sales.repository.SELL_SQL``);
    ``last_ticket_at``: the SQL of a sale's instant (kept when later than the row's, ``GREATEST``
    ignores NULL); ``recompute_last``: instead, the SQL that gives the row's new ``last_ticket_at``
    (a cancellation)."""
    values = values or [f"${i}" for i in range(1, len(_KEY) + len(ROLLUP_FIELDS) + 1)]
    values = [*values, last_ticket_at]
    source = f"SELECT {', '.join(values)} WHERE {guard}" if guard else f"VALUES ({', '.join(values)})"
    last = recompute_last or f"GREATEST(network_daily_rollups.{LAST_TICKET}, EXCLUDED.{LAST_TICKET})"
    return (
        f"INSERT INTO network_daily_rollups ({', '.join(_KEY + STORED_COLUMNS)}) {source} "
        f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET "
        + ", ".join(f"{f} = network_daily_rollups.{f} + EXCLUDED.{f}" for f in ROLLUP_FIELDS)
        + f", {LAST_TICKET} = {last}"
        + ", revision = network_daily_rollups.revision + 1"
        + f" WHERE {_fits('network_daily_rollups', ROLLUP_FIELDS)} RETURNING 1"
    )


_ADD_SQL = add_sql()
"""Add one delta row; returns no row when a sum would leave BIGINT (nothing changed)."""

_N = len(_KEY) + len(ROLLUP_FIELDS)
_UNSELL_SQL = add_sql(
    [f"${i}" for i in range(1, _N)] + [f"-(SELECT count(*) FROM network_jugadas WHERE ticket_id = ${_N})"],
    recompute_last=(
        f"(SELECT max(t.created_at) FROM network_tickets t WHERE t.vendedor_id = $3 AND t.business_date = $1"
        f" AND t.ventana_id = $2 AND t.status <> 'CANCELLED' AND t.id <> ${_N})"
    ),
)
"""A cancellation's delta ($1…$11 as :data:`_ADD_SQL`, ``$12`` the ticket id): −its jugadas (counted in the
table) and the row's latest *other* non-cancelled ticket (the ticket may not be marked CANCELLED yet)."""

_LOCK_ROW_SQL = ("SELECT 1 FROM network_daily_rollups WHERE business_date = $1 AND ventana_id = $2 AND vendedor_id = $3 "
                 "FOR UPDATE")
"""Taken before :data:`_UNSELL_SQL`, in its own statement: every sale that wrote the row has committed its
ticket by then, so the next statement's snapshot sees them all (a sale after it raises the row's maximum itself)."""

_SORTEO_PAYOUTS_SQL = f"""
WITH d0 AS (
    SELECT business_date, ventana_id, vendedor_id, $2::int * SUM(payout_cents) AS payouts_cents,
           $2::int * COUNT(*) FILTER (WHERE status <> 'CANCELLED') AS winner_count
      FROM network_tickets WHERE sorteo_id = $1 AND payout_cents > 0
     GROUP BY business_date, ventana_id, vendedor_id
), up AS (
    INSERT INTO network_daily_rollups (business_date, ventana_id, vendedor_id, payouts_cents, winner_count)
    SELECT business_date, ventana_id, vendedor_id, payouts_cents, winner_count FROM d0
     WHERE payouts_cents {_BIGINT}
     ORDER BY business_date, ventana_id, vendedor_id
    ON CONFLICT (business_date, ventana_id, vendedor_id)
    DO UPDATE SET payouts_cents = network_daily_rollups.payouts_cents + EXCLUDED.payouts_cents,
                  winner_count = network_daily_rollups.winner_count + EXCLUDED.winner_count,
                  revision = network_daily_rollups.revision + 1
    WHERE {_fits('network_daily_rollups', ('payouts_cents',))}
    RETURNING 1
)
SELECT (SELECT count(*) FROM d0) - (SELECT count(*) FROM up)
"""
"""Add ``$2`` × the sorteo's payouts and winning (non-cancelled) tickets per row (rows in key order); returns
the number of refused rows."""


class TicketFacts(Protocol):
    """What the rollup reads of a ticket (an ORM row or the sale's in-memory ticket)."""

    id: str
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
    """The cancellation (``sign`` −1) of a ticket on its business date (a sale's delta is part of
    ``sales.repository.SELL_SQL``).

    Subtracts the ticket's total amount, listero commission, vendedor commission (cents), 1 ticket
    and its jugadas (counted in ``network_jugadas``), and sets the row's ``last_ticket_at`` to its
    latest other non-cancelled ticket. Raises ValueError for ``sign`` +1 and AmountTooLarge (400)
    when a day's sum would leave BIGINT.
    """
    if sign != -1:
        raise ValueError("record_ticket records cancellations; a sale's delta is written by SELL_SQL")
    conn = await driver_connection(session)
    await conn.execute(_LOCK_ROW_SQL, ticket.business_date, ticket.ventana_id, ticket.vendedor_id)
    cents = {"sales_cents": -ticket.total_amount_cents, "listero_commission_cents": -ticket.listero_commission_cents,
             "vendedor_commission_cents": -ticket.commission_cents, "ticket_count": -1}
    values = [cents.get(f, 0) for f in ROLLUP_FIELDS[:-1]]  # jugada_count: counted by the statement
    if await conn.fetchval(_UNSELL_SQL, ticket.business_date, ticket.ventana_id, ticket.vendedor_id, *values, ticket.id) is None:
        raise _too_large()


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
           SUM(j.commission_cents) AS vendedor_commission_cents, COUNT(*) AS jugada_count
      FROM network_jugadas j JOIN network_tickets t ON t.id = j.ticket_id
     WHERE t.status <> 'CANCELLED'
     GROUP BY 1, 2, 3
), tc AS (
    SELECT business_date, ventana_id, vendedor_id, COUNT(*) AS ticket_count, MAX(created_at) AS last_ticket_at,
           COUNT(*) FILTER (WHERE payout_cents > 0) AS winner_count
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
       COALESCE(tc.ticket_count, 0)::bigint AS ticket_count,
       COALESCE(tc.winner_count, 0)::bigint AS winner_count,
       COALESCE(j.jugada_count, 0)::bigint AS jugada_count,
       tc.last_ticket_at
  FROM keys k
  LEFT JOIN j USING (business_date, ventana_id, vendedor_id)
  LEFT JOIN tc USING (business_date, ventana_id, vendedor_id)
  LEFT JOIN pp USING (business_date, ventana_id, vendedor_id)
  LEFT JOIN mv USING (business_date, ventana_id, vendedor_id)
"""
"""The rollup recomputed from the facts (jugadas, tickets, prize payments, movements), one row per key
(:data:`STORED_COLUMNS`)."""

Rows = dict[tuple[date, str, str], dict[str, Any]]


def _row(r: Any) -> dict[str, Any]:
    out: dict[str, Any] = {f: int(getattr(r, f)) for f in ROLLUP_FIELDS}
    out[LAST_TICKET] = getattr(r, LAST_TICKET)
    return out


async def expected_rows(session: AsyncSession) -> Rows:
    """``{(date, ventana, vendedor): {field: cents or count, last_ticket_at: datetime | None}}`` recomputed from the facts."""
    rows = await session.execute(text(EXPECTED_ROLLUPS_SQL))
    return {(r.business_date, r.ventana_id, r.vendedor_id): _row(r) for r in rows}


async def stored_rows(session: AsyncSession) -> Rows:
    """The stored rollup, in the shape of :func:`expected_rows`."""
    rows = await session.execute(select(*(getattr(DailyRollup, c) for c in _KEY + STORED_COLUMNS)))
    return {(r.business_date, r.ventana_id, r.vendedor_id): _row(r) for r in rows}


async def lock_for_reconcile(session: AsyncSession) -> None:
    """Block writers of the rollup (SHARE lock, until the transaction ends) for a consistent comparison."""
    await session.execute(text("LOCK TABLE network_daily_rollups IN SHARE MODE"))


async def rebuild(session: AsyncSession) -> None:
    """Replace the rollup's contents with :data:`EXPECTED_ROLLUPS_SQL` (same transaction).

    Every new row's ``revision`` is 1 + the sum of all old revisions, so the revision sum over any
    non-empty set of rows is larger than any sum before the rebuild (versions keep growing). The
    monthly rollup is then rewritten from the new daily rows (:func:`resync_monthly`).
    """
    base = int(await session.scalar(text("SELECT COALESCE(SUM(revision), 0) + 1 FROM network_daily_rollups")) or 1)
    await session.execute(text("DELETE FROM network_daily_rollups"))
    cols = ", ".join(_KEY + STORED_COLUMNS)
    await session.execute(
        text(f"INSERT INTO network_daily_rollups ({cols}, revision) SELECT {cols}, :base FROM ({EXPECTED_ROLLUPS_SQL}) e"),
        {"base": base},
    )
    await resync_monthly(session)


def zero() -> dict[str, int]:
    """A rollup row with every figure 0 (:data:`ROLLUP_FIELDS` only)."""
    return dict.fromkeys(ROLLUP_FIELDS, 0)


def absent() -> dict[str, Any]:
    """A missing row in the shape of :func:`expected_rows` (figures 0, no last ticket)."""
    return {**zero(), LAST_TICKET: None}



# ---- the monthly rollup (network_monthly_rollups, kept by triggers) and window reads -----------------------

MONTHLY_DRIFT_SQL = f"""
WITH d AS (
    SELECT date_trunc('month', business_date)::date AS month, ventana_id, vendedor_id,
           {', '.join(f'SUM({f}) AS {f}' for f in ROLLUP_FIELDS)}, SUM(revision) AS revision_sum, COUNT(*) AS day_rows,
           MAX({LAST_TICKET}) AS {LAST_TICKET}
      FROM network_daily_rollups GROUP BY 1, 2, 3
)
SELECT COALESCE(d.month, m.month) AS month, COALESCE(d.ventana_id, m.ventana_id) AS ventana_id,
       COALESCE(d.vendedor_id, m.vendedor_id) AS vendedor_id,
       {', '.join(f'd.{f} AS e_{f}, m.{f} AS s_{f}' for f in (*STORED_COLUMNS, 'revision_sum', 'day_rows'))}
  FROM d FULL JOIN network_monthly_rollups m USING (month, ventana_id, vendedor_id)
 WHERE {' OR '.join(f'd.{f} IS DISTINCT FROM m.{f}' for f in (*STORED_COLUMNS, 'revision_sum', 'day_rows'))}
"""
"""The monthly rows that differ from the aggregate of the daily rows (expected ``e_…``, stored ``s_…``)."""

_MONTHLY_COLUMNS = (*STORED_COLUMNS, "revision_sum", "day_rows")


async def monthly_drift(session: AsyncSession) -> list[dict[str, Any]]:
    """``[{month, ventanaId, vendedorId, fields: {column: {expected, stored}}}]``: the monthly rollup rows that
    differ from their daily rows' aggregate (empty when the triggers kept it exact)."""
    out = []
    for r in await session.execute(text(MONTHLY_DRIFT_SQL)):
        m = r._mapping
        fields = {c: {"expected": m[f"e_{c}"], "stored": m[f"s_{c}"]} for c in _MONTHLY_COLUMNS if m[f"e_{c}"] != m[f"s_{c}"]}
        out.append({"month": r.month.isoformat(), "ventanaId": r.ventana_id, "vendedorId": r.vendedor_id, "fields": fields})
    return out


async def resync_monthly(session: AsyncSession) -> None:
    """Rewrite ``network_monthly_rollups`` as the aggregate of the daily rows (same transaction; after a rebuild)."""
    cols = ", ".join(STORED_COLUMNS)
    await session.execute(text("DELETE FROM network_monthly_rollups"))
    await session.execute(text(
        f"INSERT INTO network_monthly_rollups (month, ventana_id, vendedor_id, {cols}, revision_sum, day_rows) "
        f"SELECT date_trunc('month', business_date)::date, ventana_id, vendedor_id, "
        f"{', '.join(f'SUM({f})' for f in ROLLUP_FIELDS)}, MAX({LAST_TICKET}), SUM(revision), COUNT(*) "
        f"FROM network_daily_rollups GROUP BY 1, 2, 3"
    ))


_DAILY_EXPR = {"revision": "revision", "day_rows": "1"}
_MONTHLY_EXPR = {"revision": "revision_sum", "day_rows": "day_rows"}


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def window_plan(start: date, end: date, *, subtract: bool = True) -> tuple[list[date], list[date], list[date]]:
    """How to read the CR dates ``[start, end]``: ``(months, plus_days, minus_days)`` — the monthly rows of
    ``months`` (first days) plus the daily rows of ``plus_days`` minus those of ``minus_days``.

    A whole month is its monthly row; a partial month is its days, or (``subtract`` and more than half
    of the month inside) its monthly row minus the days outside. At most ~15 days per edge month.
    """
    months: list[date] = []
    plus: list[date] = []
    minus: list[date] = []
    m = _month_start(start)
    while m <= end:
        nxt = _next_month(m)
        lo, hi = max(start, m), min(end, nxt - timedelta(days=1))
        inside = (hi - lo).days + 1
        total = (nxt - m).days
        if inside == total:
            months.append(m)
        elif subtract and inside > total - inside + 1:
            months.append(m)
            minus += [m + timedelta(days=i) for i in range(total) if not lo <= m + timedelta(days=i) <= hi]
        else:
            plus += [lo + timedelta(days=i) for i in range(inside)]
        m = nxt
    return months, plus, minus


def window_sources(
    windows: dict[str, tuple[date, date]], cols: tuple[str, ...], args: list[Any], *, subtract: bool = True,
    where: str = "",
) -> str:
    """``SELECT w, ventana_id, vendedor_id, <cols>`` rows whose per-``w`` sums are the daily rows' sums over
    each window (``windows``: tag → CR dates ``[start, end]``), read from the monthly rollup where it can.

    ``cols``: :data:`ROLLUP_FIELDS` names, ``revision`` (sum of the rows' revisions), ``day_rows`` (count
    of daily rows) or :data:`LAST_TICKET` (only with ``subtract=False``: a maximum cannot be taken back).
    Subtracted days come with negated figures. ``args``: the statement's parameter list, extended with
    this fragment's date arrays; ``where``: extra conditions on ``ventana_id``/``vendedor_id`` (SQL).
    """
    if LAST_TICKET in cols and subtract:
        raise ValueError("last_ticket_at cannot be read from subtracted days")
    extra = f" AND {where}" if where else ""
    parts = []
    for tag, (start, end) in windows.items():
        months, plus, minus = window_plan(start, end, subtract=subtract)
        if months:
            args.append(months)
            sel = ", ".join(f"{_MONTHLY_EXPR.get(c, c)} AS {c}" for c in cols)
            parts.append(f"SELECT '{tag}' AS w, ventana_id, vendedor_id, {sel} FROM network_monthly_rollups "
                         f"WHERE month = ANY(${len(args)}::date[]){extra}")
        for days, sign in ((plus, ""), (minus, "-")):
            if days:
                args.append(days)
                sel = ", ".join(f"{sign if c != LAST_TICKET else ''}{_DAILY_EXPR.get(c, c)} AS {c}" for c in cols)
                parts.append(f"SELECT '{tag}' AS w, ventana_id, vendedor_id, {sel} FROM network_daily_rollups "
                             f"WHERE business_date = ANY(${len(args)}::date[]){extra}")
    if not parts:  # an empty window list: no rows of the right shape
        parts.append(f"SELECT ''::text AS w, ventana_id, vendedor_id, {', '.join(f'{_DAILY_EXPR.get(c, c)} AS {c}' for c in cols)} "
                     "FROM network_daily_rollups WHERE false")
    return "\nUNION ALL ".join(parts)
