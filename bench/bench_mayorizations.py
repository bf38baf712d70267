"""Mayorizations benchmark (issue 9).

In one run against one live API process (embedded PostgreSQL/Valkey unless DATABASE_URL/REDIS_URL):

* **calculate**: ``POST /api/v1/accounts/{accountId}/mayorizations/calculate`` for the busiest
  ventana's account over one calendar month of the scaled dataset (``--tickets``, default
  200,000 tickets / 600,000 jugadas, the ``--network-scale`` generator). Each call refreshes the
  OPEN record (insert-or-lock, period sums from the rollup, update) — target ≤ 20 ms median.
  Beside it, in the same run: plain SQL of the same work the naive way (the month's sums over
  the fact tables, jugadas ⋈ tickets, + an upsert of the record) and the API's own statements
  through the driver (the rollup sums + the upsert), each one transaction.
* **history**: ``GET /api/v1/accounts/mayorizations/history`` (a year's range, page of 20, ordered by
  ``debtAmount``) with 10,000 records, beside plain SQL (the summary aggregate + the ordered page
  with owner names, two statements).

Each figure is the median of ``--runs`` repetitions of ``--n`` sequential requests. Run:
``.venv/bin/python -m bench.bench_mayorizations [--tickets 200000] [--records 10000] [--runs 3] [--n 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, date, datetime, timedelta

import asyncpg
import httpx
from rich.console import Console

from bench.common import (
    Stats,
    bench_settings,
    driver_dsn,
    live_servers,
    median_of_runs,
    report,
)
from taquilla.core.settings import Settings

PASSWORD = "bench-password"

FACTS_SUMS_SQL = """
SELECT COALESCE(SUM(j.amount_cents), 0), COALESCE(SUM(j.payout_cents), 0), COALESCE(SUM(j.listero_commission_cents), 0)
  FROM network_jugadas j JOIN network_tickets t ON t.id = j.ticket_id
 WHERE t.ventana_id = $1 AND t.business_date BETWEEN $2 AND $3 AND t.status <> 'CANCELLED'
"""
ROLLUP_SUMS_SQL = """
SELECT COALESCE(SUM(sales_cents), 0), COALESCE(SUM(payouts_cents), 0), COALESCE(SUM(listero_commission_cents), 0)
  FROM network_daily_rollups WHERE ventana_id = $1 AND business_date BETWEEN $2 AND $3
"""
UPSERT_SQL = """
INSERT INTO network_mayorizations (id, account_id, owner_type, owner_id, ventana_id, from_date, to_date, total_sales_cents,
    total_prizes_cents, total_commission_cents, net_operative_cents, debt_status, debt_amount_cents, created_by)
VALUES ($1, $2, 'VENTANA', $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'bench')
ON CONFLICT (account_id, from_date, to_date) DO UPDATE SET total_sales_cents = EXCLUDED.total_sales_cents,
    total_prizes_cents = EXCLUDED.total_prizes_cents, total_commission_cents = EXCLUDED.total_commission_cents,
    net_operative_cents = EXCLUDED.net_operative_cents, debt_status = EXCLUDED.debt_status,
    debt_amount_cents = EXCLUDED.debt_amount_cents, updated_at = now()
 WHERE network_mayorizations.status = 'OPEN'
"""
HISTORY_SUMMARY_SQL = """
SELECT count(*), COALESCE(SUM(debt_amount_cents), 0), COALESCE(SUM(settled_amount_cents), 0)
  FROM network_mayorizations WHERE to_date BETWEEN $1 AND $2
"""
HISTORY_PAGE_SQL = """
SELECT m.*, COALESCE(v.code, d.code) AS owner_code, COALESCE(v.name, d.name) AS owner_name
  FROM (SELECT * FROM network_mayorizations WHERE to_date BETWEEN $1 AND $2
         ORDER BY debt_amount_cents DESC, created_at DESC, id DESC LIMIT 20) m
  LEFT JOIN ventanas v ON m.owner_type = 'VENTANA' AND v.id = m.owner_id
  LEFT JOIN vendedores d ON m.owner_type = 'VENDEDOR' AND d.id = m.owner_id
 ORDER BY m.debt_amount_cents DESC, m.created_at DESC, m.id DESC
"""


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


def _status(net: int) -> str:
    return "CXC" if net > 0 else "CXP" if net < 0 else "BALANCE"


async def seed_records(conn: asyncpg.Connection, n: int, year: int) -> None:
    """``n`` records over the dataset's accounts: daily periods of ``year`` per account (COPY), a tenth SETTLED."""
    accounts = await conn.fetch("SELECT id, owner_type, owner_id, ventana_id FROM network_accounts ORDER BY id")
    rng, rows, day0 = random.Random(9), [], date(year, 1, 1)
    for i in range(n):
        a = accounts[i % len(accounts)]
        day = day0 + timedelta(days=(i // len(accounts)) % 365)
        net = rng.randint(-5_000_000, 5_000_000)
        settled = i % 10 == 0 and net != 0
        rows.append((f"maj_bench{i:08d}", a["id"], a["owner_type"], a["owner_id"], a["ventana_id"],
                     a["owner_id"] if a["owner_type"] == "VENDEDOR" else None, day, day, abs(net) * 3, abs(net), net // 20, net,
                     _status(net), abs(net), "SETTLED" if settled else "OPEN", day if settled else None,
                     abs(net) if settled else None, ("PAYMENT" if net > 0 else "COLLECTION") if settled else None, "bench"))
    await conn.copy_records_to_table("network_mayorizations", records=rows, columns=[
        "id", "account_id", "owner_type", "owner_id", "ventana_id", "vendedor_id", "from_date", "to_date", "total_sales_cents",
        "total_prizes_cents", "total_commission_cents", "net_operative_cents", "debt_status", "debt_amount_cents", "status",
        "settled_date", "settled_amount_cents", "settlement_type", "created_by"])
    await conn.execute("ANALYZE network_mayorizations")


async def main(settings: Settings, tickets: int, records: int, runs: int, n: int) -> None:
    from taquilla.core.periods import month_range
    from taquilla.core.security import hash_password
    from taquilla.datagen.network_scale import generate

    t0 = time.perf_counter()
    await asyncio.to_thread(generate, settings, tickets, Console())
    gen_s = time.perf_counter() - t0
    conn = await asyncpg.connect(driver_dsn(settings))
    await conn.execute("INSERT INTO users (id, username, password_hash, role) VALUES ('usr_mbadmin', 'mbadmin', $1, 'ADMIN')",
                       hash_password(PASSWORD))
    ventana = await conn.fetchval("SELECT ventana_id FROM network_tickets GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    account = await conn.fetchval("SELECT id FROM network_accounts WHERE owner_type = 'VENTANA' AND owner_id = $1", ventana)
    mr = month_range(await conn.fetchval("SELECT max(business_date) FROM network_tickets WHERE ventana_id = $1", ventana))
    n_month = await conn.fetchval("SELECT count(*) FROM network_tickets WHERE ventana_id = $1 AND business_date BETWEEN $2 AND $3",
                                  ventana, mr.start, mr.end)
    calc_api, calc_facts, calc_rollup, hist_api, hist_sql, floor = ([] for _ in range(6))
    with live_servers(settings, count=1) as (base,):
        async with httpx.AsyncClient(timeout=60) as http:
            token = (await http.post(f"{base}/api/v1/auth/login", json={"username": "mbadmin", "password": PASSWORD})).json()["data"]["accessToken"]
            h = {"Authorization": f"Bearer {token}"}
            url = f"{base}/api/v1/accounts/{account}/mayorizations/calculate?fromDate={mr.start}&toDate={mr.end}"
            first = (await http.post(url, headers=h)).json()["data"]

            async def api_calc() -> bool:
                return (await http.post(url, headers=h)).status_code == 201

            async def sql_calc(sums_sql: str, other_start: date):
                async def once() -> bool:  # a period of its own, so the API's record is untouched
                    async with conn.transaction():
                        s, p, c = await conn.fetchrow(sums_sql, ventana, mr.start, mr.end)
                        net = s - p - c
                        await conn.execute(UPSERT_SQL, f"maj_sql{other_start:%Y%m%d}", account, ventana, other_start, mr.end,
                                           s, p, c, net, _status(net), abs(net))
                    return True
                return once

            facts_once = await sql_calc(FACTS_SUMS_SQL, mr.start + timedelta(days=1))
            rollup_once = await sql_calc(ROLLUP_SUMS_SQL, mr.start + timedelta(days=2))
            async def api_floor() -> bool:  # the smallest authenticated request: the fixed cost of any API call
                return (await http.get(f"{base}/api/v1/auth/me", headers=h)).status_code == 200

            for fn in (api_calc, facts_once, rollup_once, api_floor):
                await timed(5, fn)
            for _ in range(runs):
                floor.append((await timed(n, api_floor)).median_ms)
                calc_api.append((await timed(n, api_calc)).median_ms)
                calc_facts.append((await timed(n, facts_once)).median_ms)
                calc_rollup.append((await timed(n, rollup_once)).median_ms)

            year = datetime.now(UTC).year + 1  # a year of its own: only the seeded records
            await seed_records(conn, records, year)
            hurl = (f"{base}/api/v1/accounts/mayorizations/history?period=range&fromDate={year}-01-01&toDate={year}-12-31"
                    "&orderBy=debtAmount&pageSize=20")
            body = (await http.get(hurl, headers=h)).json()
            assert body["pagination"]["total"] == records, body["pagination"]

            async def api_hist() -> bool:
                return (await http.get(hurl, headers=h)).status_code == 200

            async def sql_hist() -> bool:
                await conn.fetchrow(HISTORY_SUMMARY_SQL, date(year, 1, 1), date(year, 12, 31))
                await conn.fetch(HISTORY_PAGE_SQL, date(year, 1, 1), date(year, 12, 31))
                return True

            await timed(5, api_hist), await timed(5, sql_hist)
            for _ in range(runs):
                hist_api.append((await timed(n, api_hist)).median_ms)
                hist_sql.append((await timed(n, sql_hist)).median_ms)
    await conn.close()
    m = median_of_runs
    report(
        f"calculate, one ventana-month ({n_month:,} tickets of {tickets:,}; dataset generated in {gen_s:.0f} s; "
        f"net {first['netOperative']} {first['debtStatus']}), median of {runs} runs × {n}",
        [
            ("API (rollup, refresh of the OPEN record)", f"median {m(calc_api):.2f} ms"),
            ("plain SQL over the facts + upsert", f"median {m(calc_facts):.2f} ms"),
            ("the API's statements through the driver (rollup + upsert)", f"median {m(calc_rollup):.2f} ms"),
            ("ratio API/plain SQL over facts", f"{m(calc_api) / m(calc_facts):.2f}"),
            ("ratio API/driver", f"{m(calc_api) / m(calc_rollup):.2f}"),
            ("floor: GET /api/v1/auth/me in the same run", f"median {m(floor):.2f} ms"),
        ],
    )
    report(
        f"history, {records:,} records, page of 20 by debtAmount + summary over all, median of {runs} runs × {n}",
        [
            ("API", f"median {m(hist_api):.2f} ms"),
            ("plain SQL (summary + page with names)", f"median {m(hist_sql):.2f} ms"),
            ("ratio API/SQL", f"{m(hist_api) / m(hist_sql):.2f}"),
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(bench_settings("taquilla_bench_mayorizations"), args.tickets, args.records, args.runs, args.n))
