"""Director benchmark (issue 2).

Measures, in one run against one live API process (embedded PostgreSQL/Valkey
unless DATABASE_URL/REDIS_URL are set):

* assignments + payments per second at 16 concurrent clients through the API
  (median and p99 latency), beside the same entries' bare INSERTs issued directly through
  asyncpg with a 16-connection pool — the ratio API/driver — and beside the API's own statements
  (the insert that checks its organizer/event and reads the balances back) through the same pool;
* ``GET /director/overview`` latency cached (hit) and uncached (cache dropped
  before each request).

Each figure is the median of ``--runs`` repetitions. Run:
``.venv/bin/python -m bench.bench_director [--ops 2000] [--runs 3] [--against /tmp/old/src] [--ledger 2000]``
(``--against SRC``: another tree's API processes, e.g. a worktree of an older commit, measured in
every round right after this one's — before/after in one run, for trees with the same schema;
``--ledger N``: N earlier entries per organizer, so the writes meet a grown ledger).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from decimal import Decimal

import asyncpg
import httpx
from redis.asyncio import Redis

from taquilla.core.settings import Settings
from bench.common import PySpy, api_server, cpu_seconds, server_pids, RawHttp, Stats, bench_settings, driver_dsn, live_servers, median_of_runs, print_top, report, run_load_raw, warm_measured_run

CONCURRENCY = 16


async def seed(dsn: str, ledger: int = 0) -> None:
    """50 organizers, a standard and a premium event, the bench's ADMIN; ``ledger`` earlier entries per organizer
    (alternating loan allotments and payments, in mxn) so a write meets a ledger of that size."""
    from taquilla.core.security import hash_password

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("INSERT INTO organizers (id, name) SELECT 'org_' || g, 'Org ' || g FROM generate_series(1, 50) g ON CONFLICT DO NOTHING")
        await conn.execute("INSERT INTO events (id, title, type) VALUES ('ev_std', 'Std', 'standard'), ('ev_prem', 'Prem', 'premium') ON CONFLICT DO NOTHING")
        await conn.execute(
            "INSERT INTO users (id, username, password_hash, role) VALUES ('usr_bench', 'bench', $1, 'ADMIN') ON CONFLICT DO NOTHING",
            hash_password("bench-password"),
        )
        if ledger:
            await conn.execute(
                "INSERT INTO director_ledger_entries (id, organizer_id, event_id, entry_type, tickets, tickets_equivalent, unit_price_cents,"
                " amount_cents, currency, metadata, created_by)"
                " SELECT 'entry_seed_' || o || '_' || g, 'org_' || o, CASE WHEN g % 2 = 0 THEN 'ev_std' END,"
                "        CASE WHEN g % 2 = 0 THEN 'assign_loan' ELSE 'payment' END, CASE WHEN g % 2 = 0 THEN 10 ELSE 0 END,"
                "        CASE WHEN g % 2 = 0 THEN 10 ELSE 0 END, CASE WHEN g % 2 = 0 THEN 350 END, CASE WHEN g % 2 = 0 THEN 3500 ELSE 1250 END,"
                "        'mxn', '{}', 'usr_bench'"
                "   FROM generate_series(1, 50) o, generate_series(1, $1::int) g ON CONFLICT DO NOTHING",
                ledger,
            )
            await conn.execute("VACUUM ANALYZE director_ledger_entries")
    finally:
        await conn.close()


class MultiHttp:
    """:class:`RawHttp` over several API processes: worker ``w`` talks to process ``w % len(urls)``."""

    def __init__(self, urls: list[str]) -> None:
        self.clients = [RawHttp(u) for u in urls]

    async def request(self, worker: int, method: str, path: str, body: object | None = None, headers: dict[str, str] | None = None):  # noqa: ANN201
        return await self.clients[worker % len(self.clients)].request(worker, method, path, body, headers)

    async def close(self) -> None:
        for c in self.clients:
            await c.close()


def api_op(raw: RawHttp | MultiHttp, headers: dict[str, str]):
    async def op(i: int, worker: int) -> bool:
        org = f"org_{i % 50 + 1}"
        if i % 2:
            body = {"organizerId": org, "amount": 12.5, "currency": "mxn"}
            status, _ = await raw.request(worker, "POST", "/director/payments", body, headers)
        else:
            body = {"organizerId": org, "eventId": "ev_prem" if i % 4 == 0 else "ev_std", "type": "loan", "tickets": 10, "price": 3.5}
            status, _ = await raw.request(worker, "POST", "/director/assign", body, headers)
        return status == 201

    return op


def driver_op(pool: asyncpg.Pool):
    async def op(i: int, worker: int) -> bool:
        org = f"org_{i % 50 + 1}"
        async with pool.acquire() as conn:
            if i % 2:
                await conn.execute(
                    "INSERT INTO director_ledger_entries (id, organizer_id, entry_type, tickets, tickets_equivalent, amount_cents, currency, metadata, created_by)"
                    " VALUES ($1, $2, 'payment', 0, 0, 1250, 'mxn', '{}', 'usr_bench')",
                    "entry_" + uuid.uuid4().hex[:24],
                    org,
                )
            else:
                await conn.execute(
                    "INSERT INTO director_ledger_entries (id, organizer_id, event_id, entry_type, tickets, tickets_equivalent, unit_price_cents, amount_cents, currency, metadata, created_by)"
                    " VALUES ($1, $2, $3, 'assign_loan', 10, $4, 350, 3500, 'mxn', '{}', 'usr_bench')",
                    "entry_" + uuid.uuid4().hex[:24],
                    org,
                    "ev_prem" if i % 4 == 0 else "ev_std",
                    20 if i % 4 == 0 else 10,
                )
        return True

    return op


def same_sql_op(pool: asyncpg.Pool):
    """The API's own statements for the same bodies (``repository.INSERT_ASSIGNMENT_SQL`` / ``INSERT_PAYMENT_SQL``:
    the entry written only when its organizer (and event) exist, the organizer's balances read back), one
    autocommit statement each — what a write without ``Idempotency-Key`` sends (``db.driver_statement``)."""
    from taquilla.director import repository
    from taquilla.director.service import allotment_cents, tickets_equivalent

    unit, amount = allotment_cents(10, Decimal("3.5"))
    standard, premium = tickets_equivalent(10, "standard", 2), tickets_equivalent(10, "premium", 2)

    async def op(i: int, worker: int) -> bool:
        org = f"org_{i % 50 + 1}"
        entry = "entry_" + uuid.uuid4().hex[:24]
        async with pool.acquire() as conn:
            if i % 2:
                rows = await conn.fetch(repository.INSERT_PAYMENT_SQL, entry, org, 1250, "mxn", "{}", "usr_bench")
                return bool(rows)
            rows = await conn.fetch(
                repository.INSERT_ASSIGNMENT_SQL, entry, org, "ev_prem" if i % 4 == 0 else "ev_std", "assign_loan", 10,
                standard, premium, unit, amount, "mxn", "{}", "usr_bench",
            )  # fmt: skip
            return rows[0][3] is not None

    return op


async def latency(http: httpx.AsyncClient, url: str, headers: dict[str, str], n: int, before=None) -> Stats:  # noqa: ANN001
    stats = Stats()
    t_all = time.perf_counter()
    for _ in range(n):
        if before is not None:
            await before()
        t0 = time.perf_counter()
        r = await http.get(url, headers=headers)
        if r.status_code == 200:
            stats.latencies.append(time.perf_counter() - t0)
        else:
            stats.errors += 1
    stats.wall = time.perf_counter() - t_all
    return stats


async def main(
    settings: Settings, ops: int, runs: int, profile: str | None = None, processes: int = 2, floor: bool = True, against: str | None = None,
    ledger: int = 0,
) -> None:
    dsn = driver_dsn(settings)
    await seed(dsn, ledger)
    api_tput, api_med, api_p99, drv_tput, drv_med, drv_p99, hit_med, miss_med, hit_p99, miss_p99, api_cpu = ([] for _ in range(11))
    same_tput, same_med, same_p99 = [], [], []
    floor_tput, floor_med, floor_p99, floor_cpu = [], [], [], []
    ag_tput, ag_med, ag_p99, ag_cpu = [], [], [], []
    loads: list[str] = []
    env = {"DB_POOL_SIZE": str(max(1, CONCURRENCY // processes)), "DB_MAX_OVERFLOW": "0"}  # 16 connections, as the driver's pool
    with live_servers(settings, count=processes, extra_env=env) as urls:
        base = urls[0]
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            token = (await http.post(f"{base}/api/v1/auth/login", json={"username": "bench", "password": "bench-password"})).json()["data"]["accessToken"]
            headers = {"Authorization": f"Bearer {token}"}
            redis = Redis.from_url(settings.redis_url)
            raw = MultiHttp(urls)
            pids = server_pids(urls)
            await run_load_raw(api_op(raw, headers), concurrency=CONCURRENCY, total=200)  # warm-up
            await raw.close()
            spy = None
            for r in range(runs):
                # fresh keep-alive connections per run: on a loaded machine an idle one can outlive
                # uvicorn's keep-alive timeout between runs, and RawHttp does not reconnect
                raw = MultiHttp(urls)
                loads.append(f"{os.getloadavg()[0]:.2f}")
                cpu0 = cpu_seconds(pids)
                if profile and r == 0:  # py-spy on the API processes during the first measured run
                    with PySpy(urls, profile) as spy:
                        a = await run_load_raw(api_op(raw, headers), concurrency=CONCURRENCY, total=ops)
                else:
                    a = await run_load_raw(api_op(raw, headers), concurrency=CONCURRENCY, total=ops)
                api_cpu.append((cpu_seconds(pids) - cpu0) / max(1, a.ok) * 1000)
                await raw.close()
                if against:  # the other tree's API processes, up only for their run
                    b = await _against_run(settings, processes, env, headers, ops, against, ag_cpu)
                    assert b.errors == 0, b.errors
                    ag_tput.append(b.throughput), ag_med.append(b.median_ms), ag_p99.append(b.p99_ms)
                if floor:  # the stack floor's own server, up only for its run (the shared server has max_connections 100)
                    f = await _floor_run(settings, processes, headers, ops, floor_cpu)
                    assert f.errors == 0, f.errors
                    floor_tput.append(f.throughput), floor_med.append(f.median_ms), floor_p99.append(f.p99_ms)
                pool = await _pool(dsn)  # only for the driver run: the shared server has max_connections 100
                d = await run_load_raw(driver_op(pool), concurrency=CONCURRENCY, total=ops)
                e = await run_load_raw(same_sql_op(pool), concurrency=CONCURRENCY, total=ops)
                await pool.close()
                assert a.errors == 0 and d.errors == 0 and e.errors == 0, (a.errors, d.errors, e.errors)
                same_tput.append(e.throughput), same_med.append(e.median_ms), same_p99.append(e.p99_ms)
                api_tput.append(a.throughput), api_med.append(a.median_ms), api_p99.append(a.p99_ms)
                drv_tput.append(d.throughput), drv_med.append(d.median_ms), drv_p99.append(d.p99_ms)
                await asyncio.sleep(1.0)  # let the debounced KPI refresh settle

                async def drop_cache() -> None:
                    keys = [k async for k in redis.scan_iter("director:overview:*")]
                    if keys:
                        await redis.delete(*keys)

                miss = await latency(http, f"{base}/director/overview", headers, 100, before=drop_cache)
                await http.get(f"{base}/director/overview", headers=headers)
                hit = await latency(http, f"{base}/director/overview", headers, 300)
                miss_med.append(miss.median_ms), miss_p99.append(miss.p99_ms)
                hit_med.append(hit.median_ms), hit_p99.append(hit.p99_ms)
            loads.append(f"{os.getloadavg()[0]:.2f}")
            await redis.aclose()
            rows = await _count(dsn)
    m = median_of_runs
    report(
        f"director writes, {CONCURRENCY} concurrent clients, {processes} API process(es), {ops} ops/run (50% assign, 50% payment), median of {runs} runs",
        [
            ("API throughput", f"{m(api_tput):.0f} writes/s  (median {m(api_med):.1f} ms, p99 {m(api_p99):.1f} ms)"),
            ("driver throughput", f"{m(drv_tput):.0f} writes/s  (median {m(drv_med):.1f} ms, p99 {m(drv_p99):.1f} ms)"),
            ("ratio API/driver", f"{m(api_tput) / m(drv_tput):.2f}  (driver is {m(drv_tput) / m(api_tput):.1f}x faster)"),
            ("the API's statements through the driver", f"{m(same_tput):.0f} writes/s  (median {m(same_med):.1f} ms, p99 {m(same_p99):.1f} ms)"),
            ("ratio API/the API's statements", f"{m(api_tput) / m(same_tput):.2f}"),
            ("API CPU per write", f"{m(api_cpu):.2f} ms  (user + system of the API processes during the measured runs{', py-spy attached in the first' if profile else ''})"),
            *([(f"API of {against} (same layout, same rounds)", f"{m(ag_tput):.0f} writes/s  (median {m(ag_med):.1f} ms, p99 {m(ag_p99):.1f} ms)"),
               ("its ratio to the driver; CPU per write", f"{m(ag_tput) / m(drv_tput):.2f}; {m(ag_cpu):.2f} ms"),
               ("this API / that API: throughput, CPU per write", f"{m(api_tput) / m(ag_tput):.2f}, {m(api_cpu) / m(ag_cpu):.2f}")] if ag_tput else []),
            *([("stack floor (bare ASGI app, the driver's INSERT, same uvicorn process count)",
                f"{m(floor_tput):.0f} writes/s  (median {m(floor_med):.1f} ms, p99 {m(floor_p99):.1f} ms)"),
               ("ratio API/floor, floor/driver", f"{m(api_tput) / m(floor_tput):.2f}, {m(floor_tput) / m(drv_tput):.2f}"),
               ("floor CPU per write", f"{m(floor_cpu):.2f} ms")] if floor_tput else []),
            ("load average (1 min) at each run's start, end", " ".join(loads)),
            ("overview uncached", f"median {m(miss_med):.2f} ms, p99 {m(miss_p99):.2f} ms"),
            ("overview cached", f"median {m(hit_med):.2f} ms, p99 {m(hit_p99):.2f} ms"),
            ("ratio uncached/cached", f"{m(miss_med) / m(hit_med):.2f}"),
            ("ledger rows at end", str(rows)),
        ],
    )
    if spy is not None:
        print_top("API process profile, first measured run", spy)


async def _against_run(
    settings: Settings, processes: int, env: dict[str, str], headers: dict[str, str], ops: int, src: str, cpu: list[float]
) -> Stats:
    """One measured run of another tree's API (``PYTHONPATH=src``, e.g. a worktree of an older commit's ``src``)
    with the same processes, pool, client and bodies, after a warm-up; appends its CPU per write (ms) to ``cpu``."""
    with live_servers(settings, count=processes, extra_env={**env, "PYTHONPATH": src}) as urls:
        raw = MultiHttp(urls)
        b = await warm_measured_run(api_op(raw, headers), server_pids(urls), concurrency=CONCURRENCY, warmup=200, total=ops, cpu=cpu)
        await raw.close()
    return b


async def _floor_run(settings: Settings, processes: int, headers: dict[str, str], ops: int, cpu: list[float]) -> Stats:
    """One measured run of the stack floor (:mod:`bench.stack_floor`: a bare ASGI app whose routes send the
    driver baseline's INSERT) under ``uvicorn --workers N``, the same client and bodies; appends its CPU
    per write (ms) to ``cpu``."""
    env = {"STACK_FLOOR_DSN": driver_dsn(settings), "STACK_FLOOR_POOL": str(max(1, CONCURRENCY // processes))}
    with api_server(settings, processes, app="bench.stack_floor:app", extra_env=env) as (base, pids):
        raw = RawHttp(base)
        f = await warm_measured_run(api_op(raw, headers), pids, concurrency=CONCURRENCY, warmup=200, total=ops, cpu=cpu)
        await raw.close()
    return f


async def _pool(dsn: str) -> asyncpg.Pool:
    """``CONCURRENCY`` connections; waits (≤ 2 min) while the shared server has no free connection slot."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)
        except asyncpg.TooManyConnectionsError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


async def _count(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM director_ledger_entries"))
    finally:
        await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2, help="API processes (uvicorn workers), clients spread over them")
    parser.add_argument("--profile", metavar="PREFIX", help="py-spy the API process during the first run; raw stacks in PREFIX-<pid>.txt")
    parser.add_argument("--no-floor", action="store_true", help="skip the stack floor (bench/stack_floor.py) runs")
    parser.add_argument("--against", metavar="SRC", help="also run another tree's API (PYTHONPATH=SRC) in every round (same schema only)")
    parser.add_argument("--ledger", type=int, default=0, help="entries per organizer written before the runs (50 organizers)")
    args = parser.parse_args()
    asyncio.run(main(bench_settings("taquilla_bench_director"), args.ops, args.runs, args.profile, args.processes, not args.no_floor,
                     args.against, args.ledger))
