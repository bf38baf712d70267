"""Dashboard benchmark (issue 8), on the scaled network dataset (``demo-data --network-scale N``).

In one run against one live API process (PostgreSQL/Redis from DATABASE_URL/REDIS_URL, else embedded):

* ``GET /api/v1/admin/dashboard/cxc?date=month&dimension=vendedor`` (every vendedor's CxC with
  saldoAHoy), ``GET /api/v1/ventas/summary?date=month`` and ``GET /api/v1/admin/dashboard?date=month``:
  p50/p95 **uncached** (the answer's Redis entry dropped before each request, outside the timing),
  cached (hit) and 304 (``If-None-Match``);
* beside each, the same figures by a plain aggregation over ``network_tickets`` and
  ``network_jugadas`` (and movements) through asyncpg — the ratio baseline / API.

The dataset is generated once into the database ``taquilla_bench_dashboard`` and reused by later
runs with ``--reuse`` (it is regenerated when it holds fewer tickets than ``--tickets``). Run:
``.venv/bin/python -m bench.bench_dashboard [--tickets 1000000] [--requests 40] [--reuse]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import asyncpg
import httpx
from alembic import command
from alembic.util.exc import CommandError
from redis.asyncio import Redis
from rich.console import Console

from bench.common import ROOT, Stats, driver_dsn, live_servers, report
from taquilla.core.infra import (
    recreate_database,
    resolve_endpoints,
    start_embedded_postgres,
    to_async_url,
    to_driver_url,
    with_database,
)
from taquilla.core.migrate import alembic_config
from taquilla.core.periods import cr_today, month_range
from taquilla.core.settings import Settings

DATABASE = "taquilla_bench_dashboard"
PASSWORD = "bench-password"

CXC_SQL = """
WITH t AS (
    SELECT t.vendedor_id, t.business_date, SUM(j.amount_cents) AS sales, SUM(j.payout_cents) AS payouts,
           SUM(j.listero_commission_cents) AS lcomm, SUM(j.commission_cents) AS vcomm
      FROM network_tickets t JOIN network_jugadas j ON j.ticket_id = t.id
     WHERE t.status <> 'CANCELLED' AND t.business_date BETWEEN $1 AND $2
     GROUP BY 1, 2
), m AS (
    SELECT vendedor_id, SUM(CASE WHEN type = 'collection' THEN amount_cents ELSE 0 END) AS collected,
           SUM(CASE WHEN type = 'payment' THEN amount_cents ELSE 0 END) AS paid
      FROM network_movements WHERE NOT is_reversed AND vendedor_id IS NOT NULL AND date BETWEEN $1 AND $2 GROUP BY 1
)
SELECT t.vendedor_id, SUM(sales) AS sales, SUM(payouts) AS payouts, SUM(lcomm) AS lcomm, SUM(vcomm) AS vcomm,
       SUM(sales) - SUM(payouts) - SUM(vcomm) - COALESCE(MAX(m.collected), 0) + COALESCE(MAX(m.paid), 0) AS remaining
  FROM t LEFT JOIN m USING (vendedor_id) GROUP BY t.vendedor_id
"""
"""Every vendedor's month figures and remaining balance from the facts (period = month: one pass serves saldoAHoy too)."""

SUMMARY_SQL = """
SELECT SUM(t.total_amount_cents), COUNT(*), SUM(t.payout_cents), MAX(t.created_at),
       (SELECT COUNT(*) FROM network_jugadas j JOIN network_tickets u ON u.id = j.ticket_id
         WHERE u.status <> 'CANCELLED' AND u.business_date BETWEEN $1 AND $2)
  FROM network_tickets t WHERE t.status <> 'CANCELLED' AND t.business_date BETWEEN $1 AND $2
"""

DASHBOARD_SQL = """
SELECT t.ventana_id, SUM(j.amount_cents), SUM(j.payout_cents), SUM(j.listero_commission_cents),
       COUNT(DISTINCT t.id), COUNT(DISTINCT t.id) FILTER (WHERE t.payout_cents > 0)
  FROM network_tickets t JOIN network_jugadas j ON j.ticket_id = t.id
 WHERE t.status <> 'CANCELLED' AND t.business_date BETWEEN $1 AND $2
 GROUP BY t.ventana_id
"""
"""Per ventana: sales, payouts, listero commission, tickets and winners of the month (the dashboard's core)."""


def settings_for(reuse: bool) -> Settings:
    """Settings for the bench database: recreated and migrated, or (``reuse``) only migrated when it exists."""
    data_dir = ROOT / ".taquilla"
    admin = os.environ.get("DATABASE_URL") or start_embedded_postgres(data_dir)

    async def exists() -> bool:
        conn = await asyncpg.connect(to_driver_url(admin))
        try:
            return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE))
        finally:
            await conn.close()

    if not (reuse and asyncio.run(exists())):
        asyncio.run(recreate_database(admin, DATABASE))
    ep = resolve_endpoints(to_async_url(with_database(admin, DATABASE)), os.environ.get("REDIS_URL", ""), data_dir, DATABASE)
    cfg = alembic_config(ep.database_url)
    try:
        command.upgrade(cfg, "head")
    except CommandError:  # several heads while another branch is in progress: each one in turn
        from alembic.script import ScriptDirectory

        command.upgrade(cfg, "20261123_dashboard_winners")
        for head in ScriptDirectory.from_config(cfg).get_heads():
            try:
                command.upgrade(cfg, head)
            except CommandError:
                pass
    return Settings(DATABASE_URL=ep.database_url, REDIS_URL=ep.redis_url, TAQUILLA_DATA_DIR=data_dir, LOG_LEVEL="WARNING")


async def prepare(settings: Settings, tickets: int) -> tuple[int, float]:
    """Generate the dataset when missing or smaller; create the bench ADMIN. Returns (tickets present, generation seconds)."""
    from taquilla.core.security import hash_password
    from taquilla.datagen.network_scale import generate

    dsn = driver_dsn(settings)
    conn = await asyncpg.connect(dsn)
    try:
        have = await conn.fetchval("SELECT count(*) FROM network_tickets")
        gen_s = 0.0
        if have < tickets:
            t0 = time.perf_counter()
            await asyncio.to_thread(generate, settings, tickets - have, Console())
            gen_s = time.perf_counter() - t0
            have = await conn.fetchval("SELECT count(*) FROM network_tickets")
        await conn.execute("INSERT INTO users (id, username, password_hash, role) VALUES ('usr_dash_admin', 'dashadmin', $1, 'ADMIN') "
                           "ON CONFLICT (id) DO UPDATE SET password_hash = EXCLUDED.password_hash", hash_password(PASSWORD))
        await conn.execute("VACUUM ANALYZE network_daily_rollups")
        await conn.execute("VACUUM ANALYZE network_monthly_rollups")
        await conn.execute("VACUUM ANALYZE network_tickets")
        return int(have), gen_s
    finally:
        await conn.close()


async def timed(n: int, fn, budget_s: float = 90.0) -> Stats:
    """Up to ``n`` timed calls of ``fn``, stopping early once ``budget_s`` seconds have passed (slow baselines)."""
    stats = Stats()
    deadline = time.perf_counter() + budget_s
    for _ in range(n):
        if time.perf_counter() > deadline and stats.ok >= 3:
            break
        ok, elapsed = await fn()
        if ok:
            stats.latencies.append(elapsed)
        else:
            stats.errors += 1
    return stats


def fmt(s: Stats) -> str:
    return f"p50 {s.median_ms:.1f} ms, p95 {s.pct(95) * 1000:.1f} ms ({s.ok} ok, {s.errors} errors)"


async def main(settings: Settings, tickets: int, requests: int, baseline_runs: int) -> None:
    have, gen_s = await prepare(settings, tickets)
    month = month_range(cr_today())
    redis = Redis.from_url(settings.redis_url)
    conn = await asyncpg.connect(driver_dsn(settings))
    n_rows = await conn.fetchval("SELECT count(*) FROM network_daily_rollups WHERE business_date BETWEEN $1 AND $2", month.start, month.end)
    n_month = await conn.fetchval("SELECT count(*) FROM network_tickets WHERE business_date BETWEEN $1 AND $2", month.start, month.end)
    results: list[tuple[str, str]] = []
    with live_servers(settings, count=1) as (base,):
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            token = (await http.post("/api/v1/auth/login", json={"username": "dashadmin", "password": PASSWORD})).json()["data"]["accessToken"]
            h = {"Authorization": f"Bearer {token}"}

            async def drop_cache() -> None:
                await asyncio.sleep(0.03)  # outside the timing: an answer over 64 KB is stored after it was sent
                keys = [k async for k in redis.scan_iter(match="net:dash:*", count=1000)]
                if keys:
                    await redis.delete(*keys)

            async def measure(label: str, path: str, sql: str, args: tuple[object, ...]) -> None:
                state: dict[str, str] = {}

                async def uncached() -> tuple[bool, float]:
                    await drop_cache()
                    t0 = time.perf_counter()
                    r = await http.get(path, headers=h)
                    elapsed = time.perf_counter() - t0
                    state["etag"] = r.headers.get("etag", "")
                    state["size"] = str(len(r.content))
                    return r.status_code == 200 and r.headers.get("x-cache") == "miss", elapsed

                async def cached() -> tuple[bool, float]:
                    t0 = time.perf_counter()
                    r = await http.get(path, headers=h)
                    return r.status_code == 200 and r.headers.get("x-cache") == "hit", time.perf_counter() - t0

                async def not_modified() -> tuple[bool, float]:
                    t0 = time.perf_counter()
                    r = await http.get(path, headers={**h, "If-None-Match": state["etag"]})
                    return r.status_code == 304, time.perf_counter() - t0

                async def baseline() -> tuple[bool, float]:
                    t0 = time.perf_counter()
                    await conn.fetch(sql, *args)
                    return True, time.perf_counter() - t0

                await timed(3, uncached)  # warm-up
                un = await timed(requests, uncached)
                hit = await timed(requests, cached)
                nm = await timed(requests, not_modified)
                await timed(1, baseline)
                base_s = await timed(baseline_runs, baseline)
                results.extend([
                    (f"{label}: API uncached", fmt(un) + f", body {int(state['size']):,} bytes"),
                    (f"{label}: API cached (hit)", fmt(hit)),
                    (f"{label}: API 304", fmt(nm)),
                    (f"{label}: plain SQL over tickets+jugadas", fmt(base_s)),
                    (f"{label}: ratio SQL / API uncached",
                     f"p50 {base_s.median_ms / un.median_ms:.0f}x, p95 {base_s.pct(95) / un.pct(95):.0f}x"),
                ])

            await measure("cxc month dimension=vendedor", "/api/v1/admin/dashboard/cxc?date=month&dimension=vendedor", CXC_SQL,
                          (month.start, month.end))
            await measure("ventas/summary month", "/api/v1/ventas/summary?date=month&scope=all", SUMMARY_SQL, (month.start, month.end))
            await measure("admin/dashboard month", "/api/v1/admin/dashboard?date=month", DASHBOARD_SQL, (month.start, month.end))
    await conn.close()
    await redis.aclose()
    report(f"dashboards on {have:,} tickets ({n_month:,} in {month.start:%Y-%m}, {n_rows:,} rollup rows in the month; "
           f"generated in {gen_s:.0f} s), {requests} requests each, baseline {baseline_runs} runs", results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--baseline-runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the bench database when it exists (no regeneration)")
    args = parser.parse_args()
    asyncio.run(main(settings_for(args.reuse), args.tickets, args.requests, args.baseline_runs))
