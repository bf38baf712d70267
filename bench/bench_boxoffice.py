"""Box office benchmark (issues 3 and 13): ticket sales at 8 and 32 buyers, and event detail latency.

* Sales, two kinds of place, each on its own events:

  - ``ga``: one general-admission place per order on a 1,000,000-place section (every buyer
    counts on the same section's counter — the hot row issue 13 split into slots);
  - ``seats``: one numbered seat per order on a 10,000-seat event.

  Each through ``POST /api/v1/boxoffice/tickets`` (two API processes, buyers spread over them,
  ``Idempotency-Key`` on every request) at 8 and 32 concurrent buyers — tickets/s, median and
  p99 latency — beside the API's own statements sent directly with asyncpg at the same
  concurrency (16 database connections on each side), one transaction per sale: idempotency lock + lookup, the sale's catalog read,
  ticket + lines insert, idempotency record, the counter take (``inventory.TAKE_SLOT_SQL``, the
  locked fallback when it finds no free slot). The ratio API/driver is the API's overhead.
* During the first round, ``pg_stat_activity`` is sampled every 20 ms: what the busy database
  backends were doing (``Lock:…`` waiting for a row lock — the hot counter —, ``CPU``, ``client``:
  idle in transaction, waiting for the API's Python) — what bounds each path.
* Afterwards every event's counter is checked against its live ticket lines (Σ slots = lines).
* Event detail (``GET /api/v1/boxoffice/events/{id}``, 10,000 seat slots): latency served from
  Redis (cached) and recomputed from the database (uncached).

Sales use the lean keep-alive :class:`bench.common.RawHttp` client; API and driver runs are
alternated and the median of ``BENCH_BOXOFFICE_RUNS`` (default 3) runs is reported, with the
machine's load average (1 min) before each run.

Run: ``.venv/bin/python -m bench.bench_boxoffice [--profile /tmp/box] [--against /tmp/old/src]`` from the
repository root (``--profile PREFIX``: py-spy on both API processes during the first 32-buyer
general-admission run; collapsed stacks in ``PREFIX-<pid>.txt``, top frames printed; ``--against SRC``:
two more API processes of another tree, e.g. ``git worktree add /tmp/old <commit>``, run right after
this tree's in every round on events of their own — before/after in one run, ratio this/it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.common import PySpy, RawHttp, cpu_seconds, server_pids, Stats, WaitSampler, bench_settings, driver_dsn, live_servers, median_of_runs, print_top, report, run_load_raw
from taquilla.boxoffice import cache, inventory
from taquilla.boxoffice.sales import repository as sales_sql
from taquilla.core import idempotency
from taquilla.core.cache import create_redis
from taquilla.core.security import hash_password

GA_CAPACITY = 1_000_000
SEATS = 10_000
LEVELS = (8, 32)
MODES = ("ga", "seats")
SALES = int(os.environ.get("BENCH_BOXOFFICE_SALES", "1500"))
RUNS = int(os.environ.get("BENCH_BOXOFFICE_RUNS", "3"))
WARMUP = 200
DETAIL_CALLS = 40
DB_CONNECTIONS = 16
"""Database connections on each side: the API's two processes hold 8 each, the driver's pool 16
(the PostgreSQL server, max_connections 100, is shared with other benchmarks and test runs)."""
ZONE = {"ga": ("zone_ga", "item_ga", "lsec_ga"), "seats": ("zone_b", "item_b", "lsec_b")}


def event_id(mode: str, level: int, side: str) -> str:
    return f"evt_{side}_{mode}_{level}"


async def seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        start = datetime.now(UTC) + timedelta(days=30)
        await conn.execute("INSERT INTO locations (id, name) VALUES ('loc_b', 'Estadio Bench')")
        await conn.execute(
            "INSERT INTO location_sections (id, location_id, name, capacity, index_prefix, index_from, index_to) "
            "VALUES ('lsec_b', 'loc_b', 'Platea', $1, 'S', 1, $1)",
            SEATS,
        )
        await conn.execute(
            "INSERT INTO location_sections (id, location_id, name, capacity) VALUES ('lsec_ga', 'loc_b', 'Campo', $1)", GA_CAPACITY
        )
        await conn.execute("INSERT INTO presentations (id, location_id, title) VALUES ('pres_b', 'loc_b', 'Bench Fest')")
        await conn.execute(
            "INSERT INTO presentation_sections (id, presentation_id, name, price_cents, currency) "
            "VALUES ('zone_b', 'pres_b', 'Platea', 2500, 'usd'), ('zone_ga', 'pres_b', 'Campo', 1500, 'usd')"
        )
        await conn.execute(
            "INSERT INTO presentation_section_items (id, presentation_section_id, location_section_id) "
            "VALUES ('item_b', 'zone_b', 'lsec_b'), ('item_ga', 'zone_ga', 'lsec_ga')"
        )
        n = 0
        for side in ("api", "drv", "old"):
            for mode in MODES:
                for level in LEVELS:
                    await conn.execute(
                        "INSERT INTO events (id, title, presentation_id, start_at, status) VALUES ($1, 'Bench Fest', 'pres_b', $2, 'on_sale')",
                        event_id(mode, level, side),
                        start + timedelta(days=n),
                    )
                    n += 1
        await conn.execute(
            "INSERT INTO users (id, username, password_hash, role) VALUES ('usr_bench', 'bench', $1, 'ADMIN')", hash_password("bench-password")
        )
    finally:
        await conn.close()


def order(mode: str, eid: str, n: int) -> dict:
    zone, item, _ = ZONE[mode]
    line = {"presentationSectionId": zone, "presentationSectionItemId": item}
    if mode == "seats":
        line["locationSectionIndex"] = n + 1
    return {"eventId": eid, "customerDocument": f"{n:07d}-B", "customerName": "Bench Buyer", "ticketDetails": [line]}


async def api_sales(clients: list[RawHttp], mode: str, level: int, first: int, total: int, side: str = "api") -> Stats:
    """``total`` one-place sales (seats ``first+1``…), worker ``w`` on API process ``w % 2``; ``side`` ``old``:
    the ``--against`` tree's processes, on events of their own."""
    eid = event_id(mode, level, side)

    async def op(i: int, w: int) -> bool:
        status, _ = await clients[w % len(clients)].request(
            w, "POST", "/api/v1/boxoffice/tickets", order(mode, eid, first + i), {"Idempotency-Key": uuid.uuid4().hex}
        )
        return status == 201

    return await run_load_raw(op, concurrency=level, total=total)


async def _pool(dsn: str, size: int) -> asyncpg.Pool:
    """A pool of ``size`` connections; waits (≤ 2 min) while the shared server has no free connection slot."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return await asyncpg.create_pool(dsn, min_size=size, max_size=size)
        except asyncpg.TooManyConnectionsError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


class _Section:
    def __init__(self, sid: str, capacity: int) -> None:
        self.id, self.name, self.capacity = sid, sid, capacity


async def driver_sales(dsn: str, mode: str, level: int, first: int, total: int) -> Stats:
    """The API's statements for the same sales, sent directly with asyncpg (one transaction each).

    The pool lives only for the run, so it does not hold connections while the API runs.
    """
    eid = event_id(mode, level, "drv")
    zone, item, sid = ZONE[mode]
    section = _Section(sid, GA_CAPACITY if mode == "ga" else SEATS)
    price = 1500 if mode == "ga" else 2500
    pool = await _pool(dsn, min(level, DB_CONNECTIONS))

    async def op(i: int, _w: int) -> bool:
        n = first + i
        key = uuid.uuid4().hex
        tid = "tkt_" + uuid.uuid4().hex[:24]
        idx = n + 1 if mode == "seats" else None
        async with pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(idempotency._LOCK, "anon\x1f" + key):  # noqa: SLF001
                return False
            await conn.fetchrow(idempotency._LOOKUP, "anon", key)  # noqa: SLF001
            await conn.fetch(sales_sql.SALE_CATALOG_SQL, eid, [zone], [item])
            await conn.fetchval(
                sales_sql.INSERT_SALE_SQL, tid, eid, f"{n:07d}-B", "Bench Buyer", None, price, "usd",
                ["tdet_" + uuid.uuid4().hex[:24]], [zone], [item], [sid], [idx], [f"S{idx}" if idx else None], [price], False, ["usd"],
            )  # fmt: skip
            await conn.execute(
                idempotency._STORE, "anon", key, "POST", "/api/v1/boxoffice/tickets", "0" * 64, 201, '{"success": true}'  # noqa: SLF001
            )
            if not hasattr(inventory, "TAKE_SLOT_SQL"):  # before issue 13: one counter row per section
                return await conn.fetchval(inventory.RESERVE_SQL, eid, sid, 1, section.capacity) is not None
            row = await conn.fetchrow(inventory.TAKE_SLOT_SQL, eid, sid, 1, section.capacity, random.randrange(inventory.SLOTS))
            if row is None or row[0] is None:  # a miss (the function answers NULLs; before it, no row)
                await inventory._take_locked(conn, eid, section, 1)  # noqa: SLF001
            return True

    try:
        return await run_load_raw(op, concurrency=level, total=total)
    finally:
        await pool.close()


async def sales(
    urls: list[str], dsn: str, profile: str | None, old_urls: list[str] | None = None
) -> tuple[dict, dict, PySpy | None, list[float], dict, dict, dict, dict]:
    """Warm up, then ``RUNS`` rounds of (mode × level × API/driver) runs of ``SALES`` sales each (fresh seats every run).

    ``old_urls``: the ``--against`` tree's API processes, run right after this tree's API in every round
    (same client, same orders, events of their own); their Stats and CPU per ticket come back last."""
    assert WARMUP + RUNS * SALES <= SEATS, "not enough seats for the runs"
    api: dict[tuple[str, int], list[Stats]] = {}
    old: dict[tuple[str, int], list[Stats]] = {}
    old_cpu: dict[tuple[str, int], list[float]] = {}
    old_pids = server_pids(old_urls) if old_urls else []
    drv: dict[tuple[str, int], list[Stats]] = {}
    loads: list[float] = []
    spy = None
    waits: dict[tuple[str, int, str], str] = {}
    cpu: dict[tuple[str, int], list[float]] = {}  # CPU ms of the API processes per ticket, by (mode, level)
    pids = server_pids(urls)
    for mode in MODES:
        for level in LEVELS:
            clients = [RawHttp(u) for u in urls]
            await api_sales(clients, mode, level, RUNS * SALES, WARMUP)
            for c in clients:
                await c.close()
            if old_urls:
                clients = [RawHttp(u) for u in old_urls]
                await api_sales(clients, mode, level, RUNS * SALES, WARMUP, side="old")
                for c in clients:
                    await c.close()
            await driver_sales(dsn, mode, level, RUNS * SALES, WARMUP)
    for r in range(RUNS):
        for mode in MODES:
            for level in LEVELS:
                # fresh keep-alive connections per run (an idle one may outlive uvicorn's keep-alive timeout)
                clients = [RawHttp(u) for u in urls]
                loads.append(os.getloadavg()[0])
                cpu0 = cpu_seconds(pids)
                async with WaitSampler(dsn) as wa:
                    if profile and r == 0 and mode == "ga" and level == 32:
                        with PySpy(urls, profile) as spy:
                            a = await api_sales(clients, mode, level, r * SALES, SALES)
                    else:
                        a = await api_sales(clients, mode, level, r * SALES, SALES)
                cpu.setdefault((mode, level), []).append((cpu_seconds(pids) - cpu0) / max(1, a.ok) * 1000)
                for c in clients:
                    await c.close()
                api.setdefault((mode, level), []).append(a)
                if old_urls:
                    clients = [RawHttp(u) for u in old_urls]
                    cpu0 = cpu_seconds(old_pids)
                    b = await api_sales(clients, mode, level, r * SALES, SALES, side="old")
                    old_cpu.setdefault((mode, level), []).append((cpu_seconds(old_pids) - cpu0) / max(1, b.ok) * 1000)
                    for c in clients:
                        await c.close()
                    old.setdefault((mode, level), []).append(b)
                async with WaitSampler(dsn) as wd:
                    drv.setdefault((mode, level), []).append(await driver_sales(dsn, mode, level, r * SALES, SALES))
                if r == 0:
                    waits[(mode, level, "api")], waits[(mode, level, "drv")] = wa.summary(), wd.summary()
    return api, drv, spy, loads, waits, cpu, old, old_cpu


async def counters_exact(dsn: str) -> list[tuple[str, int, int]]:
    """Per event: (id, Σ slots (the view ``event_inventory``), live ticket lines)."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT e.id, (SELECT COALESCE(sum(sold), 0) FROM event_inventory s WHERE s.event_id = e.id), "
            "(SELECT count(*) FROM ticket_details d WHERE d.event_id = e.id AND NOT d.cancelled) FROM events e ORDER BY e.id"
        )
        return [(r[0], int(r[1]), int(r[2])) for r in rows]
    finally:
        await conn.close()


async def detail_latency(url: str, redis_url: str) -> tuple[Stats, Stats, int]:
    eid = event_id("seats", 32, "api")
    redis = create_redis(redis_url)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        r = await http.post("/api/v1/auth/login", json={"username": "bench", "password": "bench-password"})
        headers = {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}
        size = len((await http.get(f"/api/v1/boxoffice/events/{eid}", headers=headers)).content)

        async def measure(cached: bool) -> Stats:
            stats = Stats()
            t_all = time.perf_counter()
            for _ in range(DETAIL_CALLS):
                if not cached:
                    await cache.invalidate_event(redis, eid)
                t0 = time.perf_counter()
                resp = await http.get(f"/api/v1/boxoffice/events/{eid}", headers=headers)
                elapsed = time.perf_counter() - t0
                if resp.status_code == 200 and resp.headers["x-cache"] == ("hit" if cached else "miss"):
                    stats.latencies.append(elapsed)
                else:
                    stats.errors += 1
            stats.wall = time.perf_counter() - t_all
            return stats

        uncached = await measure(False)
        await http.get(f"/api/v1/boxoffice/events/{eid}", headers=headers)
        cached = await measure(True)
    await redis.aclose()
    return cached, uncached, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", metavar="PREFIX", help="py-spy the API processes during the first 32-buyer general-admission run")
    parser.add_argument("--against", metavar="SRC", help="also run another tree's API (PYTHONPATH=SRC, 2 processes) in every round")
    args = parser.parse_args()
    settings = bench_settings("taquilla_bench_boxoffice")
    dsn = driver_dsn(settings)
    asyncio.run(seed(dsn))
    env = {"STOREFRONT_RATE_LIMIT": "100000000/minute", "DB_POOL_SIZE": str(DB_CONNECTIONS // 2), "DB_MAX_OVERFLOW": "0"}
    with contextlib.ExitStack() as stack:
        urls = stack.enter_context(live_servers(settings, count=2, extra_env=env))
        old_urls = stack.enter_context(live_servers(settings, count=2, extra_env={**env, "PYTHONPATH": args.against})) if args.against else None
        api, drv, spy, loads, waits, cpu, old, old_cpu = asyncio.run(sales(urls, dsn, args.profile, old_urls))
        cached, uncached, size = asyncio.run(detail_latency(urls[0], settings.redis_url))
    counters = asyncio.run(counters_exact(dsn))
    m = median_of_runs

    def row(runs: list[Stats]) -> str:
        return (
            f"{m([s.throughput for s in runs]):7.1f} tickets/s  median {m([s.median_ms for s in runs]):6.1f} ms  "
            f"p99 {m([s.p99_ms for s in runs]):6.1f} ms  errors {sum(s.errors for s in runs)}"
        )

    rows: list[tuple[str, str]] = []
    for mode in MODES:
        what = "general admission, 1,000,000-place section" if mode == "ga" else "numbered seats, 10,000-seat event"
        rows.append((f"[{mode}] {what}", ""))
        for level in LEVELS:
            a, d = api[(mode, level)], drv[(mode, level)]
            ratio = m([s.throughput for s in a]) / m([s.throughput for s in d])
            rows += [
                (f"  {level:2d} buyers  API (2 processes)", row(a)),
                (f"  {level:2d} buyers  asyncpg, same SQL", row(d)),
                (f"  {level:2d} buyers  API/driver", f"{ratio:5.2f}   runs (API/driver): "
                 + "  ".join(f"{x.throughput:.0f}/{y.throughput:.0f}" for x, y in zip(a, d, strict=True))),
                *([(f"  {level:2d} buyers  API of {args.against}", row(old[(mode, level)])),
                   (f"  {level:2d} buyers  its API/driver; this/it", f"{m([s.throughput for s in old[(mode, level)]]) / m([s.throughput for s in d]):5.2f}; "
                    f"{m([s.throughput for s in a]) / m([s.throughput for s in old[(mode, level)]]):5.2f}× tickets/s, CPU per ticket "
                    f"{m(cpu[(mode, level)]):.2f} vs {m(old_cpu[(mode, level)]):.2f} ms")] if old else []),
                (f"  {level:2d} buyers  API CPU per ticket", f"{m(cpu[(mode, level)]):5.2f} ms  (user + system of both API processes{', py-spy attached in run 1' if args.profile and mode == 'ga' and level == 32 else ''})"),
                (f"  {level:2d} buyers  database backends, API run", waits[(mode, level, "api")]),
                (f"  {level:2d} buyers  database backends, driver run", waits[(mode, level, "drv")]),
            ]  # fmt: skip
        t8, t32 = m([s.throughput for s in api[(mode, 8)]]), m([s.throughput for s in api[(mode, 32)]])
        rows.append(("  API 32 vs 8 buyers", f"{t32 / t8:5.2f}× (no collapse: ≥ 1)"))
    rows.append(("load average (1 min) before runs", f"median {m(loads):.1f}, max {max(loads):.1f}"))
    bad = [(e, s, lines) for e, s, lines in counters if s != lines]
    rows.append(("counters (Σ slots = live lines)", "exact on every event" if not bad else f"MISMATCH {bad}"))
    rows.append(("places sold (all events)", f"{sum(c[2] for c in counters):,}"))
    report(f"box office sales: {SALES} one-place orders/run, median of {RUNS} runs", rows)
    report(
        f"event detail ({SEATS} seat slots, {size / 1024:.0f} KiB), {DETAIL_CALLS} sequential calls",
        [
            ("cached (Redis)", f"median {cached.median_ms:6.1f} ms  p99 {cached.p99_ms:6.1f} ms  errors {cached.errors}"),
            ("uncached (database)", f"median {uncached.median_ms:6.1f} ms  p99 {uncached.p99_ms:6.1f} ms  errors {uncached.errors}"),
        ],
    )
    if spy is not None:
        print_top("API processes profile, first 32-buyer general-admission run", spy)


if __name__ == "__main__":
    main()
