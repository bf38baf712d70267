"""A mixed workload of every context for ``--seconds`` (default 600): throughput, p99, errors, memory.

``.venv/bin/python -m bench.bench_mixed [--seconds 600] [--clients 16] [--workers 2]``

``serve --workers N`` on a fresh database with the demo data; ``--clients`` closed-loop clients
(one keep-alive connection each) pick, by weight, one of:

* writes — a lottery sale (3 jugadas, the demo's restrictions active), a box-office sale of one
  general-admission place on a 1,000,000-place section, a banca↔ventana movement, a director payment;
* reads — a vendedor's ``/ventas/summary`` for today, a listero's month statement, the admin's
  ``/admin/dashboard/cxc`` for the month, the box office's event list, the director's overview.

It prints, per operation and in total: completed operations, throughput, median and p99
latency, refusals (4xx, by status: e.g. 429 when the anonymous box-office sale meets its rate
limit) and errors (5xx or no answer); the API workers' resident memory at
the start and at the end; the throughput of the last minute over the first (stability,
a ratio in the same run; 1.0 = no degradation); and the median latency of the last 100 movements over
the first 100 (they all land on one ventana's day: ~1 when a movement's cost does not grow with the day).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psutil

from bench.common import RawHttp, Stats, bench_settings, demo_server, login, report, server_pids
from taquilla.core.periods import CR_TZ

WEIGHTS = {
    "lottery_sale": 30, "boxoffice_sale": 10, "movement": 5, "director_payment": 5,
    "ventas_summary": 15, "statement": 10, "dashboard_cxc": 10, "boxoffice_events": 10, "director_overview": 5,
}


def _env(settings: Any) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
            "TAQUILLA_DATA_DIR": str(settings.data_dir), "LOG_LEVEL": "WARNING",
            # every client comes from 127.0.0.1: the per-address storefront limit would refuse most box-office sales
            "STOREFRONT_RATE_LIMIT": os.environ.get("STOREFRONT_RATE_LIMIT", "1000000/minute")}


def _setup(base: str) -> dict[str, Any]:
    """Tokens, an open sorteo per lotería tomorrow, and a 1,000,000-place section on sale."""
    admin = login(base, "admin", "taquilla-admin")
    ctx: dict[str, Any] = {"admin": admin, "listero": login(base, "listero1", "taquilla-listero"),
                           "vendedores": [login(base, f"vendedor{i}", "taquilla-vendedor") for i in range(1, 11)]}
    with httpx.Client(base_url=base, headers=admin, timeout=30) as http:
        at = datetime.combine(datetime.now(CR_TZ).date() + timedelta(days=2), datetime.min.time(), tzinfo=CR_TZ) + timedelta(hours=15)
        ctx["sorteos"] = []
        for lot in http.get("/api/v1/loterias").json()["data"]:
            s = http.post("/api/v1/sorteos", json={"loteriaId": lot["id"], "scheduledAt": at.astimezone(UTC).isoformat()}).json()["data"]
            http.patch(f"/api/v1/sorteos/{s['id']}/open").raise_for_status()
            ctx["sorteos"].append(s["id"])
        loc = http.post("/api/v1/boxoffice/locations", json={"name": "Estadio Mixto"}).json()["data"]
        sec = http.post("/api/v1/boxoffice/location-sections", json={"locationId": loc["id"], "name": "Gramilla", "capacity": 1_000_000}).json()["data"]
        pres = http.post("/api/v1/boxoffice/presentations", json={"locationId": loc["id"], "title": "Mixto"}).json()["data"]
        zone = http.post("/api/v1/boxoffice/presentation-sections", json={"presentationId": pres["id"], "name": "General", "price": 10, "currency": "crc"}).json()["data"]
        item = http.post("/api/v1/boxoffice/presentation-section-items", json={"presentationSectionId": zone["id"], "locationSectionId": sec["id"]}).json()["data"]
        ev = http.post("/api/v1/boxoffice/events", json={"presentationId": pres["id"], "startAt": (at + timedelta(days=30)).isoformat(), "status": "on_sale"}).json()["data"]
        ctx["event"], ctx["line"] = ev["id"], {"presentationSectionId": zone["id"], "presentationSectionItemId": item["id"]}
    return ctx


def _request(kind: str, ctx: dict[str, Any], rnd: random.Random, n: int) -> tuple[str, str, Any, dict[str, str]]:
    today = datetime.now(CR_TZ).date().isoformat()
    if kind == "lottery_sale":
        jugadas = [{"number": f"{rnd.randrange(100):02d}", "amount": rnd.choice([100, 200, 500]), "type": "NUMERO"} for _ in range(3)]
        return "POST", "/api/v1/tickets", {"sorteoId": rnd.choice(ctx["sorteos"]), "jugadas": jugadas}, rnd.choice(ctx["vendedores"])
    if kind == "boxoffice_sale":
        return "POST", "/api/v1/boxoffice/tickets", {"eventId": ctx["event"], "customerDocument": "1-1111-1111",
                                                     "customerName": "Mixto", "ticketDetails": [ctx["line"]]}, {}
    if kind == "movement":
        return "POST", "/api/v1/accounts/payment", {"date": today, "ventanaId": "ven_demo_2", "amount": 10, "type": "payment",
                                                    "method": "cash", "idempotencyKey": f"mixed-{n}"}, ctx["admin"]
    if kind == "director_payment":
        return "POST", "/director/payments", {"organizerId": "org_demo", "amount": 10, "currency": "mxn"}, ctx["admin"]
    if kind == "ventas_summary":
        return "GET", "/api/v1/ventas/summary?date=today&scope=mine", None, rnd.choice(ctx["vendedores"])
    if kind == "statement":
        return "GET", "/api/v1/accounts/statement?date=month&dimension=ventana", None, ctx["listero"]
    if kind == "dashboard_cxc":
        return "GET", "/api/v1/admin/dashboard/cxc?date=month", None, ctx["admin"]
    if kind == "boxoffice_events":
        return "GET", "/api/v1/boxoffice/events", None, ctx["admin"]
    return "GET", "/director/overview", None, ctx["admin"]


def _rss_mb(pids: list[int]) -> float:
    return sum(psutil.Process(p).memory_info().rss for p in pids) / 2**20


async def _run(base: str, ctx: dict[str, Any], seconds: float, clients: int) -> tuple[dict[str, Stats], dict[str, int], list[int]]:
    http = RawHttp(base)
    stats: dict[str, Stats] = defaultdict(Stats)
    refused: dict[str, int] = defaultdict(int)
    per_minute: list[int] = [0] * (int(seconds // 60) + 1)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    start = time.perf_counter()
    counter = iter(range(10**12))

    async def client(w: int) -> None:
        rnd = random.Random(w)
        while (elapsed := time.perf_counter() - start) < seconds:
            kind = rnd.choices(kinds, weights)[0]
            method, path, body, headers = _request(kind, ctx, rnd, next(counter))
            t0 = time.perf_counter()
            try:
                status, _ = await http.request(w, method, path, body, headers)
            except Exception:  # noqa: BLE001 - no answer: an error, on a fresh connection next time
                http._conns.pop(w, None)
                stats[kind].errors += 1
                continue
            if status < 400:
                stats[kind].latencies.append(time.perf_counter() - t0)
                per_minute[int(elapsed // 60)] += 1
            elif status < 500:
                refused[f"{kind} {status}"] += 1
            else:
                stats[kind].errors += 1

    await asyncio.gather(*(client(w) for w in range(clients)))
    for s in stats.values():
        s.wall = time.perf_counter() - start
    await http.close()
    return stats, refused, per_minute


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 600)))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = bench_settings("taquilla_bench_mixed")
    with demo_server(_env(settings), args.workers) as base:
        ctx = _setup(base)
        pids = sorted(set(server_pids([base] * (8 * args.workers))))
        rss_start = _rss_mb(pids)
        stats, refused, per_minute = asyncio.run(_run(base, ctx, args.seconds, args.clients))
        rss_end = _rss_mb(pids)
    total = Stats(latencies=[x for s in stats.values() for x in s.latencies], errors=sum(s.errors for s in stats.values()),
                  wall=max(s.wall for s in stats.values()))
    def refusals(kind: str) -> str:
        return ", ".join(f"{k.split()[1]}×{v}" for k, v in sorted(refused.items()) if k.split()[0] == kind) or "0"

    rows = [(k, f"{s.ok:>7} ok  {s.throughput:7.1f}/s  median {s.median_ms:6.1f} ms  p99 {s.p99_ms:7.1f} ms  "
                f"refused {refusals(k)}  errors {s.errors}") for k, s in sorted(stats.items())]
    rows.append(("ALL", f"{total.ok:>7} ok  {total.throughput:7.1f}/s  median {total.median_ms:6.1f} ms  p99 {total.p99_ms:7.1f} ms  "
                        f"refused {sum(refused.values())}  errors {total.errors}"))
    moves = stats["movement"].latencies if "movement" in stats else []  # completion order, all on one ventana's day
    if len(moves) >= 200:
        first, last = statistics.median(moves[:100]) * 1000, statistics.median(moves[-100:]) * 1000
        rows.append(("movement, first / last 100", f"median {first:.1f} → {last:.1f} ms (×{last / first:.2f}; "
                                                   f"the day's movements grow to {len(moves)})"))
    full = [m for m in per_minute[: int(args.seconds // 60)] if m] or per_minute[:1]
    rows.append(("memory (workers' RSS)", f"{rss_start:.0f} MB at start → {rss_end:.0f} MB at end ({len(pids)} processes)"))
    rows.append(("stability", f"last minute / first minute = {full[-1] / full[0]:.2f}" if len(full) > 1 and full[0] else "run < 2 minutes"))
    report(f"mixed workload: {args.seconds:.0f} s, {args.clients} clients, serve --workers {args.workers}", rows)
    print(json.dumps({"throughput": round(total.throughput, 1), "p99_ms": round(total.p99_ms, 1), "errors": total.errors,
                      "rss_start_mb": round(rss_start), "rss_end_mb": round(rss_end)}))


if __name__ == "__main__":
    main()
