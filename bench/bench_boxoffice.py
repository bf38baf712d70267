"""Box office benchmark: ticket sales and event detail latency.

* Sales: 32 concurrent buyers each buying one seat of a 10,000-seat event through
  ``POST /api/v1/tickets`` (two API processes, Idempotency-Key on every request) — tickets/s,
  median and p99 latency — beside the same rows written directly with asyncpg (ticket, line,
  guarded inventory upsert in one transaction) at the same concurrency: the baseline ratio
  (target: the API within 3× of the driver).
* Event detail (``GET /api/v1/events/{id}``, 10,000 seat slots): latency served from Redis
  (cached) and recomputed from the database (uncached, the cache outdated before each call).

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

from bench.common import Stats, bench_settings, driver_dsn, live_servers, report, run_load
from taquilla.boxoffice import cache
from taquilla.core.cache import create_redis
from taquilla.core.security import hash_password

SEATS = 10_000
CONCURRENCY = 32
SALES = int(os.environ.get("BENCH_BOXOFFICE_SALES", "4000"))
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


async def api_sales(urls: list[str]) -> Stats:
    clients = [httpx.AsyncClient(base_url=u, timeout=30, limits=httpx.Limits(max_connections=CONCURRENCY)) for u in urls]

    async def op(i: int) -> bool:
        body = {
            "eventId": "evt_api",
            "customerDocument": f"{i:06d}-B",
            "customerName": "Bench Buyer",
            "ticketDetails": [{"presentationSectionId": "zone_b", "presentationSectionItemId": "item_b", "locationSectionIndex": i + 1}],
        }
        r = await clients[i % len(clients)].post("/api/v1/tickets", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
        return r.status_code == 201

    try:
        return await run_load(op, concurrency=CONCURRENCY, total=SALES)
    finally:
        for c in clients:
            await c.aclose()


async def driver_sales(dsn: str) -> Stats:
    pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)

    async def op(i: int) -> bool:
        tid = "tkt_" + uuid.uuid4().hex[:24]
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO tickets (id, event_id, customer_document, customer_name, total_cents, currency, status) "
                "VALUES ($1, 'evt_driver', $2, 'Bench Buyer', 2500, 'usd', 'paid')",
                tid,
                f"{i:06d}-B",
            )
            await conn.execute(
                "INSERT INTO ticket_details (id, ticket_id, event_id, presentation_section_id, presentation_section_item_id, "
                "location_section_id, location_section_index, seat_code, price_cents, currency) "
                "VALUES ($1, $2, 'evt_driver', 'zone_b', 'item_b', 'lsec_b', $3, $4, 2500, 'usd')",
                "tdet_" + uuid.uuid4().hex[:24],
                tid,
                i + 1,
                f"S{i + 1}",
            )
            sold = await conn.fetchval(
                "INSERT INTO event_inventory (event_id, location_section_id, sold) VALUES ('evt_driver', 'lsec_b', 1) "
                "ON CONFLICT (event_id, location_section_id) DO UPDATE SET sold = event_inventory.sold + 1 "
                "WHERE event_inventory.sold + 1 <= $1 RETURNING sold",
                SEATS,
            )
            return sold is not None

    try:
        return await run_load(op, concurrency=CONCURRENCY, total=SALES)
    finally:
        await pool.close()


async def detail_latency(url: str, redis_url: str) -> tuple[Stats, Stats, int]:
    redis = create_redis(redis_url)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        r = await http.post("/api/v1/auth/login", json={"username": "bench", "password": "bench-password"})
        headers = {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}
        size = len((await http.get("/api/v1/events/evt_api", headers=headers)).content)

        async def measure(cached: bool) -> Stats:
            stats = Stats()
            t_all = time.perf_counter()
            for _ in range(DETAIL_CALLS):
                if not cached:
                    await cache.invalidate_event(redis, "evt_api")
                t0 = time.perf_counter()
                resp = await http.get("/api/v1/events/evt_api", headers=headers)
                elapsed = time.perf_counter() - t0
                if resp.status_code == 200 and resp.headers["x-cache"] == ("hit" if cached else "miss"):
                    stats.latencies.append(elapsed)
                else:
                    stats.errors += 1
            stats.wall = time.perf_counter() - t_all
            return stats

        uncached = await measure(False)
        await http.get("/api/v1/events/evt_api", headers=headers)
        cached = await measure(True)
    await redis.aclose()
    return cached, uncached, size


def main() -> None:
    settings = bench_settings("taquilla_bench_boxoffice")
    dsn = driver_dsn(settings)
    asyncio.run(seed(dsn))
    env = {"STOREFRONT_RATE_LIMIT": "100000000/minute", "DB_POOL_SIZE": "16", "DB_MAX_OVERFLOW": "0"}
    with live_servers(settings, count=2, extra_env=env) as urls:
        api = asyncio.run(api_sales(urls))
        cached, uncached, size = asyncio.run(detail_latency(urls[0], settings.redis_url))
    driver = asyncio.run(driver_sales(dsn))
    ratio = driver.throughput / api.throughput if api.throughput else float("inf")
    report(
        f"box office sales: {SALES} one-seat tickets, {CONCURRENCY} concurrent buyers, {SEATS}-seat event",
        [
            ("API (2 processes)", f"{api.throughput:8.1f} tickets/s  median {api.median_ms:6.1f} ms  p99 {api.p99_ms:6.1f} ms  errors {api.errors}"),
            ("asyncpg baseline", f"{driver.throughput:8.1f} tickets/s  median {driver.median_ms:6.1f} ms  p99 {driver.p99_ms:6.1f} ms  errors {driver.errors}"),
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
