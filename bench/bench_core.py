"""Per-request CPU of the application itself (issue 13, "Shared per-request cost (core)").

Drives the ASGI app in-process — no uvicorn, no sockets on the HTTP side, one request at a time —
and reports the CPU (``time.process_time``) per request of:

* ``POST /director/assign`` / ``/director/payments`` (50/50, admin token): middleware stack, route
  matching, dependencies (auth with its Redis GET, session, idempotency), one statement, envelope;
* ``POST /api/v1/tickets``: the lottery sale of ``bench_network`` (vendedor token, 3 jugadas);
* ``POST /api/v1/boxoffice/tickets``: one general-admission place of ``bench_boxoffice`` (``Idempotency-Key``);
* ``GET /healthz``: the framework floor (middleware stack, matching, metrics, envelope; no I/O).

On uvloop (uvicorn's loop), in batches of 50 requests: the mean and the best batch per path.
``--profile PREFIX`` records the current tree's first round with py-spy (``PREFIX-<kind>.txt``).

``--against SRC`` runs the same measurement with ``PYTHONPATH=SRC`` (e.g. an export of an older
commit's ``src``: ``git archive <commit> src | tar -x -C /tmp/old``) in a second child process at the
same time as the current tree's (each on its own database), ``--rounds`` times, and prints both series
and the ratio of their medians — the two share whatever loads the machine at that moment (run one after
the other, their ratio followed the box's load, by up to ±30 %).

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
KINDS = {"write_us": "director write", "sale_us": "lottery sale", "box_us": "box-office sale", "healthz_us": "GET /healthz"}


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


def _sale(i: int) -> dict[str, Any]:
    """The lottery sale's body of ``bench_network`` (3 jugadas)."""
    import random

    rnd = random.Random(i)
    return {"loteriaId": "lot_b", "sorteoId": "sor_b",
            "jugadas": [{"type": "NUMERO", "number": f"{rnd.randint(0, 99):02d}", "amount": rnd.choice([100, 200, 500])} for _ in range(3)]}


def _box(i: int) -> dict[str, Any]:
    """One general-admission place of ``bench_boxoffice`` (the 1,000,000-place section)."""
    from bench.bench_boxoffice import event_id, order

    return order("ga", event_id("ga", 8, "api"), i)


async def measure(settings: Any, n: int, spy: str | None = None, warmup: int = 100) -> dict[str, float]:
    """CPU µs per director write, lottery sale, box-office sale and ``/healthz`` of the ``taquilla`` on
    ``sys.path`` (after a warm-up); ``spy``: py-spy records this process during the measured loops
    (``<spy>-<path kind>.txt``)."""
    import uuid

    from bench import bench_boxoffice, bench_network
    from bench.bench_director import seed
    from taquilla.main import create_app

    await bench_boxoffice.seed(driver_dsn(settings))
    await seed(driver_dsn(settings))
    await bench_network.seed_sales(driver_dsn(settings))
    app = create_app(settings.model_copy(update={"log_level": "WARNING", "storefront_rate_limit": "100000000/minute"}))
    out: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        r = await call(app, "POST", "/api/v1/auth/login", {"username": "bench", "password": "bench-password"})
        auth = [("Authorization", f"Bearer {json.loads(r['body'])['data']['accessToken']}")]
        r = await call(app, "POST", "/api/v1/auth/login", {"username": "bv1", "password": bench_network.PASSWORD})
        vend = [("Authorization", f"Bearer {json.loads(r['body'])['data']['accessToken']}")]
        kinds = {
            "write_us": lambda i: call(app, "POST", *_write(i), auth),
            "sale_us": lambda i: call(app, "POST", "/api/v1/tickets", _sale(i), vend),
            "box_us": lambda i: call(app, "POST", "/api/v1/boxoffice/tickets", _box(i), [("Idempotency-Key", uuid.uuid4().hex)]),
            "healthz_us": lambda i: call(app, "GET", "/healthz"),
        }
        for kind, fn in kinds.items():
            for i in range(warmup):
                got = await fn(10_000_000 + i)
                assert got["status"] in (200, 201), (kind, got)
        for kind, fn in kinds.items():
            batches = []  # CPU per request of batches of 50: the lowest is the least disturbed by the shared box
            with _spy(spy, kind):
                for b in range(0, n, 50):
                    c0 = time.process_time()
                    for i in range(b, min(n, b + 50)):
                        await fn(i)
                    batches.append((time.process_time() - c0) / (min(n, b + 50) - b) * 1e6)
            out[kind] = statistics.mean(batches)
            out[kind + "_min"] = min(batches)
    out["load"] = os.getloadavg()[0]
    return out


class _spy:
    """py-spy on this process while the block runs (nothing when ``prefix`` is None)."""

    def __init__(self, prefix: str | None, kind: str) -> None:
        self.prefix, self.kind, self.proc = prefix, kind, None

    def __enter__(self) -> None:
        if self.prefix:
            exe = os.path.join(os.path.dirname(sys.executable), "py-spy")
            self.proc = subprocess.Popen([exe, "record", "--pid", str(os.getpid()), "--rate", "500", "--gil", "--format", "raw", "--output",
                                          f"{self.prefix}-{self.kind}.txt"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            import signal

            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=30)


def _children(srcs: list[str | None], n: int, spy: str | None = None) -> list[dict[str, float]]:
    """Measure each tree (``None`` = this one) in its own child process, **all at the same time** (each on its
    own database): they share whatever else loads the box, so their ratio holds while the load moves."""
    procs = []
    for k, src in enumerate(srcs):
        env = dict(os.environ, BENCH_CORE_DB=f"{DATABASE}_{k}")
        if spy and src is None:
            env["BENCH_CORE_SPY"] = spy
        if src:
            env["PYTHONPATH"] = src
        procs.append(subprocess.Popen([sys.executable, "-m", "bench.bench_core", "--child", "--requests", str(n)], env=env,
                                      stdout=subprocess.PIPE, text=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # fmt: skip
    outs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        raise RuntimeError("a measuring child failed")
    return [json.loads(o.strip().splitlines()[-1]) for o in outs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", metavar="SRC", help="another tree's src/ to measure side by side, at the same time (PYTHONPATH)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", metavar="PREFIX", help="py-spy the current tree's first round: PREFIX-<kind>.txt, top frames printed")
    args = parser.parse_args()
    if args.child:
        settings = bench_settings(os.environ.get("BENCH_CORE_DB", DATABASE))  # runs its own event loop (and Alembic): before asyncio.run
        import uvloop  # the event loop uvicorn runs the API on (uvicorn[standard])

        print(json.dumps(uvloop.run(measure(settings, args.requests, os.environ.get("BENCH_CORE_SPY")))))
        return
    series: dict[str, list[dict[str, float]]] = {"current": [], "against": []}
    for _ in range(args.rounds):
        got = _children([None, args.against] if args.against else [None], args.requests, args.profile if not series["current"] else None)
        series["current"].append(got[0])
        if args.against:
            series["against"].append(got[1])
    print(f"== per-request CPU in-process, {args.requests} requests per round, {args.rounds} rounds (µs of process CPU)")
    for name, runs in series.items():
        if not runs:
            continue
        for kind, label in KINDS.items():
            xs = [r[kind] for r in runs if kind in r]
            lows = [r.get(kind + "_min", r[kind]) for r in runs if kind in r]
            if xs:
                print(f"  {name:8s} {label:16s} median {statistics.median(xs):6.0f}  runs {' '.join(f'{x:.0f}' for x in xs)}"
                      f"  | best batch of 50: min {min(lows):6.0f}  runs {' '.join(f'{x:.0f}' for x in lows)}")
        loads = " ".join(f"{r['load']:.2f}" for r in runs)
        print(f"  {name:8s} load (1 min)    {loads}")
    if series["against"]:
        ratios = []
        for kind, label in KINDS.items():
            cur, old = [r[kind] for r in series["current"] if kind in r], [r[kind] for r in series["against"] if kind in r]
            cur_low = [r.get(kind + "_min", r[kind]) for r in series["current"] if kind in r]
            old_low = [r.get(kind + "_min", r[kind]) for r in series["against"] if kind in r]
            if cur and old:
                ratios.append(f"{label.strip()} {statistics.median(cur) / statistics.median(old):.2f} (best batches {min(cur_low) / min(old_low):.2f})")
        print("  ratio current/against: " + ", ".join(ratios))
    if args.profile:
        from bench.common import top_frames

        for kind in KINDS:
            own, incl = top_frames([f"{args.profile}-{kind}.txt"], 25)
            if own:
                print(f"\n== py-spy, {KINDS[kind].strip()} ({args.profile}-{kind}.txt)")
                for title, rows in (("self", own), ("inclusive", incl)):
                    print(f"  {title}:")
                    for f, share in rows:
                        print(f"    {share * 100:5.1f}%  {f}")


if __name__ == "__main__":
    main()
