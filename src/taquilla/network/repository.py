"""Every query of the sales network context.

Rollup maintenance (``bump_rollups``, ``rollup_payouts_of_sorteo``) always adds deltas with
``INSERT … ON CONFLICT DO UPDATE SET x = x + EXCLUDED.x`` inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.queries import contains
from taquilla.core.queries import paginate as page  # noqa: F401  (repo.page for routers)
from taquilla.network.models import (
    NO_VENDEDOR,
    TICKET_ACTIVE,
    TICKET_EVALUATED,
    Account,
    Banca,
    DailyRollup,
    Jugada,
    Loteria,
    LotteryTicket,
    Movement,
    PrizePayment,
    Sorteo,
    TicketCounter,
    Vendedor,
    Ventana,
)

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


async def add(session: AsyncSession, *rows: Any) -> None:
    """Insert ``rows`` and flush."""
    session.add_all(rows)
    await session.flush()


# ---- structure ---------------------------------------------------------------------------------


async def get(session: AsyncSession, model: Any, row_id: str) -> Any:
    return await session.get(model, row_id)


async def code_taken(session: AsyncSession, model: Any, code: str) -> bool:
    return await session.scalar(select(model.id).where(model.code == code)) is not None


async def loteria_name_taken(session: AsyncSession, name: str) -> bool:
    return await session.scalar(select(Loteria.id).where(Loteria.name == name)) is not None


def ventanas_query(banca_id: str | None, is_active: bool | None, search: str | None, only_id: str | None) -> Select[Any]:
    stmt = select(Ventana)
    if banca_id:
        stmt = stmt.where(Ventana.banca_id == banca_id)
    if is_active is not None:
        stmt = stmt.where(Ventana.is_active == is_active)
    if search:
        stmt = stmt.where(contains(Ventana.name, search) | (Ventana.code == search))
    if only_id is not None:
        stmt = stmt.where(Ventana.id == only_id)
    return stmt


def vendedores_query(ventana_id: str | None, is_active: bool | None, search: str | None, only_id: str | None) -> Select[Any]:
    stmt = select(Vendedor)
    if ventana_id:
        stmt = stmt.where(Vendedor.ventana_id == ventana_id)
    if is_active is not None:
        stmt = stmt.where(Vendedor.is_active == is_active)
    if search:
        stmt = stmt.where(contains(Vendedor.name, search) | (Vendedor.code == search))
    if only_id is not None:
        stmt = stmt.where(Vendedor.id == only_id)
    return stmt


def bancas_query(is_active: bool | None) -> Select[Any]:
    stmt = select(Banca)
    if is_active is not None:
        stmt = stmt.where(Banca.is_active == is_active)
    return stmt


def loterias_query(is_active: bool | None) -> Select[Any]:
    stmt = select(Loteria)
    if is_active is not None:
        stmt = stmt.where(Loteria.is_active == is_active)
    return stmt


def sorteos_query(loteria_id: str | None, status: str | None, start: date | None, end: date | None) -> Select[Any]:
    stmt = select(Sorteo)
    if loteria_id:
        stmt = stmt.where(Sorteo.loteria_id == loteria_id)
    if status:
        stmt = stmt.where(Sorteo.status == status)
    if start:
        stmt = stmt.where(Sorteo.business_date >= start)
    if end:
        stmt = stmt.where(Sorteo.business_date <= end)
    return stmt


async def account_of(session: AsyncSession, owner_type: str, owner_id: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.owner_type == owner_type, Account.owner_id == owner_id))


async def account_ids(session: AsyncSession, owner_type: str, owner_ids: Sequence[str]) -> dict[str, str]:
    if not owner_ids:
        return {}
    rows = await session.execute(
        select(Account.owner_id, Account.id).where(Account.owner_type == owner_type, Account.owner_id.in_(owner_ids))
    )
    return {o: a for o, a in rows.all()}


# ---- sales ----------------------------------------------------------------------------------------


async def sale_parties(session: AsyncSession, vendedor_id: str) -> tuple[Vendedor, Ventana, Banca] | None:
    """The vendedor with its ventana and banca (their policies), or None."""
    row = (
        await session.execute(
            select(Vendedor, Ventana, Banca)
            .join(Ventana, Ventana.id == Vendedor.ventana_id)
            .join(Banca, Banca.id == Ventana.banca_id)
            .where(Vendedor.id == vendedor_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def ventana_banca(session: AsyncSession, ventana_id: str) -> tuple[Ventana, Banca] | None:
    row = (
        await session.execute(select(Ventana, Banca).join(Banca, Banca.id == Ventana.banca_id).where(Ventana.id == ventana_id))
    ).first()
    return None if row is None else (row[0], row[1])


async def sorteo_with_loteria(session: AsyncSession, sorteo_id: str, *, lock: str | None = None) -> tuple[Sorteo, Loteria] | None:
    """The sorteo and its lotería. ``lock`` = ``"share"`` (FOR KEY SHARE of the sorteo: sales,
    cancellations, prize payments) or ``"update"`` (FOR UPDATE: state changes)."""
    stmt = select(Sorteo, Loteria).join(Loteria, Loteria.id == Sorteo.loteria_id).where(Sorteo.id == sorteo_id)
    if lock == "share":
        stmt = stmt.with_for_update(key_share=True, of=Sorteo)
    elif lock == "update":
        stmt = stmt.with_for_update(of=Sorteo)
    if lock:
        stmt = stmt.execution_options(populate_existing=True)
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def sold_per_number(session: AsyncSession, sorteo_id: str, numbers: Sequence[str]) -> dict[str, int]:
    """Cents already sold (not cancelled) per number of the sorteo, after taking a transaction
    advisory lock per (sorteo, number) in number order: concurrent sales of one number queue here,
    so a per-number limit holds under concurrency (no deadlock: fixed order)."""
    for n in sorted(set(numbers)):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 7))"), {"k": f"network-number:{sorteo_id}:{n}"}
        )
    rows = await session.execute(
        select(Jugada.number, func.sum(Jugada.amount_cents))
        .join(LotteryTicket, LotteryTicket.id == Jugada.ticket_id)
        .where(Jugada.sorteo_id == sorteo_id, Jugada.number.in_(sorted(set(numbers))), LotteryTicket.status != "CANCELLED")
        .group_by(Jugada.number)
    )
    return {n: int(a) for n, a in rows.all()}


async def next_ticket_number(session: AsyncSession, business_date: date) -> int:
    """The next ticket number of ``business_date``: ``nextval(seq) − base_value`` of the day (no row lock).

    The day's base is inserted by its first sale (``ON CONFLICT DO NOTHING``; only concurrent first
    sales of a day wait for each other). Unique per day; normally 1, 2, 3 …; gaps are possible.
    """
    row = (
        await session.execute(
            text(
                "SELECT nextval('network_ticket_number_seq') AS v, "
                "(SELECT base_value FROM network_ticket_counters WHERE business_date = :d) AS base"
            ),
            {"d": business_date},
        )
    ).one()
    if row.base is not None:
        return int(row.v - row.base)
    inserted = await session.scalar(
        pg_insert(TicketCounter)
        .values(business_date=business_date, base_value=row.v - 1)
        .on_conflict_do_nothing(index_elements=[TicketCounter.business_date])
        .returning(TicketCounter.base_value)
    )
    if inserted is not None:
        return 1
    base = await session.scalar(select(TicketCounter.base_value).where(TicketCounter.business_date == business_date))
    return int(row.v - base)


async def insert_jugadas(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(pg_insert(Jugada), rows)


_BUMP_SQL = text(
    "INSERT INTO network_daily_rollups (business_date, ventana_id, vendedor_id, " + ", ".join(ROLLUP_FIELDS) + ") "
    "VALUES (:business_date, :ventana_id, :vendedor_id, " + ", ".join(f":{f}" for f in ROLLUP_FIELDS) + ") "
    "ON CONFLICT (business_date, ventana_id, vendedor_id) DO UPDATE SET "
    + ", ".join(f"{f} = network_daily_rollups.{f} + EXCLUDED.{f}" for f in ROLLUP_FIELDS)
)


async def bump_rollups(session: AsyncSession, deltas: list[dict[str, Any]]) -> None:
    """Add each delta (``business_date``, ``ventana_id``, ``vendedor_id`` + some of :data:`ROLLUP_FIELDS`)
    to its rollup row, creating it when missing. Rows are applied in key order (no deadlock between writers).
    A plain-text statement: compiled once, cheap on the hot sale path."""
    rows = [{**{f: 0 for f in ROLLUP_FIELDS}, **d}
            for d in sorted(deltas, key=lambda d: (d["business_date"], d["ventana_id"], d["vendedor_id"]))]
    for row in rows:
        await session.execute(_BUMP_SQL, row)


async def ticket_for_update(session: AsyncSession, ticket_id: str) -> LotteryTicket | None:
    return await session.scalar(select(LotteryTicket).where(LotteryTicket.id == ticket_id).with_for_update().execution_options(populate_existing=True))


async def jugadas_of(session: AsyncSession, ticket_ids: Sequence[str]) -> dict[str, list[Jugada]]:
    out: dict[str, list[Jugada]] = {t: [] for t in ticket_ids}
    if not ticket_ids:
        return out
    rows = await session.scalars(select(Jugada).where(Jugada.ticket_id.in_(ticket_ids)).order_by(Jugada.ticket_id, Jugada.id))
    for j in rows:
        out[j.ticket_id].append(j)
    return out


def tickets_query(
    *,
    ventana_id: str | None,
    vendedor_id: str | None,
    sorteo_id: str | None,
    status: str | None,
    start: date | None,
    end: date | None,
    winners_only: bool,
) -> Select[Any]:
    stmt = select(LotteryTicket)
    if ventana_id:
        stmt = stmt.where(LotteryTicket.ventana_id == ventana_id)
    if vendedor_id:
        stmt = stmt.where(LotteryTicket.vendedor_id == vendedor_id)
    if sorteo_id:
        stmt = stmt.where(LotteryTicket.sorteo_id == sorteo_id)
    if status:
        stmt = stmt.where(LotteryTicket.status == status)
    if start:
        stmt = stmt.where(LotteryTicket.business_date >= start)
    if end:
        stmt = stmt.where(LotteryTicket.business_date <= end)
    if winners_only:
        stmt = stmt.where(LotteryTicket.payout_cents > 0)
    return stmt


# ---- evaluation -----------------------------------------------------------------------------------


async def mark_winners(session: AsyncSession, sorteo_id: str, number: str, extra_x: Decimal | None) -> None:
    """Set ``is_winner``/``payout_cents`` on the winning jugadas of active tickets:
    NUMERO → ``round(amount × multiplier_x)``, REVENTADO → ``round(amount × extra_x)`` (only with ``extra_x``)."""
    await session.execute(
        text(
            """
            UPDATE network_jugadas j
               SET is_winner = true,
                   payout_cents = CASE WHEN j.bet_type = 'NUMERO' THEN round(j.amount_cents * j.multiplier_x)
                                       ELSE round(j.amount_cents * CAST(:extra AS numeric)) END
              FROM network_tickets t
             WHERE t.id = j.ticket_id AND t.status = 'ACTIVE'
               AND j.sorteo_id = :sorteo AND j.number = :number
               AND (j.bet_type = 'NUMERO' OR CAST(:extra AS numeric) IS NOT NULL)
            """
        ),
        {"sorteo": sorteo_id, "number": number, "extra": extra_x},
    )
    await session.execute(
        update(LotteryTicket)
        .where(LotteryTicket.sorteo_id == sorteo_id, LotteryTicket.status == TICKET_ACTIVE)
        .values(status=TICKET_EVALUATED)
    )
    await session.execute(
        text(
            """
            UPDATE network_tickets t SET payout_cents = w.payout
              FROM (SELECT ticket_id, SUM(payout_cents) AS payout FROM network_jugadas
                     WHERE sorteo_id = :sorteo AND is_winner GROUP BY ticket_id) w
             WHERE t.id = w.ticket_id
            """
        ),
        {"sorteo": sorteo_id},
    )


async def clear_winners(session: AsyncSession, sorteo_id: str) -> None:
    """Undo :func:`mark_winners` (revert an evaluation)."""
    await session.execute(
        update(Jugada).where(Jugada.sorteo_id == sorteo_id, Jugada.is_winner.is_(True)).values(is_winner=False, payout_cents=0)
    )
    await session.execute(
        update(LotteryTicket)
        .where(LotteryTicket.sorteo_id == sorteo_id, LotteryTicket.status == TICKET_EVALUATED)
        .values(status=TICKET_ACTIVE, payout_cents=0)
    )


async def rollup_payouts_of_sorteo(session: AsyncSession, sorteo_id: str, sign: int) -> None:
    """Add ``sign`` × the sorteo's payouts (per business date, ventana, vendedor) to the rollup."""
    await session.execute(
        text(
            """
            INSERT INTO network_daily_rollups (business_date, ventana_id, vendedor_id, payouts_cents)
            SELECT business_date, ventana_id, vendedor_id, :sign * SUM(payout_cents)
              FROM network_tickets WHERE sorteo_id = :sorteo AND payout_cents > 0
             GROUP BY business_date, ventana_id, vendedor_id
             ORDER BY business_date, ventana_id, vendedor_id
            ON CONFLICT (business_date, ventana_id, vendedor_id)
            DO UPDATE SET payouts_cents = network_daily_rollups.payouts_cents + EXCLUDED.payouts_cents
            """
        ),
        {"sorteo": sorteo_id, "sign": sign},
    )


async def sorteo_has_paid_prizes(session: AsyncSession, sorteo_id: str) -> bool:
    return (
        await session.scalar(
            select(LotteryTicket.id).where(LotteryTicket.sorteo_id == sorteo_id, LotteryTicket.paid_cents > 0).limit(1)
        )
    ) is not None


async def sorteo_has_tickets(session: AsyncSession, sorteo_id: str) -> bool:
    return (await session.scalar(select(LotteryTicket.id).where(LotteryTicket.sorteo_id == sorteo_id).limit(1))) is not None


# ---- prize payments --------------------------------------------------------------------------------


async def prize_payments_of(session: AsyncSession, ticket_id: str) -> list[PrizePayment]:
    rows = await session.scalars(
        select(PrizePayment).where(PrizePayment.ticket_id == ticket_id).order_by(PrizePayment.created_at, PrizePayment.id)
    )
    return list(rows)


async def prize_payment_for_update(session: AsyncSession, payment_id: str) -> PrizePayment | None:
    return await session.scalar(select(PrizePayment).where(PrizePayment.id == payment_id).with_for_update().execution_options(populate_existing=True))


# ---- movements -------------------------------------------------------------------------------------


async def movement_for_update(session: AsyncSession, movement_id: str) -> Movement | None:
    return await session.scalar(select(Movement).where(Movement.id == movement_id).with_for_update().execution_options(populate_existing=True))


def movements_query(
    *,
    ventana_id: str | None,
    vendedor_id: str | None,
    only_ventana_level: bool,
    exclude_ventana_level: bool,
    start: date | None,
    end: date | None,
    type_: str | None,
    banca_id: str | None = None,
    include_reversed: bool = True,
) -> Select[Any]:
    stmt = select(Movement)
    if banca_id:
        stmt = stmt.where(Movement.ventana_id.in_(select(Ventana.id).where(Ventana.banca_id == banca_id)))
    if ventana_id:
        stmt = stmt.where(Movement.ventana_id == ventana_id)
    if vendedor_id:
        stmt = stmt.where(Movement.vendedor_id == vendedor_id)
    if only_ventana_level:
        stmt = stmt.where(Movement.vendedor_id.is_(None))
    if exclude_ventana_level:
        stmt = stmt.where(Movement.vendedor_id.is_not(None))
    if start:
        stmt = stmt.where(Movement.date >= start)
    if end:
        stmt = stmt.where(Movement.date <= end)
    if type_:
        stmt = stmt.where(Movement.type == type_)
    if not include_reversed:
        stmt = stmt.where(Movement.is_reversed.is_(False))
    return stmt


async def all_movements(session: AsyncSession, stmt: Select[Any]) -> list[Movement]:
    return list((await session.scalars(stmt.order_by(Movement.date, Movement.created_at, Movement.id))).all())


# ---- statements and balances -----------------------------------------------------------------------


def _rollup_filters(
    start: date | None, end: date | None, banca_id: str | None, ventana_id: str | None, vendedor_id: str | None, vendedor_rows: bool
) -> list[Any]:
    conds: list[Any] = []
    if start is not None:
        conds.append(DailyRollup.business_date >= start)
    if end is not None:
        conds.append(DailyRollup.business_date <= end)
    if banca_id:
        conds.append(DailyRollup.ventana_id.in_(select(Ventana.id).where(Ventana.banca_id == banca_id)))
    if ventana_id:
        conds.append(DailyRollup.ventana_id == ventana_id)
    if vendedor_id:
        conds.append(DailyRollup.vendedor_id == vendedor_id)
    elif vendedor_rows:
        conds.append(DailyRollup.vendedor_id != NO_VENDEDOR)
    return conds


def _sums() -> list[Any]:
    return [func.coalesce(func.sum(getattr(DailyRollup, f)), 0).label(f) for f in ROLLUP_FIELDS]


async def rollup_by_day(
    session: AsyncSession,
    start: date,
    end: date,
    *,
    banca_id: str | None,
    ventana_id: str | None,
    vendedor_id: str | None,
    vendedor_rows: bool,
) -> list[dict[str, Any]]:
    """Per CR business date in ``[start, end]``: the summed rollup figures (cents) of the scope."""
    stmt = (
        select(DailyRollup.business_date, *_sums())
        .where(*_rollup_filters(start, end, banca_id, ventana_id, vendedor_id, vendedor_rows))
        .group_by(DailyRollup.business_date)
        .order_by(DailyRollup.business_date)
    )
    return [{k: (v if k == "business_date" else int(v)) for k, v in r._mapping.items()} for r in await session.execute(stmt)]


async def rollup_total(
    session: AsyncSession,
    start: date | None,
    end: date | None,
    *,
    banca_id: str | None = None,
    ventana_id: str | None = None,
    vendedor_id: str | None = None,
    vendedor_rows: bool = False,
) -> dict[str, int]:
    """The summed rollup figures (cents) of the scope over ``[start, end]`` (None = unbounded)."""
    stmt = select(*_sums()).where(*_rollup_filters(start, end, banca_id, ventana_id, vendedor_id, vendedor_rows))
    row = (await session.execute(stmt)).one()
    return {k: int(v) for k, v in row._mapping.items()}


async def balances_by_owner(session: AsyncSession, column: str, owner_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """All-time summed rollup figures per ventana (``column='ventana_id'``) or vendedor (``'vendedor_id'``)."""
    if not owner_ids:
        return {}
    col = getattr(DailyRollup, column)
    stmt = select(col.label("owner"), *_sums()).where(col.in_(owner_ids)).group_by(col)
    out: dict[str, dict[str, int]] = {}
    for r in await session.execute(stmt):
        out[r.owner] = {f: int(getattr(r, f)) for f in ROLLUP_FIELDS}
    return out


def accounts_query(owner_type: str | None, ventana_id: str | None, owner_id: str | None) -> Select[Any]:
    stmt = select(Account)
    if owner_type:
        stmt = stmt.where(Account.owner_type == owner_type)
    if ventana_id:
        stmt = stmt.where(Account.ventana_id == ventana_id)
    if owner_id:
        stmt = stmt.where(Account.owner_id == owner_id)
    return stmt


async def names_of(session: AsyncSession, model: Any, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """id → (code, name) of ventanas or vendedores."""
    if not ids:
        return {}
    rows = await session.execute(select(model.id, model.code, model.name).where(model.id.in_(ids)))
    return {i: (c, n) for i, c, n in rows.all()}


# ---- reconcile ------------------------------------------------------------------------------------

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

TICKET_DRIFT_SQL = """
SELECT t.id, t.total_amount_cents, t.payout_cents, t.paid_cents,
       j.amount, j.payout, COALESCE(p.paid, 0) AS paid
  FROM network_tickets t
  JOIN (SELECT ticket_id, SUM(amount_cents) AS amount, SUM(payout_cents) AS payout FROM network_jugadas GROUP BY 1) j
    ON j.ticket_id = t.id
  LEFT JOIN (SELECT ticket_id, SUM(amount_cents) AS paid FROM network_prize_payments
              WHERE reversed_at IS NULL GROUP BY 1) p ON p.ticket_id = t.id
 WHERE t.total_amount_cents <> j.amount OR t.payout_cents <> j.payout OR t.paid_cents <> COALESCE(p.paid, 0)
 LIMIT 100
"""


async def expected_rollups(session: AsyncSession) -> dict[tuple[date, str, str], dict[str, int]]:
    rows = await session.execute(text(EXPECTED_ROLLUPS_SQL))
    out = {}
    for r in rows:
        out[(r.business_date, r.ventana_id, r.vendedor_id)] = {f: int(getattr(r, f)) for f in ROLLUP_FIELDS}
    return out


async def stored_rollups(session: AsyncSession) -> dict[tuple[date, str, str], dict[str, int]]:
    rows = await session.scalars(select(DailyRollup))
    return {(r.business_date, r.ventana_id, r.vendedor_id): {f: int(getattr(r, f)) for f in ROLLUP_FIELDS} for r in rows}


async def ticket_drift(session: AsyncSession) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in await session.execute(text(TICKET_DRIFT_SQL))]


async def rebuild_rollups(session: AsyncSession) -> None:
    """Replace the rollup table's contents with :data:`EXPECTED_ROLLUPS_SQL` (same transaction)."""
    await session.execute(text("DELETE FROM network_daily_rollups"))
    cols = "business_date, ventana_id, vendedor_id, " + ", ".join(ROLLUP_FIELDS)
    await session.execute(text(f"INSERT INTO network_daily_rollups ({cols}) SELECT {cols} FROM ({EXPECTED_ROLLUPS_SQL}) e"))


async def lock_rollups(session: AsyncSession) -> None:
    """Block writers of the rollup while reconcile reads a consistent picture."""
    await session.execute(text("LOCK TABLE network_daily_rollups IN SHARE MODE"))

