"""Sales network benchmark (issue 4).

In one run against one live API server of ``--workers`` processes (default 2, as ``taquilla serve
--workers 2``: one port, uvicorn's worker processes) and embedded PostgreSQL/Valkey unless
DATABASE_URL/REDIS_URL:

* **sales**: lottery tickets sold per second through ``POST /api/v1/tickets`` by 32
  concurrent vendedores (each its own token and connection, 3 jugadas per ticket, the front
  end's body with ``loteriaId``; median and p99 latency) with active restrictions (a banca
  ``maxAmount``, a ventana ``maxTotal`` on every number — so every sale checks the per-number
  sums — and a user rule), beside **the API's own statements through the driver** (the
  sale's context and write statements of ``sales.repository``, one transaction per sale, asyncpg
  pool of 32: the same SQL work, without HTTP, auth, validation or Python rules — the ratio
  API/driver) and the plain SQL of the same facts (INSERT ticket + 3 jugadas) — the ratio API/SQL;
  the load average of the machine over the run is printed beside them (2 shared cores), and what the
  database's backends did during the first API and driver runs (``WaitSampler``: ``Lock:…`` = queued on a
  row or transaction lock, ``client`` = idle in transaction, waiting for the API);
  ``--profile`` samples the API processes with py-spy during one extra API run and prints the
  hottest frames;
* **statement**: ``GET /api/v1/accounts/statement?dimension=ventana&ventanaId=…&month=…`` on the
  scaled dataset (``--tickets``, default 200,000 tickets / 600,000 jugadas, generated with the
  ``--network-scale`` generator), beside the plain SQL over the fact tables (per-day sums of the
  ventana's tickets for the month + its movements) — the ratio API/SQL.

Each figure is the median of ``--runs`` repetitions (API, driver and plain SQL alternate). Run:
``.venv/bin/python -m bench.bench_network [--sales 3000] [--tickets 200000] [--runs 3] [--sales-only] [--workers 2] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from rich.console import Console

from bench.common import (
    RawHttp,
    Stats,
    WaitSampler,
    api_server,
    bench_settings,
    cpu_seconds,
    driver_dsn,
    median_of_runs,
    report,
    run_load_raw,
    top_frames,
    warm_measured_run,
)
from taquilla.core.settings import Settings

CONCURRENCY = 32
PASSWORD = "bench-password"
FAILURES = [0]


async def seed_sales(dsn: str, restrictions: bool = True) -> tuple[str, list[str]]:
    """A banca, 4 ventanas, 32 vendedores, one lotería and one OPEN sorteo tomorrow; returns (sorteo, usernames)."""
    from taquilla.core.security import hash_password

    pw = hash_password(PASSWORD)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("INSERT INTO bancas (id, code, name, commission_policy) VALUES ('ban_b', 'BB', 'Banca', '{\"percent\": 5}')")
        for v in range(4):
            await conn.execute("INSERT INTO ventanas (id, banca_id, code, name, commission_policy) VALUES ($1, 'ban_b', $2, $2, '{\"percent\": 10}')",
                               f"ven_b{v}", f"VB{v}")
            await conn.execute("INSERT INTO network_accounts (id, owner_type, owner_id, ventana_id) VALUES ($1, 'VENTANA', $2, $2)", f"acc_vb{v}", f"ven_b{v}")
        users = []
        for i in range(CONCURRENCY):
            uid, ven = f"usr_b{i}", f"ven_b{i % 4}"
            await conn.execute("INSERT INTO users (id, username, password_hash, role, ventana_id) VALUES ($1, $2, $3, 'VENDEDOR', $4)",
                               uid, f"bv{i}", pw, ven)
            await conn.execute("INSERT INTO vendedores (id, ventana_id, code, name, commission_policy) VALUES ($1, $2, $3, $3, '{\"percent\": 8}')",
                               uid, ven, f"BV{i}")
            users.append(f"bv{i}")
        await conn.execute("INSERT INTO users (id, username, password_hash, role) VALUES ('usr_badmin', 'badmin', $1, 'ADMIN')", pw)
        await conn.execute("INSERT INTO loterias (id, name, base_multiplier_x, reventado_enabled) VALUES ('lot_b', 'Bench', 90, true)")
        at = datetime.now(UTC) + timedelta(days=1)
        from taquilla.core.periods import cr_date_of

        await conn.execute("INSERT INTO sorteos (id, loteria_id, name, scheduled_at, sales_cutoff_at, business_date, status)"
                           " VALUES ('sor_b', 'lot_b', 'Bench', $1, $2, $3, 'OPEN')", at, at - timedelta(minutes=1), cr_date_of(at))
        # active restrictions: every sale resolves them, and the ventana maxTotal (every number) takes the locked sums
        if not restrictions:
            return "sor_b", users
        await conn.execute("INSERT INTO network_restrictions (id, banca_id, max_amount_cents) VALUES ('rst_b1', 'ban_b', 100000)")
        for v in range(4):
            await conn.execute("INSERT INTO network_restrictions (id, ventana_id, max_total_cents) VALUES ($1, $2, 10000000000)",
                               f"rst_bv{v}", f"ven_b{v}")
        await conn.execute("INSERT INTO network_restrictions (id, user_id, number, max_amount_cents) VALUES ('rst_bu', 'usr_b0', '13', 60000)")
        return "sor_b", users
    finally:
        await conn.close()


def api_sale(raw: RawHttp, tokens: list[dict[str, str]], sorteo: str):
    async def op(i: int, worker: int) -> bool:
        rnd = random.Random(i)
        body = {"loteriaId": "lot_b", "sorteoId": sorteo,
                "jugadas": [{"type": "NUMERO", "number": f"{rnd.randint(0, 99):02d}", "amount": rnd.choice([100, 200, 500])} for _ in range(3)]}
        try:
            status, resp = await raw.request(worker, "POST", "/api/v1/tickets", body, tokens[worker])
        except (ConnectionError, asyncio.IncompleteReadError, IndexError, ValueError):
            raw._conns.pop(worker, None)  # the server closed an idle keep-alive connection: reconnect once
            status, resp = await raw.request(worker, "POST", "/api/v1/tickets", body, tokens[worker])
        if status != 201 and FAILURES[0] < 3:
            FAILURES[0] += 1
            print("sale failed:", status, resp[:300])
        return status == 201

    return op


def sql_sale(pool: asyncpg.Pool, day, base: int):
    async def op(i: int, worker: int) -> bool:
        rnd = random.Random(i)
        tid = "tkt_" + uuid.uuid4().hex[:24]
        amounts = [rnd.choice([100, 200, 500]) * 100 for _ in range(3)]
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO network_tickets (id, ticket_number, business_date, sorteo_id, loteria_id, ventana_id, vendedor_id, status,"
                " total_amount_cents, commission_cents, listero_commission_cents, created_by)"
                " VALUES ($1, $2, $3, 'sor_b', 'lot_b', $4, $5, 'ACTIVE', $6, $7, $8, 'bench')",
                tid, base + i, day, f"ven_b{worker % 4}", f"usr_b{worker}", sum(amounts), sum(amounts) * 8 // 100, sum(amounts) // 10,
            )
            await conn.executemany(
                "INSERT INTO network_jugadas (id, ticket_id, sorteo_id, number, bet_type, amount_cents, multiplier_x, commission_percent,"
                " commission_cents, listero_commission_percent, listero_commission_cents) VALUES ($1, $2, 'sor_b', $3, 'NUMERO', $4, 90, 8, $5, 10, $6)",
                [("jug_" + uuid.uuid4().hex[:24], tid, f"{rnd.randint(0, 99):02d}", a, a * 8 // 100, a // 10) for a in amounts],
            )
        return True

    return op


def driver_sale(pool: asyncpg.Pool):
    """The API's own sale statements (``sales.repository.SALE_CONTEXT_SQL`` and ``SELL_SQL``) through the
    driver, one transaction per sale, without HTTP, auth, validation, the Python rules or the ORM session:
    what the hot path costs in the database."""
    from decimal import Decimal

    from taquilla.network.sales.repository import SALE_CONTEXT_SQL, SELL_SQL

    async def op(i: int, worker: int) -> bool:
        rnd = random.Random(i)
        numbers = [f"{rnd.randint(0, 99):02d}" for _ in range(3)]
        amounts = [rnd.choice([100, 200, 500]) * 100 for _ in range(3)]
        vendedor, ventana = f"usr_b{worker}", f"ven_b{worker % 4}"
        tid = "tkt_" + uuid.uuid4().hex[:24]
        async with pool.acquire() as conn, conn.transaction():
            ctx = await conn.fetchrow(SALE_CONTEXT_SQL, vendedor, "sor_b", sorted(set(numbers)))
            total = sum(amounts)
            await conn.fetchrow(
                SELL_SQL, tid, ctx[21], ctx[10], "sor_b", "lot_b", ventana, vendedor, total, total * 8 // 100, total // 10,
                vendedor, ["jug_" + uuid.uuid4().hex[:24] for _ in numbers], numbers, ["NUMERO"] * 3, amounts,
                [ctx[15]] * 3, [Decimal(8)] * 3, [a * 8 // 100 for a in amounts], [Decimal(10)] * 3, [a // 10 for a in amounts],
                "ban_b", ctx[26] > 0,
            )
        return True

    return op


@contextlib.contextmanager
def py_spy(pids: list[int], prefix: str):
    """Record the API processes with py-spy (``raw`` collapsed stacks, one file per pid, only samples holding
    the GIL: where the processes spend CPU in Python) while the block runs; yields the files (none without py-spy)."""
    import shutil

    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    files: list[str] = []
    procs = []
    if Path(exe).exists():
        for pid in pids:
            files.append(f"{prefix}-{pid}.txt")
            procs.append(subprocess.Popen([exe, "record", "--pid", str(pid), "--rate", "200", "--gil", "--format", "raw",
                                           "--output", files[-1]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.0)
    try:
        yield files
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def load_average() -> str:
    """The 1-minute load average (2 cores shared with other work)."""
    return f"{os.getloadavg()[0]:.2f}"


STATEMENT_SQL = """
SELECT business_date, SUM(total_amount_cents) AS sales, SUM(payout_cents) AS payouts,
       SUM(listero_commission_cents) AS listero, SUM(commission_cents) AS vendedor, SUM(paid_cents) AS paid_to_customer, COUNT(*) AS tickets
  FROM network_tickets
 WHERE ventana_id = $1 AND business_date BETWEEN $2 AND $3 AND status <> 'CANCELLED'
 GROUP BY business_date ORDER BY business_date
"""
MOVEMENTS_SQL = """
SELECT date, SUM(CASE WHEN type = 'collection' THEN amount_cents ELSE 0 END), SUM(CASE WHEN type = 'payment' THEN amount_cents ELSE 0 END)
  FROM network_movements WHERE ventana_id = $1 AND date BETWEEN $2 AND $3 AND NOT is_reversed GROUP BY date
"""


async def _floor_run(settings: Settings, workers: int, tokens: list[dict[str, str]], sorteo: str, sales: int,
                     cpu: list[float]) -> Stats:
    """One measured run of the stack floor (:mod:`bench.stack_floor`) under ``uvicorn --workers N``: the same
    client, bodies and headers as the API run (plus ``X-Vendedor``), the driver baseline's SQL; appends its
    CPU per ticket (ms) to ``cpu``."""
    env = {"STACK_FLOOR_DSN": driver_dsn(settings), "STACK_FLOOR_POOL": str(CONCURRENCY // workers)}
    headers = [{**t, "X-Vendedor": f"usr_b{w}"} for w, t in enumerate(tokens)]
    with api_server(settings, workers, app="bench.stack_floor:app", extra_env=env) as (base, pids):
        raw = RawHttp(base)
        await raw.spread(CONCURRENCY, workers)  # 16 connections on each process; the warm-up prepares the statements
        f = await warm_measured_run(api_sale(raw, headers, sorteo), pids, concurrency=CONCURRENCY, warmup=300, total=sales, cpu=cpu)
        await raw.close()
    return f


async def _against_run(settings: Settings, workers: int, tokens: list[dict[str, str]], sorteo: str, sales: int, src: str,
                       cpu: list[float]) -> Stats:
    """One measured API run of another tree (``PYTHONPATH=src``, e.g. an export of an older commit's ``src``)
    under the same ``uvicorn --workers N``, client and bodies, after a warm-up; appends its CPU per ticket (ms)."""
    with api_server(settings, workers, extra_env={"PYTHONPATH": src}) as (base, pids):
        raw = RawHttp(base)
        await raw.spread(CONCURRENCY, workers)
        b = await warm_measured_run(api_sale(raw, tokens, sorteo), pids, concurrency=CONCURRENCY, warmup=300, total=sales, cpu=cpu)
        await raw.close()
    return b


async def timed(n: int, fn) -> Stats:
    stats = Stats()
    t_all = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        if await fn():
            stats.latencies.append(time.perf_counter() - t0)
        else:
            stats.errors += 1
    stats.wall = time.perf_counter() - t_all
    return stats


async def main(settings: Settings, sales: int, tickets: int, runs: int, sales_only: bool = False, restrictions: bool = True,
               workers: int = 2, profile: bool = False, floor: bool = True,
               against: str | None = None) -> None:
    dsn = driver_dsn(settings)
    sorteo, users = await seed_sales(dsn, restrictions)
    api_tput, api_med, api_p99, sql_tput, sql_med, sql_p99 = ([] for _ in range(6))
    drv_tput, drv_med, drv_p99 = [], [], []
    st_api_med, st_api_p99, st_sql_med, st_sql_p99 = ([] for _ in range(4))
    loads: list[str] = []
    splits: list[str] = []  # the API run's connections per process
    api_cpu: list[float] = []
    floor_tput, floor_med, floor_p99, floor_cpu = [], [], [], []
    ag_tput, ag_med, ag_p99, against_cpu = [], [], [], []
    spy_files: list[str] = []
    waits = ("", "")
    with api_server(settings, workers) as (base, pids):
        async with httpx.AsyncClient(timeout=60) as http:
            tokens = []
            for u in users:
                r = await http.post(f"{base}/api/v1/auth/login", json={"username": u, "password": PASSWORD})
                tokens.append({"Authorization": f"Bearer {r.json()['data']['accessToken']}"})
            admin = (await http.post(f"{base}/api/v1/auth/login", json={"username": "badmin", "password": PASSWORD})).json()["data"]["accessToken"]
            admin_h = {"Authorization": f"Bearer {admin}"}
            raw = RawHttp(base)
            await run_load_raw(api_sale(raw, tokens, sorteo), concurrency=CONCURRENCY, total=300)  # warm-up (opens the day's counter)
            from datetime import date as _date

            for r_ in range(runs):
                await raw.close()  # idle through the other runs, uvicorn closed them (keep-alive timeout)
                splits.append("/".join(map(str, await raw.spread(CONCURRENCY, workers))))
                loads.append(load_average())
                cpu0 = cpu_seconds(pids)
                async with WaitSampler(dsn) as wa:
                    a = await run_load_raw(api_sale(raw, tokens, sorteo), concurrency=CONCURRENCY, total=sales)
                api_cpu.append((cpu_seconds(pids) - cpu0) / max(1, a.ok) * 1000)
                if against:  # the other tree's API under the same layout, up only for its run
                    b = await _against_run(settings, workers, tokens, sorteo, sales, against, against_cpu)
                    assert b.errors == 0, b.errors
                    ag_tput.append(b.throughput), ag_med.append(b.median_ms), ag_p99.append(b.p99_ms)
                if floor:  # the stack floor's own server, up only for its run (the shared server has max_connections 100)
                    f = await _floor_run(settings, workers, tokens, sorteo, sales, floor_cpu)
                    assert f.errors == 0, f.errors
                    floor_tput.append(f.throughput), floor_med.append(f.median_ms), floor_p99.append(f.p99_ms)
                pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)
                d = await run_load_raw(sql_sale(pool, _date(2000, 1, 1), (r_ + 1) * 10_000_000), concurrency=CONCURRENCY, total=sales)
                async with WaitSampler(dsn) as wd:
                    v = await run_load_raw(driver_sale(pool), concurrency=CONCURRENCY, total=sales)
                await pool.close()
                if r_ == 0:
                    waits = (wa.summary(5), wd.summary(5))
                assert a.errors == 0 and d.errors == 0 and v.errors == 0, (a.errors, d.errors, v.errors)
                drv_tput.append(v.throughput), drv_med.append(v.median_ms), drv_p99.append(v.p99_ms)
                api_tput.append(a.throughput), api_med.append(a.median_ms), api_p99.append(a.p99_ms)
                sql_tput.append(d.throughput), sql_med.append(d.median_ms), sql_p99.append(d.p99_ms)
            loads.append(load_average())
            if profile:
                with py_spy(pids, "/tmp/bench-network-sale") as spy_files:
                    await run_load_raw(api_sale(raw, tokens, sorteo), concurrency=CONCURRENCY, total=sales)
            await raw.close()
            if not sales_only:
                n_tickets, gen_s = await _statement_runs(settings, http, base, admin_h, tickets, runs, st_api_med, st_api_p99,
                                                         st_sql_med, st_sql_p99)
    m = median_of_runs
    report(
        f"lottery sales, {CONCURRENCY} concurrent vendedores, 3 jugadas/ticket, {'active' if restrictions else 'no'} restrictions, "
        f"{sales} tickets/run, API server of {workers} processes, median of {runs} runs",
        [
            ("API throughput", f"{m(api_tput):.0f} tickets/s  (median {m(api_med):.1f} ms, p99 {m(api_p99):.1f} ms)"),
            ("plain SQL throughput", f"{m(sql_tput):.0f} tickets/s  (median {m(sql_med):.1f} ms, p99 {m(sql_p99):.1f} ms)"),
            ("ratio API/SQL", f"{m(api_tput) / m(sql_tput):.2f}"),
            ("the API's statements through the driver", f"{m(drv_tput):.0f} tickets/s  (median {m(drv_med):.1f} ms, p99 {m(drv_p99):.1f} ms)"),
            ("ratio API/driver", f"{m(api_tput) / m(drv_tput):.2f}"),
            ("CPU of the API processes per ticket", f"{m(api_cpu):.2f} ms"),
            *([("stack floor (bare ASGI app, same SQL, same uvicorn layout)",
                f"{m(floor_tput):.0f} tickets/s  (median {m(floor_med):.1f} ms, p99 {m(floor_p99):.1f} ms)"),
               ("ratio API/floor, floor/driver", f"{m(api_tput) / m(floor_tput):.2f}, {m(floor_tput) / m(drv_tput):.2f}"),
               ("CPU of the floor processes per ticket", f"{m(floor_cpu):.2f} ms")] if floor_tput else []),
            *([(f"API of {against} (same layout, same rounds)",
                f"{m(ag_tput):.0f} tickets/s  (median {m(ag_med):.1f} ms, p99 {m(ag_p99):.1f} ms)"),
               ("its ratio to the driver; CPU per ticket", f"{m(ag_tput) / m(drv_tput):.2f}; {m(against_cpu):.2f} ms"),
               ("this API / that API: throughput, CPU per ticket",
                f"{m(api_tput) / m(ag_tput):.2f}, {m(api_cpu) / m(against_cpu):.2f}")] if ag_tput else []),
            ("load average (1 min) at each run's start, end", " ".join(loads)),
            ("connections per API process, each API run", " ".join(splits)),
            ("database backends in the first API run", waits[0]),
            ("database backends in the first driver run", waits[1]),
        ],
    )
    if spy_files:
        own, incl = top_frames(spy_files, 40)
        print(f"\n== py-spy of the API processes during one more API run ({' '.join(spy_files)}; shares of all samples)")
        skeleton = max((share for _, share in incl), default=0) * 0.8  # the server's own frames, under every request
        for title, rows in (("self", own), ("inclusive (below the server's skeleton)", [r for r in incl if r[1] < skeleton])):
            print(f"  {title}:")
            for f, share in rows[:18]:
                print(f"    {share * 100:5.1f}%  {f}")
    if sales_only:
        return
    report(
        f"statement of one ventana-month ({n_tickets:,} tickets of {tickets:,}; dataset generated in {gen_s:.0f} s), median of {runs} runs",
        [
            ("API (rollup)", f"median {m(st_api_med):.2f} ms, p99 {m(st_api_p99):.2f} ms"),
            ("plain SQL over facts", f"median {m(st_sql_med):.2f} ms, p99 {m(st_sql_p99):.2f} ms"),
            ("ratio API/SQL", f"{m(st_api_med) / m(st_sql_med):.2f}"),
        ],
    )


async def _statement_runs(settings: Settings, http: httpx.AsyncClient, base: str, admin_h: dict[str, str], tickets: int,
                          runs: int, st_api_med: list, st_api_p99: list, st_sql_med: list, st_sql_p99: list) -> tuple[int, float]:
    """The statement benchmark on the scaled dataset; appends the figures; returns (tickets of the month, generation s)."""
    from taquilla.datagen.network_scale import generate

    t0 = time.perf_counter()
    await asyncio.to_thread(generate, settings, tickets, Console())
    gen_s = time.perf_counter() - t0
    conn = await asyncpg.connect(driver_dsn(settings))
    ventana = await conn.fetchval("SELECT ventana_id FROM network_tickets WHERE ventana_id LIKE 'ven_sc%' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    month_day = await conn.fetchval("SELECT max(business_date) FROM network_tickets WHERE ventana_id = $1", ventana)
    from taquilla.core.periods import month_range

    mr = month_range(month_day)
    n_tickets = await conn.fetchval("SELECT count(*) FROM network_tickets WHERE ventana_id = $1 AND business_date BETWEEN $2 AND $3", ventana, mr.start, mr.end)
    url = f"{base}/api/v1/accounts/statement?dimension=ventana&ventanaId={ventana}&month={month_day:%Y-%m}"

    async def api_once() -> bool:
        return (await http.get(url, headers=admin_h)).status_code == 200

    async def sql_once() -> bool:
        await conn.fetch(STATEMENT_SQL, ventana, mr.start, mr.end)
        await conn.fetch(MOVEMENTS_SQL, ventana, mr.start, mr.end)
        return True

    await timed(5, api_once), await timed(5, sql_once)
    for _ in range(runs):
        s_api, s_sql = await timed(50, api_once), await timed(50, sql_once)
        st_api_med.append(s_api.median_ms), st_api_p99.append(s_api.p99_ms)
        st_sql_med.append(s_sql.median_ms), st_sql_p99.append(s_sql.p99_ms)
    await conn.close()
    return n_tickets, gen_s


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sales", type=int, default=3000)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sales-only", action="store_true", help="skip the statement benchmark (no scaled dataset)")
    parser.add_argument("--no-restrictions", action="store_true", help="sell without the active restrictions (comparison)")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes (taquilla serve --workers N)")
    parser.add_argument("--profile", action="store_true", help="py-spy the API processes during one more API run")
    parser.add_argument("--no-floor", action="store_true", help="skip the stack floor (bench/stack_floor.py) runs")
    parser.add_argument("--against", metavar="SRC", help="also run another tree's API (PYTHONPATH=SRC) in every round")
    args = parser.parse_args()
    asyncio.run(main(bench_settings("taquilla_bench_network"), args.sales, args.tickets, args.runs, args.sales_only,
                     not args.no_restrictions, args.workers, args.profile, not args.no_floor, args.against))
