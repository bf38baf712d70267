"""The box office's counter take, before and after the deadlock fix (``take_inventory_slot``).

The fast path used to be one ``UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED)`` statement. Under
READ COMMITTED a slot that another buyer filled after the statement's snapshot stays locked when
its re-check fails; a sale that then missed took the slow path (every slot locked in slot order)
holding that slot out of order, and two such sales deadlock. ``take_inventory_slot`` runs the
same statement in a subtransaction it rolls back on a miss. This measures, on the database alone
(asyncpg, one transaction per sale, 32 connections, the two variants alternated, medians):

* ``fast``: one place per sale on a 1,000,000-place section — every take hits, so the figure is the
  price of the function and its subtransaction (sales/s, ratio after/before);
* ``sellout``: 1–2 places per sale on a 640-place section until it is sold out — misses, the slow
  path and the stray locks; deadlocks counted, and the counter checked (Σ slots = capacity, none
  above its share).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m bench.bench_slot_take
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

import asyncpg

from bench.common import bench_settings, driver_dsn
from taquilla.boxoffice import inventory
from taquilla.core.errors import Conflict

BEFORE_SQL = f"""
WITH pick AS (
    SELECT slot FROM event_inventory_slots
     WHERE event_id = $1 AND location_section_id = $2
       AND sold + $3 <= $4::int / {inventory.SLOTS} + (slot < $4::int % {inventory.SLOTS})::int
     ORDER BY (slot + $5::int) % {inventory.SLOTS}
     LIMIT 1
       FOR UPDATE SKIP LOCKED
)
UPDATE event_inventory_slots c SET sold = c.sold + $3
  FROM pick
 WHERE c.event_id = $1 AND c.location_section_id = $2 AND c.slot = pick.slot
   AND c.sold + $3 <= $4::int / {inventory.SLOTS} + (c.slot < $4::int % {inventory.SLOTS})::int
RETURNING c.slot, c.sold
"""
"""The fast path as it was (afc6c5d^): no row on a miss, and whatever the miss locked stays locked."""

VARIANTS = {"before": BEFORE_SQL, "after": inventory.TAKE_SLOT_SQL}
CONNECTIONS = 32


class Section:
    """A counter of ``capacity`` places under a made-up (event, section) key (foreign keys off while seeding)."""

    def __init__(self, key: str, capacity: int) -> None:
        self.id, self.name, self.capacity = key, key, capacity


async def seed(pool: asyncpg.Pool, key: str, capacity: int) -> Section:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # the slots' event/section rows are not needed here
        await conn.execute(inventory.ENSURE_SLOTS_SQL, key, key, inventory.slot_count(capacity))
    return Section(key, capacity)


async def take(pool: asyncpg.Pool, sql: str, section: Section, n: int) -> str:
    """One sale's counter take, as ``inventory.reserve`` does it: ``ok``, ``sold_out`` or ``deadlock``."""
    async with pool.acquire() as conn:
        try:
            async with conn.transaction():
                row = await conn.fetchrow(sql, section.id, section.id, n, section.capacity, random.randrange(inventory.SLOTS))
                if row is None or row[0] is None:
                    await inventory._take_locked(conn, section.id, section, n)  # noqa: SLF001
            return "ok"
        except asyncpg.DeadlockDetectedError:
            return "deadlock"
        except Conflict:  # the slow path's SOLD_OUT
            return "sold_out"


async def fast(pool: asyncpg.Pool, sql: str, key: str, sales: int) -> float:
    """Sales/s of one place each on a fresh 1,000,000-place section."""
    section = await seed(pool, key, 1_000_000)
    left = iter(range(sales))

    async def worker() -> None:
        for _ in left:
            assert await take(pool, sql, section, 1) == "ok"

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return sales / (time.perf_counter() - t0)


async def sellout(pool: asyncpg.Pool, sql: str, key: str, capacity: int) -> dict[str, int]:
    """Sell a fresh ``capacity`` section out (each buyer 2 places, then 1 once 2 is refused); outcome counts + checks."""
    section = await seed(pool, key, capacity)
    counts = {"ok": 0, "sold_out": 0, "deadlock": 0}

    async def buyer(w: int) -> None:
        n = 2 if w % 2 else 1
        while True:
            outcome = await take(pool, sql, section, n)
            counts[outcome] += 1
            if outcome == "sold_out":
                if n == 1:
                    return
                n = 1

    await asyncio.gather(*(buyer(w) for w in range(CONNECTIONS)))
    rows = await pool.fetch("SELECT slot, sold FROM event_inventory_slots WHERE event_id = $1", key)
    assert sum(r["sold"] for r in rows) == capacity, "the counter must end exactly at the capacity"
    assert all(r["sold"] <= inventory.share(capacity, r["slot"]) for r in rows), "no slot above its share"
    return counts


async def main(dsn: str, rounds: int, sales: int, capacity: int) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=CONNECTIONS, max_size=CONNECTIONS)
    rates: dict[str, list[float]] = {v: [] for v in VARIANTS}
    deadlocks: dict[str, list[int]] = {v: [] for v in VARIANTS}
    try:
        for r in range(rounds):
            order = list(VARIANTS) if r % 2 == 0 else list(reversed(VARIANTS))
            for v in order:
                rates[v].append(await fast(pool, VARIANTS[v], f"fast-{v}-{r}", sales))
                counts = await sellout(pool, VARIANTS[v], f"sellout-{v}-{r}", capacity)
                deadlocks[v].append(counts["deadlock"])
            print(f"round {r + 1}: " + ", ".join(f"{v} {rates[v][-1]:.0f} sales/s, {deadlocks[v][-1]} deadlocks" for v in VARIANTS))
    finally:
        await pool.close()
    before, after = statistics.median(rates["before"]), statistics.median(rates["after"])
    print(f"\nfast path, {CONNECTIONS} connections, {sales} sales a round, median of {rounds}:")
    print(f"  before {before:.0f} sales/s · after {after:.0f} sales/s · after/before {after / before:.2f}")
    print(f"sell-out of {capacity} places, {CONNECTIONS} buyers (1–2 places), {rounds} rounds: deadlocks before {sum(deadlocks['before'])}"
          f" ({deadlocks['before']}), after {sum(deadlocks['after'])} ({deadlocks['after']}); counters exact in every round")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sales", type=int, default=4000)
    parser.add_argument("--capacity", type=int, default=640)
    args = parser.parse_args()
    dsn = driver_dsn(bench_settings("taquilla_bench_slot_take"))  # before asyncio.run: it runs its own loop
    asyncio.run(main(dsn, args.rounds, args.sales, args.capacity))
