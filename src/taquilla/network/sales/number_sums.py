"""The lottery's per-number sums recomputed from the facts: what ``network_number_sales`` must hold
(``taquilla network reconcile`` compares and rewrites it, the scale generator rebuilds it) and the
sums of given numbers at every level (tests compare them with what a sale reads). Not on the sale's
path: the sale keeps the table itself (:data:`taquilla.network.sales.repository.SELL_SQL`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SOLD_PER_NUMBER_SQL = """
SELECT j.number, SUM(j.amount_cents),
       COALESCE(SUM(j.amount_cents) FILTER (WHERE t.vendedor_id = $3), 0),
       COALESCE(SUM(j.amount_cents) FILTER (WHERE t.ventana_id = $4), 0),
       COALESCE(SUM(j.amount_cents) FILTER (WHERE t.ventana_id IN (SELECT v.id FROM ventanas v WHERE v.banca_id = $5)), 0)
  FROM network_jugadas j JOIN network_tickets t ON t.id = j.ticket_id
 WHERE j.sorteo_id = $1 AND j.number = ANY($2::text[]) AND t.status <> 'CANCELLED'
 GROUP BY j.number
"""
"""The facts' sums per number of a sorteo (in all, by the vendedor $3, the ventana $4, the banca $5): what
``network_number_sales`` holds (the vendedor's and the ventana's rows) and :data:`~taquilla.network.sales.repository.SELL_SQL` derives from it
(in all, the banca), recomputed (tests compare them). Not on the sale's path: at 10,000
jugadas it cost 2.95 ms per sale and grows with every sale of the sorteo (bench/README.md "Lottery sale")."""

EXPECTED_NUMBER_SUMS_SQL = """
SELECT j.sorteo_id, j.number, k.level, k.owner_id, SUM(j.amount_cents) AS amount_cents
  FROM network_jugadas j
  JOIN network_tickets t ON t.id = j.ticket_id
 CROSS JOIN LATERAL (VALUES (2::smallint, t.ventana_id::text), (3::smallint, t.vendedor_id::text)) AS k(level, owner_id)
 WHERE t.status <> 'CANCELLED'
 GROUP BY j.sorteo_id, j.number, k.level, k.owner_id
"""
"""What ``network_number_sales`` must hold: per (sorteo, number) the cents of the live tickets of each ventana
(level 2) and each vendedor (level 3)."""

_NUMBER_SUMS_DRIFT_SQL = f"""
SELECT COALESCE(e.sorteo_id, x.sorteo_id) AS sorteo_id, COALESCE(e.number, x.number) AS number,
       COALESCE(e.level, x.level) AS level, COALESCE(e.owner_id, x.owner_id) AS owner_id,
       COALESCE(e.amount_cents, 0) AS expected, COALESCE(x.amount_cents, 0) AS stored
  FROM ({EXPECTED_NUMBER_SUMS_SQL}) e
  FULL JOIN network_number_sales x
    ON x.sorteo_id = e.sorteo_id AND x.number = e.number AND x.level = e.level AND x.owner_id = e.owner_id
 WHERE COALESCE(e.amount_cents, 0) <> COALESCE(x.amount_cents, 0)
 ORDER BY 1, 2, 3, 4
"""


async def lock_number_sums(session: AsyncSession) -> None:
    """Block the writers of ``network_number_sales`` (SHARE lock, until the transaction ends). Taken before
    the rollup's lock (:func:`taquilla.network.rollup.lock_for_reconcile`): a sale and a cancellation write
    the number rows before the rollup row, so the two locks in that order never deadlock with them."""
    await session.execute(text("LOCK TABLE network_number_sales IN SHARE MODE"))


async def number_sums_drift(session: AsyncSession) -> list[dict[str, Any]]:
    """``[{sorteoId, number, level, ownerId, expected, stored}]`` (cents) where ``network_number_sales`` differs
    from :data:`EXPECTED_NUMBER_SUMS_SQL` (a missing row counts as 0)."""
    rows = await session.execute(text(_NUMBER_SUMS_DRIFT_SQL))
    return [{"sorteoId": r.sorteo_id, "number": r.number, "level": int(r.level), "ownerId": r.owner_id,
             "expected": int(r.expected), "stored": int(r.stored)} for r in rows]


async def rebuild_number_sums(session: AsyncSession) -> None:
    """Replace ``network_number_sales`` with :data:`EXPECTED_NUMBER_SUMS_SQL` (same transaction; after
    :func:`lock_number_sums`)."""
    await session.execute(text("DELETE FROM network_number_sales"))
    await session.execute(text(
        f"INSERT INTO network_number_sales (sorteo_id, number, level, owner_id, amount_cents) {EXPECTED_NUMBER_SUMS_SQL}"))
