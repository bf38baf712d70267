"""Mayorizations benchmark (issue 9).

In one run against one live API process (embedded PostgreSQL/Valkey unless DATABASE_URL/REDIS_URL):

* **calculate**: ``POST /api/v1/accounts/{accountId}/mayorizations/calculate`` for the busiest
  ventana's account over one calendar month of the scaled dataset (``--tickets``, default
  200,000 tickets / 600,000 jugadas, the ``--network-scale`` generator). Each call refreshes the
  OPEN record (one statement: account in scope, period sums from the rollup, upsert, owner's
  name) — target ≤ 20 ms median. Beside it, in the same run: plain SQL of the same work the naive
  way (the month's sums over the fact tables, jugadas ⋈ tickets, + an upsert of the record, one
  transaction), the API's own statement through the driver (``repository.CALCULATE_SQL``, its own
  transaction, as the API sends it) and ``GET /api/v1/auth/me`` (the floor of any authenticated
  request: middleware, token, user read, envelope).
* **history**: ``GET /api/v1/accounts/mayorizations/history`` (a year's range, page of 20, ordered by
  ``debtAmount``) with 10,000 records, beside plain SQL (the summary aggregate + the ordered page
  with owner names, two statements).

Each figure is the median of ``--runs`` repetitions of ``--n`` sequential requests (median and p95 of
each run). Requests go through ``bench.common.RawHttp`` (a few tens of µs of client CPU; httpx's 1–2 ms
would be charged to the API on this 2-core box; ``--client httpx`` for the old way). ``--profile PREFIX``
records the API process with py-spy during one calculate run. The load average is printed. Run:
``.venv/bin/python -m bench.bench_mayorizations [--tickets 200000] [--records 10000] [--runs 3] [--n 50] [--profile /tmp/maj]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

import asyncpg
import httpx
from rich.console import Console

from bench.common import (
    PySpy,
    RawHttp,
    Stats,
    bench_settings,
    driver_dsn,
    live_servers,
    median_of_runs,
    print_top,
    report,
)
from taquilla.core.settings import Settings

PASSWORD = "bench-password"

FACTS_SUMS_SQL = """
SELECT COALESCE(SUM(j.amount_cents), 0), COALESCE(SUM(j.payout_cents), 0), COALESCE(SUM(j.listero_commission_cents), 0)
  FROM network_jugadas j JOIN network_tickets t ON t.id = j.ticket_id
 WHERE t.ventana_id = $1 AND t.business_date BETWEEN $2 AND $3 AND t.status <> 'CANCELLED'
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


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


class _Client:
    """``status(method, path)`` of one request: RawHttp (keep-alive, tiny client CPU) or httpx."""

    def __init__(self, base: str, headers: dict[str, str], kind: str) -> None:
        self.base, self.headers, self.kind = base, headers, kind
        self.raw = RawHttp(base) if kind == "raw" else None
        self.http = httpx.AsyncClient(timeout=60) if kind == "httpx" else None

    async def status(self, method: str, path: str) -> int:
        if self.raw is not None:
            try:
                return (await self.raw.request(0, method, path, None, self.headers))[0]
            except (IndexError, ConnectionError, asyncio.IncompleteReadError):  # the server closed an idle keep-alive
                await self.raw.close()
                return (await self.raw.request(0, method, path, None, self.headers))[0]
        assert self.http is not None
        return (await self.http.request(method, self.base + path, headers=self.headers)).status_code

    async def close(self) -> None:
        if self.raw is not None:
            await self.raw.close()
        if self.http is not None:
            await self.http.aclose()


async def main(settings: Settings, tickets: int, records: int, runs: int, n: int, client: str, profile: str | None) -> None:
    from taquilla.core.periods import month_range
    from taquilla.core.security import hash_password
    from taquilla.datagen.network_scale import generate
    from taquilla.network.mayorizations.repository import CALCULATE_SQL

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
    series: dict[str, list[Stats]] = {k: [] for k in ("calc_api", "calc_facts", "calc_stmt", "floor", "hist_api", "hist_sql")}
    load_start = _load()
    with live_servers(settings, count=1) as (base,):
        async with httpx.AsyncClient(timeout=60) as http:
            token = (await http.post(f"{base}/api/v1/auth/login", json={"username": "mbadmin", "password": PASSWORD})).json()["data"]["accessToken"]
            h = {"Authorization": f"Bearer {token}"}
            path = f"/api/v1/accounts/{account}/mayorizations/calculate?fromDate={mr.start}&toDate={mr.end}"
            first = (await http.post(base + path, headers=h)).json()["data"]
        api = _Client(base, h, client)

        async def api_calc() -> bool:
            return await api.status("POST", path) == 201

        async def facts_once() -> bool:  # a period of its own, so the API's record is untouched
            async with conn.transaction():
                s, p, c = await conn.fetchrow(FACTS_SUMS_SQL, ventana, mr.start, mr.end)
                net = s - p - c
                await conn.execute(UPSERT_SQL, "maj_sqlfacts", account, ventana, mr.start + timedelta(days=1), mr.end,
                                   s, p, c, net, _status(net), abs(net))
            return True

        async def stmt_once() -> bool:  # the API's own statement, its own transaction (another period)
            row = await conn.fetchrow(CALCULATE_SQL, account, mr.start + timedelta(days=2), mr.end, None, None, "maj_sqlstmt", "bench")
            return row["id"] is not None

        async def api_floor() -> bool:  # the smallest authenticated request: the fixed cost of any API call
            return await api.status("GET", "/api/v1/auth/me") == 200

        for fn in (api_calc, facts_once, stmt_once, api_floor):
            await timed(5, fn)
        for r in range(runs):
            series["floor"].append(await timed(n, api_floor))
            if profile and r == 0:
                with PySpy([base], profile) as spy:
                    series["calc_api"].append(await timed(n, api_calc))
                print_top("calculate: API process", spy)
            else:
                series["calc_api"].append(await timed(n, api_calc))
            series["calc_facts"].append(await timed(n, facts_once))
            series["calc_stmt"].append(await timed(n, stmt_once))

        year = datetime.now(UTC).year + 1  # a year of its own: only the seeded records
        await seed_records(conn, records, year)
        hpath = (f"/api/v1/accounts/mayorizations/history?period=range&fromDate={year}-01-01&toDate={year}-12-31"
                 "&orderBy=debtAmount&pageSize=20")
        async with httpx.AsyncClient(timeout=60) as http:
            body = (await http.get(base + hpath, headers=h)).json()
        assert body["pagination"]["total"] == records, body["pagination"]

        async def api_hist() -> bool:
            return await api.status("GET", hpath) == 200

        async def sql_hist() -> bool:
            await conn.fetchrow(HISTORY_SUMMARY_SQL, date(year, 1, 1), date(year, 12, 31))
            await conn.fetch(HISTORY_PAGE_SQL, date(year, 1, 1), date(year, 12, 31))
            return True

        await timed(5, api_hist), await timed(5, sql_hist)
        for _ in range(runs):
            series["hist_api"].append(await timed(n, api_hist))
            series["hist_sql"].append(await timed(n, sql_hist))
        await api.close()
    assert not any(st.errors for v in series.values() for st in v), {k: [st.errors for st in v] for k, v in series.items()}
    await conn.close()

    def med(key: str) -> float:
        return median_of_runs([st.median_ms for st in series[key]])

    def fig(key: str) -> str:
        p95 = median_of_runs([st.pct(95) * 1000 for st in series[key]])
        runs_txt = ", ".join(f"{st.median_ms:.2f}" for st in series[key])
        return f"median {med(key):6.2f} ms   p95 {p95:6.2f} ms   (run medians {runs_txt})"

    load = f"load average (1/5/15 min) {load_start} at start, {_load()} at end; client {client}"
    report(
        f"calculate, one ventana-month ({n_month:,} tickets of {tickets:,}; dataset generated in {gen_s:.0f} s; "
        f"net {first['netOperative']} {first['debtStatus']}), median of {runs} runs × {n}; {load}",
        [
            ("API (one statement: refresh of the OPEN record)", fig("calc_api")),
            ("plain SQL over the facts + upsert", fig("calc_facts")),
            ("the API's statement through the driver", fig("calc_stmt")),
            ("floor: GET /api/v1/auth/me in the same run", fig("floor")),
            ("API − floor (the calculate's own cost)", f"{med('calc_api') - med('floor'):.2f} ms"),
            ("ratio API/plain SQL over facts", f"{med('calc_api') / med('calc_facts'):.2f}"),
            ("ratio API/driver", f"{med('calc_api') / med('calc_stmt'):.2f}"),
        ],
    )
    report(
        f"history, {records:,} records, page of 20 by debtAmount + summary over all, median of {runs} runs × {n}",
        [
            ("API (one statement)", fig("hist_api")),
            ("plain SQL (summary + page with names)", fig("hist_sql")),
            ("API − floor", f"{med('hist_api') - med('floor'):.2f} ms"),
            ("ratio API/SQL", f"{med('hist_api') / med('hist_sql'):.2f}"),
        ],
    )

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--profile", default=None, help="py-spy output prefix (one calculate run)")
    args = parser.parse_args()
    asyncio.run(main(bench_settings("taquilla_bench_mayorizations"), args.tickets, args.records, args.runs, args.n,
                     args.client, args.profile))
