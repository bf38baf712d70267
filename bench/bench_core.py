"""Per-request CPU of the application itself (issue 13, "Shared per-request cost (core)").

Drives the ASGI app in-process — no uvicorn, no sockets on the HTTP side, one request at a time —
and reports the CPU (``time.process_time``) per request of:

* ``POST /director/assign`` / ``/director/payments`` (50/50, admin token): middleware stack, route
  matching, dependencies (auth with its Redis GET, session, idempotency), one statement, envelope;
* ``GET /healthz``: the framework floor (middleware stack, matching, metrics, envelope; no I/O).

``--against SRC`` runs the same measurement with ``PYTHONPATH=SRC`` (e.g. an export of an older
commit's ``src``: ``git archive <commit> src | tar -x -C /tmp/old``) in alternation with the current
tree, ``--rounds`` times each, and prints both series and the ratio of their medians — the
comparison is made in the same run, because the shared machine's load moves absolute figures.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/8 \\
      .venv/bin/python -m bench.bench_core --requests 2000 --rounds 3 --against /tmp/old/src
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.common import bench_settings, driver_dsn

DATABASE = "taquilla_bench_core"


async def call(app: Any, method: str, path: str, body: Any = None, headers: list[tuple[str, str]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """One request through the ASGI app; returns ``{"status", "body"}``."""
    raw = json.dumps(body).encode() if body is not None else b""
    hdrs = [(b"host", b"bench"), (b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    hdrs += [(k.lower().encode(), v.encode()) for k, v in headers]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": hdrs,
             "client": ("127.0.0.1", 1), "server": ("bench", 80), "state": {}}  # fmt: skip
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    out: dict[str, Any] = {"body": b""}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return out


def _write(i: int) -> tuple[str, dict[str, Any]]:
    org = f"org_{i % 50 + 1}"
    if i % 2:
        return "/director/payments", {"organizerId": org, "amount": 12.5, "currency": "mxn"}
    return "/director/assign", {"organizerId": org, "eventId": "ev_std", "type": "loan", "tickets": 10, "price": 3.5}


async def measure(settings: Any, n: int) -> dict[str, float]:
    """CPU µs per write and per ``/healthz`` of the ``taquilla`` on ``sys.path`` (after a warm-up)."""
    from bench.bench_director import seed
    from taquilla.main import create_app

    await seed(driver_dsn(settings))
    app = create_app(settings.model_copy(update={"log_level": "WARNING"}))
    async with app.router.lifespan_context(app):
        r = await call(app, "POST", "/api/v1/auth/login", {"username": "bench", "password": "bench-password"})
        auth = [("Authorization", f"Bearer {json.loads(r['body'])['data']['accessToken']}")]
        for i in range(200):
            assert (await call(app, "POST", *_write(i), auth))["status"] == 201
            await call(app, "GET", "/healthz")
        c0 = time.process_time()
        for i in range(n):
            assert (await call(app, "POST", *_write(i), auth))["status"] == 201
        c1 = time.process_time()
        for _ in range(n):
            await call(app, "GET", "/healthz")
        c2 = time.process_time()
    return {"write_us": (c1 - c0) / n * 1e6, "healthz_us": (c2 - c1) / n * 1e6, "load": os.getloadavg()[0]}


def _child(src: str | None, n: int) -> dict[str, float]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    out = subprocess.run([sys.executable, "-m", "bench.bench_core", "--child", "--requests", str(n)], env=env,
                         capture_output=True, text=True, check=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", metavar="SRC", help="another tree's src/ to measure in alternation (PYTHONPATH)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        settings = bench_settings(DATABASE)  # runs its own event loop (and Alembic): before asyncio.run
        print(json.dumps(asyncio.run(measure(settings, args.requests))))
        return
    series: dict[str, list[dict[str, float]]] = {"current": [], "against": []}
    for _ in range(args.rounds):
        series["current"].append(_child(None, args.requests))
        if args.against:
            series["against"].append(_child(args.against, args.requests))
    print(f"== per-request CPU in-process, {args.requests} requests per round, {args.rounds} rounds (µs of process CPU)")
    for name, runs in series.items():
        if not runs:
            continue
        w = [r["write_us"] for r in runs]
        h = [r["healthz_us"] for r in runs]
        print(f"  {name:8s} director write  median {statistics.median(w):6.0f}  runs {' '.join(f'{x:.0f}' for x in w)}")
        print(f"  {name:8s} GET /healthz    median {statistics.median(h):6.0f}  runs {' '.join(f'{x:.0f}' for x in h)}")
        loads = " ".join(f"{r['load']:.2f}" for r in runs)
        print(f"  {name:8s} load (1 min)    {loads}")
    if series["against"]:
        med = {k: {m: statistics.median(r[m] for r in v) for m in ("write_us", "healthz_us")} for k, v in series.items()}
        print(f"  ratio current/against: write {med['current']['write_us'] / med['against']['write_us']:.2f}, "
              f"healthz {med['current']['healthz_us'] / med['against']['healthz_us']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
