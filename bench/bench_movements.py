"""Movements on one account-day: does the 2,000th movement of a day cost more than the first?

``.venv/bin/python -m bench.bench_movements [--movements 2000] [--clients 4] [--workers 2]``

``taquilla serve --workers N`` on a fresh database with the demo data; ``--clients``
closed-loop clients (one keep-alive connection each) record ``--movements`` banca↔ventana pagos of
₡10 on one ventana (``ven_demo_2``) and today's CR date, each with an ``idempotencyKey`` (as
``bench_mixed``'s movement): all of them write the same day's rollup row, so they run one at a time
behind its row lock, and a movement's latency is its own cost plus the lock hold of the ones queued
before it.

Every other movement is a **control**: another ventana (``ven_demo_1``) on a day of last
year that holds at most a few movements, i.e. what a movement costs at the same moment when its day is
small (the box is shared: the load moves during a run).

It prints the median and p99 latency and the answer's size of the first and of the last 100
movements of each kind (completion order, after 10 unmeasured movements per client, all at once, on
yesterday's date), last/first for each, and **day / control** — ~1 when a movement's cost and lock
hold do not grow with the day's movements; what the database backends were doing
(``bench.common.WaitSampler``: ``Lock:…`` = waiting for a row); the load average (1 min) before and
after; and checks that the day's statement counts every movement (``totalPaid``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from bench.common import RawHttp, WaitSampler, bench_settings, demo_server, driver_dsn, login, report
from taquilla.core.periods import CR_TZ
from tests.live import server_env

VENTANA = "ven_demo_2"
CONTROL = "ven_demo_1"


def _p99(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(len(xs) * 0.99) - 1)] if xs else 0.0


Done = dict[str, list[tuple[float, int]]]


async def _run(base: str, dsn: str, headers: dict[str, str], total: int, clients: int) -> tuple[Done, int, str, float]:
    """``{"day"|"control": [(latency s, answer bytes)]}`` in completion order, errors, the wait summary, wall seconds.

    Movement ``i`` goes, by turns, to the measured account-day (``VENTANA``, today) or to the control:
    ``CONTROL`` on a day of last year that holds at most a few movements (another ventana, other rows).
    """
    http = RawHttp(base)
    today = datetime.now(CR_TZ).date()
    last_year = date(today.year - 1, 1, 1)
    done: Done = {"day": [], "control": []}
    errors = 0
    counter = iter(range(2 * total))

    async def client(w: int) -> None:
        nonlocal errors
        for i in counter:
            kind = "control" if i % 2 else "day"
            day = (last_year + timedelta(days=i // 2 % 365)).isoformat() if i % 2 else today.isoformat()
            body = {"date": day, "ventanaId": CONTROL if i % 2 else VENTANA, "amount": 10, "type": "payment",
                    "method": "cash", "idempotencyKey": f"bench-movements-{i}"}
            t0 = time.perf_counter()
            status, raw = await http.request(w, "POST", "/api/v1/accounts/payment", body, headers)
            if status == 201:
                done[kind].append((time.perf_counter() - t0, len(raw)))
            else:
                errors += 1

    # warm-up, not measured, all clients at once (each worker's pool then holds as many connections, each with
    # its prepared statements, as the run needs), on another day
    yesterday = (today - timedelta(days=1)).isoformat()

    async def warm(w: int) -> None:
        for i in range(10):
            await http.request(w, "POST", "/api/v1/accounts/payment", {
                "date": yesterday, "ventanaId": VENTANA, "amount": 10, "type": "payment", "method": "cash",
                "idempotencyKey": f"bench-movements-warm-{w}-{i}"}, headers)

    await asyncio.gather(*(warm(w) for w in range(clients)))
    t0 = time.perf_counter()
    async with WaitSampler(dsn) as waits:
        await asyncio.gather(*(client(w) for w in range(clients)))
    wall = time.perf_counter() - t0
    await http.close()
    return done, errors, waits.summary(), wall


def _day(base: str, headers: dict[str, str]) -> dict[str, Any]:
    """Today's statement of the ventana (``GET /accounts/statement``; zeros when the day has no activity yet)."""
    today = datetime.now(CR_TZ).date().isoformat()
    days = httpx.get(base + "/api/v1/accounts/statement", headers=headers, timeout=120,
                     params={"date": today, "dimension": "ventana", "ventanaId": VENTANA}).json()["data"]["statements"]
    return days[0] if days else {"totalPaid": 0, "movements": []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = bench_settings("taquilla_bench_movements")
    load_before = os.getloadavg()[0]
    with demo_server(server_env(settings), args.workers) as base:
        headers = login(base, "admin", "taquilla-admin")
        before = _day(base, headers)
        done, errors, waits, wall = asyncio.run(_run(base, driver_dsn(settings), headers, args.movements, args.clients))
        st = _day(base, headers)
    load_after = os.getloadavg()[0]
    day, control = done["day"], done["control"]
    n = min(100, len(day) // 2, len(control) // 2)

    def med(part: list[tuple[float, int]]) -> float:
        return statistics.median(x for x, _ in part) * 1000

    def line(part: list[tuple[float, int]]) -> str:
        return (f"median {med(part):7.1f} ms  p99 {_p99([x for x, _ in part]) * 1000:7.1f} ms  "
                f"answer {statistics.median(b for _, b in part) / 1024:7.1f} KB")

    growth, control_growth = med(day[-n:]) / med(day[:n]), med(control[-n:]) / med(control[:n])
    rows = [
        (f"day: first {n}", line(day[:n])),
        (f"day: last {n}", line(day[-n:])),
        (f"control: first {n}", line(control[:n])),
        (f"control: last {n}", line(control[-n:])),
        ("last / first (median)", f"day {growth:.2f}, control {control_growth:.2f} → day / control {growth / control_growth:.2f}"),
        ("all", f"{len(day) + len(control)} ok, {errors} errors, {(len(day) + len(control)) / wall:.1f} movements/s"),
        ("database backends", waits),
        ("load average (1 min)", f"{load_before:.2f} before, {load_after:.2f} after"),
        ("day statement (GET)", f"{len(st['movements'])} movements listed, totalPaid {st['totalPaid']} "
                                f"(before the run: {len(before['movements'])}, {before['totalPaid']})"),
    ]
    report(f"{args.movements} movements on one account-day (+ as many controls): {args.clients} clients, "
           f"{args.workers} API workers", rows)
    print(json.dumps({"day_first_ms": round(med(day[:n]), 1), "day_last_ms": round(med(day[-n:]), 1),
                      "control_first_ms": round(med(control[:n]), 1), "control_last_ms": round(med(control[-n:]), 1),
                      "growth": round(growth / control_growth, 2), "errors": errors,
                      "load_before": round(load_before, 2), "load_after": round(load_after, 2)}))
    assert float(st["totalPaid"]) == float(before["totalPaid"]) + 10 * len(day), "the statement lost a movement"
    assert len(st["movements"]) == len(before["movements"]) + len(day), "the statement lost a movement"


if __name__ == "__main__":
    main()
