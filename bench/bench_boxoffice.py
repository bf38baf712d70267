"""Box office benchmark: ticket sales and event detail latency.

* Sales: 32 concurrent buyers each buying one seat of a 10,000-seat event through
  ``POST /api/v1/boxoffice/tickets`` (two API processes, Idempotency-Key on every request) — tickets/s,
  median and p99 latency — beside the same rows written directly with asyncpg (ticket, line,
  guarded inventory upsert in one transaction) at the same concurrency: the baseline ratio
  (target: the API within 3× of the driver).
* Event detail (``GET /api/v1/boxoffice/events/{id}``, 10,000 seat slots): latency served from Redis
  (cached) and recomputed from the database (uncached, the cache outdated before each call).

Sales are measured with the lean keep-alive :class:`bench.common.RawHttp` client (httpx would
charge ~1–2 ms of client CPU per request on the shared 2-core machine), API and driver runs
alternated, and the median of ``BENCH_BOXOFFICE_RUNS`` (default 3) runs reported.

Run: ``.venv/bin/python -m bench.bench_boxoffice`` from the repository root.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.common import RawHttp, Stats, bench_settings, driver_dsn, live_servers, median_of_runs, report, run_load_raw
from taquilla.boxoffice import cache
from taquilla.core.cache import create_redis
from taquilla.core.security import hash_password

SEATS = 10_000
CONCURRENCY = 32
SALES = int(os.environ.get("BENCH_BOXOFFICE_SALES", "3000"))
RUNS = int(os.environ.get("BENCH_BOXOFFICE_RUNS", "3"))
WARMUP = 200
DETAIL_CALLS = 40


async def seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        start = datetime.now(UTC) + timedelta(days=30)
        await conn.execute("INSERT INTO locations (id, name) VALUES ('loc_b', 'Estadio Bench')")
        await conn.execute(
            "INSERT INTO location_sections (id, location_id, name, capacity, index_prefix, index_from, index_to) "
            "VALUES ('lsec_b', 'loc_b', 'Campo', $1, 'S', 1, $1)",
            SEATS,
        )
        await conn.execute("INSERT INTO presentations (id, location_id, title) VALUES ('pres_b', 'loc_b', 'Bench Fest')")
        await conn.execute(
            "INSERT INTO presentation_sections (id, presentation_id, name, price_cents, currency) VALUES ('zone_b', 'pres_b', 'Campo', 2500, 'usd')"
        )
        await conn.execute(
            "INSERT INTO presentation_section_items (id, presentation_section_id, location_section_id) VALUES ('item_b', 'zone_b', 'lsec_b')"
        )
        for n, eid in enumerate(("evt_api", "evt_driver")):
            await conn.execute(
                "INSERT INTO events (id, title, presentation_id, start_at, status) VALUES ($1, 'Bench Fest', 'pres_b', $2, 'on_sale')",
                eid,
                start + timedelta(days=n),
            )
        await conn.execute(
            "INSERT INTO users (id, username, password_hash, role) VALUES ('usr_bench', 'bench', $1, 'ADMIN')", hash_password("bench-password")
        )
    finally:
        await conn.close()


async def api_sales(clients: list[RawHttp], event_id: str, first: int, total: int) -> Stats:
    """``total`` one-seat sales of ``event_id`` (seats ``first+1``…), workers spread over the API processes."""

    async def op(i: int, w: int) -> bool:
        n = first + i
        body = {
            "eventId": event_id,
            "customerDocument": f"{n:06d}-B",
            "customerName": "Bench Buyer",
            "ticketDetails": [{"presentationSectionId": "zone_b", "presentationSectionItemId": "item_b", "locationSectionIndex": n + 1}],
        }
        status, _ = await clients[w % len(clients)].request(w, "POST", "/api/v1/boxoffice/tickets", body, {"Idempotency-Key": uuid.uuid4().hex})
        return status == 201

    return await run_load_raw(op, concurrency=CONCURRENCY, total=total)


async def driver_sales(dsn: str, event_id: str, first: int, total: int) -> Stats:
    """The same inserts directly through asyncpg: ticket, line, guarded counter upsert, one transaction.

    The pool lives only for the run, so it does not hold connections while the API runs.
    """
    pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)

    async def op(i: int, _w: int) -> bool:
        n = first + i
        tid = "tkt_" + uuid.uuid4().hex[:24]
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO tickets (id, event_id, customer_document, customer_name, total_cents, currency, status) "
                "VALUES ($1, $2, $3, 'Bench Buyer', 2500, 'usd', 'paid')",
                tid,
                event_id,
                f"{n:06d}-B",
            )
            await conn.execute(
                "INSERT INTO ticket_details (id, ticket_id, event_id, presentation_section_id, presentation_section_item_id, "
                "location_section_id, location_section_index, seat_code, price_cents, currency) "
                "VALUES ($1, $2, $3, 'zone_b', 'item_b', 'lsec_b', $4, $5, 2500, 'usd')",
                "tdet_" + uuid.uuid4().hex[:24],
                tid,
                event_id,
                n + 1,
                f"S{n + 1}",
            )
            sold = await conn.fetchval(
                "INSERT INTO event_inventory (event_id, location_section_id, sold) VALUES ($1, 'lsec_b', 1) "
                "ON CONFLICT (event_id, location_section_id) DO UPDATE SET sold = event_inventory.sold + 1 "
                "WHERE event_inventory.sold + 1 <= $2 RETURNING sold",
                event_id,
                SEATS,
            )
            return sold is not None

    try:
        return await run_load_raw(op, concurrency=CONCURRENCY, total=total)
    finally:
        await pool.close()


async def sales(urls: list[str], dsn: str) -> tuple[list[Stats], list[Stats]]:
    """Warm up, then ``RUNS`` alternated API / driver runs of ``SALES`` sales each (fresh seats every run)."""
    assert WARMUP + RUNS * SALES <= SEATS, "not enough seats for the runs"
    clients = [RawHttp(u) for u in urls]
    api_runs: list[Stats] = []
    driver_runs: list[Stats] = []
    try:
        await api_sales(clients, "evt_api", RUNS * SALES, WARMUP)
        await driver_sales(dsn, "evt_driver", RUNS * SALES, WARMUP)
        for r in range(RUNS):
            api_runs.append(await api_sales(clients, "evt_api", r * SALES, SALES))
            driver_runs.append(await driver_sales(dsn, "evt_driver", r * SALES, SALES))
    finally:
        for c in clients:
            await c.close()
    return api_runs, driver_runs


async def detail_latency(url: str, redis_url: str) -> tuple[Stats, Stats, int]:
    redis = create_redis(redis_url)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        r = await http.post("/api/v1/auth/login", json={"username": "bench", "password": "bench-password"})
        headers = {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}
        size = len((await http.get("/api/v1/boxoffice/events/evt_api", headers=headers)).content)

        async def measure(cached: bool) -> Stats:
            stats = Stats()
            t_all = time.perf_counter()
            for _ in range(DETAIL_CALLS):
                if not cached:
                    await cache.invalidate_event(redis, "evt_api")
                t0 = time.perf_counter()
                resp = await http.get("/api/v1/boxoffice/events/evt_api", headers=headers)
                elapsed = time.perf_counter() - t0
                if resp.status_code == 200 and resp.headers["x-cache"] == ("hit" if cached else "miss"):
                    stats.latencies.append(elapsed)
                else:
                    stats.errors += 1
            stats.wall = time.perf_counter() - t_all
            return stats

        uncached = await measure(False)
        await http.get("/api/v1/boxoffice/events/evt_api", headers=headers)
        cached = await measure(True)
    await redis.aclose()
    return cached, uncached, size


def main() -> None:
    settings = bench_settings("taquilla_bench_boxoffice")
    dsn = driver_dsn(settings)
    asyncio.run(seed(dsn))
    env = {"STOREFRONT_RATE_LIMIT": "100000000/minute", "DB_POOL_SIZE": "16", "DB_MAX_OVERFLOW": "0"}
    with live_servers(settings, count=2, extra_env=env) as urls:
        api_runs, driver_runs = asyncio.run(sales(urls, dsn))
        cached, uncached, size = asyncio.run(detail_latency(urls[0], settings.redis_url))
    m = median_of_runs
    api_tput, drv_tput = m([a.throughput for a in api_runs]), m([d.throughput for d in driver_runs])
    ratio = drv_tput / api_tput if api_tput else float("inf")

    def row(runs: list[Stats]) -> str:
        return (
            f"{m([s.throughput for s in runs]):8.1f} tickets/s  median {m([s.median_ms for s in runs]):6.1f} ms  "
            f"p99 {m([s.p99_ms for s in runs]):6.1f} ms  errors {sum(s.errors for s in runs)}"
        )

    report(
        f"box office sales: {SALES} one-seat tickets/run, {CONCURRENCY} concurrent buyers, {SEATS}-seat event, median of {RUNS} runs",
        [
            ("API (2 processes)", row(api_runs)),
            ("asyncpg baseline", row(driver_runs)),
            ("runs (API / driver)", "  ".join(f"{a.throughput:.0f}/{d.throughput:.0f}" for a, d in zip(api_runs, driver_runs, strict=True))),
            ("ratio driver/API", f"{ratio:8.2f}×  (target ≤ 3×: {'met' if ratio <= 3 else 'NOT met'})"),
        ],
    )
    report(
        f"event detail ({SEATS} seat slots, {size / 1024:.0f} KiB), {DETAIL_CALLS} sequential calls",
        [
            ("cached (Redis)", f"median {cached.median_ms:6.1f} ms  p99 {cached.p99_ms:6.1f} ms  errors {cached.errors}"),
            ("uncached (database)", f"median {uncached.median_ms:6.1f} ms  p99 {uncached.p99_ms:6.1f} ms  errors {uncached.errors}"),
        ],
    )


if __name__ == "__main__":
    main()
