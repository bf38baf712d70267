"""Queries of lottery tickets and prize payments.

The sale is the network's hot path (one request per ticket, all day, from every vendedor):
its statements below are hand-written SQL on the request's asyncpg connection, two round trips
per sale (:data:`SALE_CONTEXT_SQL`, :data:`SELL_SQL`) instead of the ORM's six. Measured with
``bench.bench_network`` (32 concurrent vendedores, 3 jugadas per ticket): see docs/network.md
"Benchmark" and bench/README.md for the figures that justified each step. Everything else is ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.db import DriverTransaction, driver_connection
from taquilla.core.pagination import PageParams
from taquilla.core.queries import paginate
from taquilla.identity.models import User
from taquilla.network import rollup
from taquilla.network.auth import NetworkScope
from taquilla.network.models import (
    TICKET_EVALUATED,
    Jugada,
    Loteria,
    LotteryTicket,
    PrizePayment,
    Sorteo,
    Vendedor,
    Ventana,
)

# ---- the sale (hot path, asyncpg) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SaleContext:
    """What a sale needs to know, read in one round trip (either side None when its id is unknown)."""

    vendedor_id: str | None
    vendedor_active: bool | None
    vendedor_policy: dict[str, Any] | None
    ventana_id: str | None
    ventana_active: bool | None
    ventana_policy: dict[str, Any] | None
    banca_active: bool | None
    banca_policy: dict[str, Any] | None
    sorteo_id: str | None
    sorteo_status: str | None
    business_date: date | None
    scheduled_at: datetime | None
    loteria_id: str | None
    loteria_name: str | None
    digits: int | None
    base_multiplier_x: Decimal | None
    reventado_enabled: bool | None
    sales_cutoff_minutes: int | None
    max_bet_cents: int | None
    max_per_number_cents: int | None
    loteria_active: bool | None
    counter_base: int | None
    banca_id: str | None
    sales_cutoff_at: datetime | None
    numero_multiplier_x: Decimal | None
    """The lotería's active NUMERO multiplier for this sorteo (None: the lotería's base applies)."""
    restrictions: str | None
    """JSON array of the active restrictions of the vendedor, its ventana and its banca (None: none)."""
    shared_locks: int | None
    """How many shared limits' locks the context statement took (levels 0 and 1, see :data:`SALE_CONTEXT_SQL`)."""


SALE_CONTEXT_SQL = """
WITH s AS (
    SELECT s.id, s.status, s.business_date, s.scheduled_at, l.id AS loteria_id, l.name, l.digits,
           l.base_multiplier_x, l.reventado_enabled, l.sales_cutoff_minutes, l.max_bet_cents,
           l.max_per_number_cents, l.is_active, s.sales_cutoff_at
      FROM sorteos s JOIN loterias l ON l.id = s.loteria_id
     WHERE s.id = $2
       FOR KEY SHARE OF s
), p AS (
    SELECT vd.id AS vendedor_id, vd.is_active AS vendedor_active, vd.commission_policy AS vendedor_policy,
           v.id AS ventana_id, v.is_active AS ventana_active, v.commission_policy AS ventana_policy,
           b.is_active AS banca_active, b.commission_policy AS banca_policy, b.id AS banca_id
      FROM vendedores vd JOIN ventanas v ON v.id = vd.ventana_id JOIN bancas b ON b.id = v.banca_id
     WHERE vd.id = $1
)
SELECT p.vendedor_id, p.vendedor_active, p.vendedor_policy, p.ventana_id, p.ventana_active, p.ventana_policy,
       p.banca_active, p.banca_policy, s.id, s.status, s.business_date, s.scheduled_at, s.loteria_id, s.name,
       s.digits, s.base_multiplier_x, s.reventado_enabled, s.sales_cutoff_minutes, s.max_bet_cents,
       s.max_per_number_cents, s.is_active,
       (SELECT c.base_value FROM network_ticket_counters c WHERE c.business_date = s.business_date),
       p.banca_id, s.sales_cutoff_at,
       (SELECT m.value_x FROM network_multipliers m
         WHERE m.loteria_id = s.loteria_id AND m.kind = 'NUMERO' AND m.is_active
           AND (m.applies_to_sorteo_id IS NULL OR m.applies_to_sorteo_id = s.id)
           AND (m.applies_to_date IS NULL OR m.applies_to_date = s.business_date)
         ORDER BY (m.applies_to_sorteo_id IS NOT NULL) DESC, (m.applies_to_date IS NOT NULL) DESC, m.created_at DESC, m.id
         LIMIT 1),
       (SELECT json_agg(json_build_object(
                   'id', r.id, 'level', CASE WHEN r.user_id IS NOT NULL THEN 3 WHEN r.ventana_id IS NOT NULL THEN 2 ELSE 1 END,
                   'number', r.number, 'maxAmount', r.max_amount_cents, 'maxTotal', r.max_total_cents,
                   'cutoff', r.sales_cutoff_minutes, 'date', r.applies_to_date, 'hour', r.applies_to_hour))
          FROM network_restrictions r
         WHERE r.is_active AND (r.user_id = p.vendedor_id OR r.ventana_id = p.ventana_id OR r.banca_id = p.banca_id)),
       (SELECT count(pg_advisory_xact_lock(k.key)) FROM (
            SELECT DISTINCT hashtextextended(s.id || '/' || n.number || '/' || w.level || '/' || w.owner_id, 0) AS key
              FROM unnest($3::text[]) AS n(number)
             CROSS JOIN LATERAL (
                   SELECT 0 AS level, '' AS owner_id WHERE s.max_per_number_cents IS NOT NULL
                    UNION ALL
                   SELECT 1, p.banca_id WHERE EXISTS (
                          SELECT 1 FROM network_restrictions r
                           WHERE r.is_active AND r.banca_id = p.banca_id AND r.ventana_id IS NULL AND r.user_id IS NULL
                             AND r.max_total_cents IS NOT NULL AND (r.number IS NULL OR r.number = n.number))
             ) AS w
             WHERE s.id IS NOT NULL AND p.banca_id IS NOT NULL
             ORDER BY 1) AS k)
  FROM (SELECT 1) one LEFT JOIN p ON true LEFT JOIN s ON true
"""
"""The vendedor with its ventana and banca (activity, policies), the sorteo (locked FOR KEY SHARE:
an evaluation waits for the sale and vice versa) with its lotería and frozen cutoff, the day's ticket
counter base, the lotería's active NUMERO multiplier and the active restrictions of the seller's
user, ventana and banca (one round trip; measured in docs/network.md "The sale").

Last column: the **shared limits' locks** of the ticket's numbers ``$3`` — a transaction advisory lock per
(sorteo, number, level, owner) where a limit over more than one ventana may bind: level 0 (all sales) when the
lotería has a per-number limit, level 1 (the banca) when an active banca rule has a ``maxTotal`` on the number
or on every number (a superset of the rules :func:`~taquilla.network.rules.enforcement.check_restrictions`
picks). Keys in one global order (no deadlock between two sales), taken before any row lock of the sale. The sales
these limits bind queue on them, so the sums :data:`SELL_SQL` derives in its later snapshot include every such
sale that came before (see :data:`SELL_SQL`); the others take no shared lock."""


async def sale_context(
    session: AsyncSession | DriverTransaction, vendedor_id: str, sorteo_id: str, numbers: Sequence[str]
) -> SaleContext:
    """:data:`SALE_CONTEXT_SQL` for one sale of ``numbers`` (the ticket's, sorted; takes their shared limits' locks)."""
    conn = await driver_connection(session)
    return SaleContext(*(await conn.fetchrow(SALE_CONTEXT_SQL, vendedor_id, sorteo_id, numbers)))


OPEN_DAY_SQL = """
INSERT INTO network_ticket_counters (business_date, base_value)
SELECT $1, CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM network_ticket_number_seq
ON CONFLICT (business_date) DO NOTHING
RETURNING base_value
"""
"""The day's counter base = the sequence's current value, so its first ticket is normally number 1."""


async def day_counter_base(session: AsyncSession | DriverTransaction, business_date: date) -> int:
    """The ticket counter base of ``business_date``, created by the day's first sale.

    Ticket number = ``nextval(network_ticket_number_seq) − base``: unique per day (the sequence
    never repeats), without a row lock on a hot counter; gaps are possible. Two first sales of
    a day at once: the second waits for the first's row (``ON CONFLICT DO NOTHING``) and reads it.
    """
    conn = await driver_connection(session)
    base = await conn.fetchval(OPEN_DAY_SQL, business_date)
    if base is None:
        base = await conn.fetchval("SELECT base_value FROM network_ticket_counters WHERE business_date = $1", business_date)
    return int(base)


@dataclass(frozen=True, slots=True)
class SoldOnNumber:
    """Cents sold on one number of a sorteo: in all, by its banca, its ventana, the vendedor (levels 0–3).

    ``total`` and ``banca`` are None when the sale did not derive them (no shared limit to check)."""

    total: int | None = 0
    vendedor: int = 0
    ventana: int = 0
    banca: int | None = 0

    def at_level(self, level: int) -> int:
        """The cents at ``level``; raises AssertionError for a sum the sale did not derive (a missing lock)."""
        value = (self.total, self.banca, self.ventana, self.vendedor)[level]
        assert value is not None, f"level {level} was not derived by this sale"
        return value


INSERT_SALE_SQL = """
WITH t AS (
    INSERT INTO network_tickets (id, ticket_number, business_date, sorteo_id, loteria_id, ventana_id, vendedor_id, status,
                                 total_amount_cents, commission_cents, listero_commission_cents, payout_cents, paid_cents,
                                 created_by)
    VALUES ($1, nextval('network_ticket_number_seq') - $2, $3, $4, $5, $6, $7, 'ACTIVE', $8, $9, $10, 0, 0, $11)
    RETURNING ticket_number, created_at
), j AS (
    INSERT INTO network_jugadas (id, ticket_id, sorteo_id, number, bet_type, amount_cents, multiplier_x, commission_percent,
                                 commission_cents, listero_commission_percent, listero_commission_cents, is_winner, payout_cents)
    SELECT u.id, $1, $4, u.number, u.bet_type, u.amount, u.mult, u.cp, u.cc, u.lp, u.lc, false, 0
      FROM unnest($12::text[], $13::text[], $14::text[], $15::bigint[], $16::numeric[], $17::numeric[], $18::bigint[],
                  $19::numeric[], $20::bigint[]) AS u(id, number, bet_type, amount, mult, cp, cc, lp, lc)
)
SELECT ticket_number, created_at FROM t
"""
"""The ticket and its jugadas alone (no per-number counters, no rollup): the unguarded insert the race test shows."""

_COUNT_NUMBERS = """
    INSERT INTO network_number_sales AS x (sorteo_id, number, level, owner_id, amount_cents)
    SELECT $4, w.number, k.level, k.owner_id, w.amount
      FROM w CROSS JOIN (VALUES (2::smallint, $6::text), (3::smallint, $7::text)) AS k(level, owner_id)
     ORDER BY w.number, k.level, k.owner_id
    ON CONFLICT (sorteo_id, number, level, owner_id)
    DO UPDATE SET amount_cents = x.amount_cents + EXCLUDED.amount_cents
    WHERE x.amount_cents::numeric + EXCLUDED.amount_cents <= 9223372036854775807
    RETURNING number, level, amount_cents
"""

SELL_SQL = f"""
WITH w AS (
    SELECT u.number, SUM(u.amount)::bigint AS amount
      FROM unnest($13::text[], $15::bigint[]) AS u(number, amount) GROUP BY u.number
), n AS ({_COUNT_NUMBERS}), r AS (
    {rollup.add_sql(["$3", "$6", "$7", "$8", "0", "$10", "$9", "0", "0", "0", "1", "0", "cardinality($12::text[])"],
                    guard="(SELECT count(*) FROM n) > 0", last_ticket_at="now()")}
), t AS (
    INSERT INTO network_tickets (id, ticket_number, business_date, sorteo_id, loteria_id, ventana_id, vendedor_id, status,
                                 total_amount_cents, commission_cents, listero_commission_cents, payout_cents, paid_cents,
                                 created_by)
    VALUES ($1, nextval('network_ticket_number_seq') - $2, $3, $4, $5, $6, $7, 'ACTIVE', $8, $9, $10, 0, 0, $11)
    RETURNING ticket_number, created_at
), j AS (
    INSERT INTO network_jugadas (id, ticket_id, sorteo_id, number, bet_type, amount_cents, multiplier_x, commission_percent,
                                 commission_cents, listero_commission_percent, listero_commission_cents, is_winner, payout_cents)
    SELECT u.id, $1, $4, u.number, u.bet_type, u.amount, u.mult, u.cp, u.cc, u.lp, u.lc, false, 0
      FROM unnest($12::text[], $13::text[], $14::text[], $15::bigint[], $16::numeric[], $17::numeric[], $18::bigint[],
                  $19::numeric[], $20::bigint[]) AS u(id, number, bet_type, amount, mult, cp, cc, lp, lc)
), d AS (
    SELECT x.number, SUM(x.amount_cents) AS total, COALESCE(SUM(x.amount_cents) FILTER (WHERE v.banca_id = $21), 0) AS banca
      FROM network_number_sales x JOIN ventanas v ON v.id = x.owner_id
     WHERE $22 AND x.sorteo_id = $4 AND x.number IN (SELECT w.number FROM w) AND x.level = 2 AND x.owner_id <> $6
     GROUP BY x.number
)
SELECT t.ticket_number, t.created_at, (SELECT count(*) FROM r), (SELECT count(*) FROM w),
       ARRAY(SELECT n.number FROM n), ARRAY(SELECT n.level FROM n), ARRAY(SELECT n.amount_cents FROM n),
       ARRAY(SELECT d.number FROM d), ARRAY(SELECT d.total FROM d), ARRAY(SELECT d.banca FROM d)
  FROM t
"""
"""The whole sale's write in one statement (one round trip, one prepared statement):

1. ``n``: adds the ticket's cents per number to ``network_number_sales`` — the ventana's row ($6, level 2) and
   the vendedor's ($7, level 3) — in key order and returns the new sums. The row locks queue concurrent sales
   of one number by one ventana until the holder commits (READ COMMITTED re-reads the committed row), so the
   service's check of a ventana's or a vendedor's limit on these sums is exact; a refused sum (would leave
   BIGINT) is missing from the result;
2. ``r``: the rollup delta of the ticket (:func:`taquilla.network.rollup.add_sql`: its cents, 1 ticket, its
   jugadas, ``last_ticket_at`` = ``now()``, the ticket's ``created_at``), after ``n`` (lock order
   number rows → rollup row, as a cancellation); no row when a day's sum would leave BIGINT;
3. ``t``/``j``: the ticket and its jugadas (``unnest``);
4. ``d`` (only when ``$22``): the sums of the *other* ventanas' rows of each number, in all and in the banca
   $21 — with ``n``'s own ventana row, the number's cents in all (level 0) and in the banca (level 1). No row
   holds those two sums: every sale would lock it, so every vendedor of the network would queue on each
   number. They are exact for a sale that took the number's shared limit lock in :data:`SALE_CONTEXT_SQL`:
   this statement's snapshot follows that lock, so it sees every sale the limit bound that came before; a
   sale the limit does not bind commits without the lock and counts in the sums of the sales after it.

Returns ``(ticket_number, created_at, rollup rows (1), numbers, [number], [level], [cents after the sale],
[number], [others' cents in all], [others' cents in the banca])``. A refusal raised after it rolls the whole
request back. Measured in bench/README.md "Lottery sale": it replaced five round trips (advisory locks, the
facts' sum, the rollup, the insert) whose sum grew with the sorteo's sales; the shared rows of levels 0 and 1
went in session 7 ("Lottery sale without shared number rows")."""


@dataclass(frozen=True, slots=True)
class SaleWrite:
    """What :data:`SELL_SQL` answered: the ticket's number and instant, and the per-number sums after the sale."""

    ticket_number: int
    created_at: datetime
    rollup_ok: bool
    sold: dict[str, SoldOnNumber] | None
    """``{number: sums after this sale}``; None when a sum would leave BIGINT (nothing may be kept)."""


async def sell(
    session: AsyncSession | DriverTransaction, ticket: Any, jugadas: Sequence[Any], counter_base: int, banca_id: str,
    shared_sums: bool,
) -> SaleWrite:
    """:data:`SELL_SQL` for ``ticket`` and ``jugadas`` (objects with the columns' attribute names); ``shared_sums``:
    derive each number's cents in all and in the banca (only under the locks of :data:`SALE_CONTEXT_SQL`)."""
    conn = await driver_connection(session)
    row = await conn.fetchrow(
        SELL_SQL,
        ticket.id, counter_base, ticket.business_date, ticket.sorteo_id, ticket.loteria_id, ticket.ventana_id,
        ticket.vendedor_id, ticket.total_amount_cents, ticket.commission_cents, ticket.listero_commission_cents,
        ticket.created_by,
        [j.id for j in jugadas], [j.number for j in jugadas], [j.bet_type for j in jugadas],
        [j.amount_cents for j in jugadas], [j.multiplier_x for j in jugadas], [j.commission_percent for j in jugadas],
        [j.commission_cents for j in jugadas], [j.listero_commission_percent for j in jugadas],
        [j.listero_commission_cents for j in jugadas], banca_id, shared_sums,
    )
    numbers, levels, cents = row[4], row[5], row[6]
    sold = None
    if len(numbers) == 2 * row[3]:
        mine: dict[str, dict[int, int]] = {}
        for number, level, amount in zip(numbers, levels, cents, strict=True):
            mine.setdefault(number, {})[level] = amount
        others = {number: (int(total), int(banca)) for number, total, banca in zip(row[7], row[8], row[9], strict=True)}
        sold = {}
        for number, own in mine.items():
            total, banca = others.get(number, (0, 0))
            sold[number] = SoldOnNumber(
                total=total + own[2] if shared_sums else None, banca=banca + own[2] if shared_sums else None,
                ventana=own[2], vendedor=own[3],
            )
    return SaleWrite(int(row[0]), row[1], bool(row[2]), sold)


UNCOUNT_TICKET_SQL = """
INSERT INTO network_number_sales AS x (sorteo_id, number, level, owner_id, amount_cents)
SELECT j.sorteo_id, j.number, k.level, k.owner_id, -SUM(j.amount_cents)
  FROM network_jugadas j
  JOIN network_tickets t ON t.id = j.ticket_id
 CROSS JOIN LATERAL (VALUES (2::smallint, t.ventana_id::text), (3::smallint, t.vendedor_id::text)) AS k(level, owner_id)
 WHERE j.ticket_id = $1
 GROUP BY j.sorteo_id, j.number, k.level, k.owner_id
 ORDER BY j.sorteo_id, j.number, k.level, k.owner_id
ON CONFLICT (sorteo_id, number, level, owner_id) DO UPDATE SET amount_cents = x.amount_cents + EXCLUDED.amount_cents
"""
"""A cancelled ticket's cents leave ``network_number_sales`` (rows in key order, after the ticket's lock,
before the rollup row: the sale's lock order). It takes no shared limit lock: cents leaving a number never
push a sum over a limit."""


async def uncount_ticket(session: AsyncSession, ticket_id: str) -> None:
    """:data:`UNCOUNT_TICKET_SQL` for a ticket being cancelled (same transaction)."""
    conn = await driver_connection(session)
    await conn.execute(UNCOUNT_TICKET_SQL, ticket_id)


# ---- tickets (ORM) ---------------------------------------------------------------------------------


async def ticket_in_scope(session: AsyncSession, scope: NetworkScope, ticket_id: str) -> LotteryTicket | None:
    """The ticket if it exists inside ``scope``."""
    stmt = select(LotteryTicket).where(LotteryTicket.id == ticket_id)
    return await session.scalar(scope.where(stmt, LotteryTicket.ventana_id, LotteryTicket.vendedor_id))


async def ticket_for_update(session: AsyncSession, ticket_id: str) -> LotteryTicket | None:
    """The ticket, locked FOR UPDATE and refreshed (after its sorteo's KEY SHARE lock)."""
    stmt = select(LotteryTicket).where(LotteryTicket.id == ticket_id).with_for_update()
    return await session.scalar(stmt.execution_options(populate_existing=True))


async def tickets_page(
    session: AsyncSession,
    scope: NetworkScope,
    *,
    ventana_id: str | None,
    vendedor_id: str | None,
    sorteo_id: str | None,
    status: str | None,
    start: date | None,
    end: date | None,
    winners_only: bool,
    page: PageParams,
    search: str | None = None,
) -> tuple[int, list[LotteryTicket]]:
    """Tickets in ``scope``, newest first, filtered (business dates ``[start, end]``; winners = payout > 0).

    ``status`` PAID = an EVALUATED winner fully paid or closed; EVALUATED excludes those. ``search``:
    the ticket number (digits) or the vendedor's name or code (contains).
    """
    stmt = scope.where(select(LotteryTicket), LotteryTicket.ventana_id, LotteryTicket.vendedor_id)
    for column, value in ((LotteryTicket.ventana_id, ventana_id), (LotteryTicket.vendedor_id, vendedor_id),
                          (LotteryTicket.sorteo_id, sorteo_id)):
        if value:
            stmt = stmt.where(column == value)
    paid = and_(
        LotteryTicket.payout_cents > 0,
        or_(LotteryTicket.payment_closed.is_(True), LotteryTicket.paid_cents >= LotteryTicket.payout_cents),
    )
    if status == "PAID":
        stmt = stmt.where(LotteryTicket.status == TICKET_EVALUATED, paid)
    elif status == TICKET_EVALUATED:
        stmt = stmt.where(LotteryTicket.status == TICKET_EVALUATED, not_(paid))
    elif status:
        stmt = stmt.where(LotteryTicket.status == status)
    if search:
        by_vendedor = select(Vendedor.id).where(
            or_(Vendedor.name.icontains(search, autoescape=True), Vendedor.code.icontains(search, autoescape=True))
        )
        cond = LotteryTicket.vendedor_id.in_(by_vendedor)
        if search.isdigit() and len(search) < 10:
            cond = or_(cond, LotteryTicket.ticket_number == int(search))
        stmt = stmt.where(cond)
    if start:
        stmt = stmt.where(LotteryTicket.business_date >= start)
    if end:
        stmt = stmt.where(LotteryTicket.business_date <= end)
    if winners_only:
        stmt = stmt.where(LotteryTicket.payout_cents > 0)
    return await paginate(session, stmt, page.offset, page.limit, LotteryTicket.created_at.desc(), LotteryTicket.id.desc())


async def jugadas_of(session: AsyncSession, ticket_ids: Sequence[str]) -> dict[str, list[Jugada]]:
    """The jugadas of each ticket (in id order)."""
    out: dict[str, list[Jugada]] = {t: [] for t in ticket_ids}
    if ticket_ids:
        rows = await session.scalars(select(Jugada).where(Jugada.ticket_id.in_(ticket_ids)).order_by(Jugada.ticket_id, Jugada.id))
        for j in rows:
            out[j.ticket_id].append(j)
    return out


async def sorteos_by_id(session: AsyncSession, ids: Sequence[str]) -> dict[str, Sorteo]:
    """The sorteos of ``ids`` by id."""
    if not ids:
        return {}
    return {x.id: x for x in await session.scalars(select(Sorteo).where(Sorteo.id.in_(set(ids))))}


async def names_of(session: AsyncSession, tickets: Sequence[Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The vendedores, ventanas and loterías of ``tickets`` (rows by id), three queries at most."""
    out: list[dict[str, Any]] = []
    for model, attr in ((Vendedor, "vendedor_id"), (Ventana, "ventana_id"), (Loteria, "loteria_id")):
        ids = {getattr(t, attr) for t in tickets}
        rows = await session.scalars(select(model).where(model.id.in_(ids))) if ids else []
        out.append({r.id: r for r in rows})
    return out[0], out[1], out[2]


async def user_names(session: AsyncSession, ids: Sequence[str]) -> dict[str, str]:
    """``full_name`` (or username) of each user id."""
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.full_name, User.username).where(User.id.in_(set(ids))))
    return {i: (n or u) for i, n, u in rows}


# ---- prize payments --------------------------------------------------------------------------------


async def prize_payments_of(session: AsyncSession, ticket_id: str) -> list[PrizePayment]:
    """The ticket's prize payments, oldest first (reversed ones included)."""
    stmt = select(PrizePayment).where(PrizePayment.ticket_id == ticket_id).order_by(PrizePayment.created_at, PrizePayment.id)
    return list(await session.scalars(stmt))


async def prize_payment(session: AsyncSession, payment_id: str, *, for_update: bool = False) -> PrizePayment | None:
    """One prize payment; ``for_update`` locks and refreshes it (after its ticket's lock)."""
    stmt = select(PrizePayment).where(PrizePayment.id == payment_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(stmt)


async def add(session: AsyncSession, *rows: Any) -> None:
    """Insert ``rows`` and flush."""
    session.add_all(rows)
    await session.flush()
