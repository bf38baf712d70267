"""Shared benchmark machinery: infrastructure, a live server, a load loop and statistics.

Benchmarks run with ``.venv/bin/python -m bench.<name>`` from the repository root
(or all of them with ``.venv/bin/python -m bench``). Each compares the API against
a baseline measured in the same run (a ratio), because the machine is noisy.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from taquilla.core.infra import recreate_database, resolve_endpoints, start_embedded_postgres, to_async_url, to_driver_url, with_database  # noqa: E402
from taquilla.core.migrate import upgrade_head  # noqa: E402
from taquilla.core.settings import Settings  # noqa: E402
from tests.live import live_servers  # noqa: E402,F401  (re-exported for benchmarks)


def bench_settings(database: str = "taquilla_bench") -> Settings:
    """Settings for a freshly created, migrated ``database`` (embedded servers unless DATABASE_URL/REDIS_URL).

    Call it before ``asyncio.run`` (it runs its own event loop and Alembic).
    """
    data_dir = Path(os.environ.get("TAQUILLA_DATA_DIR", ROOT / ".taquilla"))
    admin = os.environ.get("DATABASE_URL") or start_embedded_postgres(data_dir)
    asyncio.run(recreate_database(admin, database))
    ep = resolve_endpoints(to_async_url(with_database(admin, database)), os.environ.get("REDIS_URL", ""), data_dir, database)
    upgrade_head(ep.database_url)
    return Settings(DATABASE_URL=ep.database_url, REDIS_URL=ep.redis_url, TAQUILLA_DATA_DIR=data_dir, LOG_LEVEL="WARNING")


def driver_dsn(settings: Settings) -> str:
    """The asyncpg DSN of ``settings.database_url``."""
    return to_driver_url(settings.database_url)


@dataclass
class Stats:
    """Latencies (seconds) of successful operations and the wall time of the run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    wall: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.ok / self.wall if self.wall else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p99_ms(self) -> float:
        return self.pct(99) * 1000


async def run_load(op: Callable[[int], Awaitable[bool]], *, concurrency: int, total: int) -> Stats:
    """Run ``op(i)`` for i in ``range(total)`` with ``concurrency`` workers; ``op`` returns success."""
    return await run_load_raw(lambda i, _w: op(i), concurrency=concurrency, total=total)


def median_of_runs(values: list[float]) -> float:
    """The median of repeated measurements (the machine is noisy)."""
    return statistics.median(values)


def report(title: str, rows: list[tuple[str, str]]) -> None:
    """Print a small aligned table."""
    print(f"\n== {title}")
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k.ljust(width)}  {v}")


class RawHttp:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams, one connection per worker.

    The machine has 2 cores shared by the load generator, the API and PostgreSQL;
    httpx costs ~1–2 ms of CPU per request, which would be charged to the API.
    This client costs a few tens of µs. ``await client.request(worker, "POST", path,
    json_body, headers)`` returns ``(status, body_bytes)``; each worker index uses
    its own connection, so use it with ``run_load``-style workers (``i % concurrency``
    is not safe — pass the worker's own index, see :func:`run_load_raw`).
    """

    def __init__(self, base_url: str) -> None:
        from urllib.parse import urlparse

        u = urlparse(base_url)
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 80
        self._conns: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}

    async def _conn(self, worker: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if worker not in self._conns:
            self._conns[worker] = await asyncio.open_connection(self.host, self.port)
        return self._conns[worker]

    async def request(
        self, worker: int, method: str, path: str, body: object | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        import json as _json

        reader, writer = await self._conn(worker)
        payload = b"" if body is None else _json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(payload)}"]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        status_line = await reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
        return status, await reader.readexactly(length)

    async def spread(self, workers: int, processes: int, timeout: float = 60.0) -> list[int]:
        """Open the connections of workers ``0..workers-1`` so that each of the ``processes`` API processes
        behind one shared socket (``uvicorn --workers N``) holds an even share; returns the connections per
        process (``GET /healthz`` names the process of each connection; one over its share is closed and
        opened again).

        Which process accepts a connection is otherwise up to the kernel and the workers' event loops: 32
        connections opened at once split 17/15 to 26/6 between two processes, a different split at every
        server start, and the busier process's requests wait for each other (the lottery sale's p99 ranged
        from 150 to 270 ms with the split alone, bench/README.md "Session 8"). The other benches talk to
        one port per process and so spread their clients evenly by construction.
        """
        import json as _json

        share = -(-workers // processes)
        counts: dict[int, int] = {}
        deadline = time.monotonic() + timeout  # a process still starting accepts nothing yet
        for w in range(workers):
            while True:
                _, body = await self.request(w, "GET", "/healthz")
                pid = _json.loads(body)["data"]["pid"]
                if counts.get(pid, 0) < share:
                    counts[pid] = counts.get(pid, 0) + 1
                    break
                self._conns.pop(w)[1].close()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"could not spread {workers} connections over {processes} processes: {counts}")
                await asyncio.sleep(0.01)
        return sorted(counts.values(), reverse=True)

    async def close(self) -> None:
        for _, writer in self._conns.values():
            writer.close()
        self._conns.clear()


async def run_load_raw(op: Callable[[int, int], Awaitable[bool]], *, concurrency: int, total: int) -> Stats:
    """Like :func:`run_load`, but ``op(i, worker)`` also gets the worker index (for :class:`RawHttp`)."""
    stats = Stats()
    counter = iter(range(total))

    async def worker(w: int) -> None:
        for i in counter:
            t0 = time.perf_counter()
            try:
                good = await op(i, w)
            except Exception:  # noqa: BLE001 - counted, not fatal
                good = False
            if good:
                stats.latencies.append(time.perf_counter() - t0)
            else:
                stats.errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    stats.wall = time.perf_counter() - t0
    return stats


@contextlib.contextmanager
def api_server(settings: Settings, workers: int, app: str = "taquilla.main:create_app", extra_env: dict[str, str] | None = None):
    """``uvicorn taquilla.main:create_app --factory --workers N`` (what ``taquilla serve --workers N`` runs) on a
    free port — or another ``app`` (``module:attr``, not a factory, e.g. ``bench.stack_floor:app``) under the
    same layout; yields ``(base_url, [worker pids])``."""
    import subprocess

    from tests.live import free_port, server_env, wait_ready

    port = free_port()
    factory = ["--factory"] if app == "taquilla.main:create_app" else []
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", app, *factory, "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
                            env=server_env(settings, extra_env))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, timeout=60, proc=proc)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        pids = [int(p) for p in children.read_text().split()] if children.exists() else []
        workers_pids = [p for p in pids if "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_text()] or [proc.pid]
        yield base, workers_pids
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def demo_server(env: dict[str, str], workers: int):
    """``taquilla demo-data`` then ``taquilla serve --workers N`` on a free port with ``env``; yields the base URL
    once it is ready, stops the server (and the workers) on exit."""
    import subprocess

    from tests.live import free_port, wait_ready

    taquilla = str(Path(sys.executable).with_name("taquilla"))
    subprocess.run([taquilla, "demo-data"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([taquilla, "serve", "--workers", str(workers), "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, timeout=120, proc=server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=60)


def login(base: str, username: str, password: str) -> dict[str, str]:
    """The ``Authorization`` header of a fresh access token (``POST /api/v1/auth/login``)."""
    import httpx

    r = httpx.post(base + "/api/v1/auth/login", json={"username": username, "password": password}, timeout=30)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}


# ------------------------------------------------------------------ profiling (issue 13)


def server_pids(urls: list[str]) -> list[int]:
    """The pid of each live API process (``GET /healthz`` names the worker that answered)."""
    import httpx

    return [int(httpx.get(u + "/healthz", timeout=5).json()["data"]["pid"]) for u in urls]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by the processes ``pids`` (``/proc/<pid>/stat``; gone → 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15 of stat)
    return total


async def warm_measured_run(
    op: Callable[[int, int], Awaitable[bool]], pids: list[int], *, concurrency: int, warmup: int, total: int, cpu: list[float]
) -> Stats:
    """``warmup`` unmeasured operations (connections, prepared statements), then ``total`` measured ones at
    ``concurrency``; appends the CPU of ``pids`` per successful operation (ms) to ``cpu``."""
    await run_load_raw(op, concurrency=concurrency, total=warmup)
    cpu0 = cpu_seconds(pids)
    stats = await run_load_raw(op, concurrency=concurrency, total=total)
    cpu.append((cpu_seconds(pids) - cpu0) / max(1, stats.ok) * 1000)
    return stats


class PySpy:
    """Sample the API processes with py-spy while a measured run goes on (``.venv/bin/py-spy``).

    ``with PySpy(urls, "/tmp/bench-director") as spy: <run>`` writes one collapsed-stack file per
    process (``<prefix>-<pid>.txt``, py-spy's ``raw`` format, loadable by speedscope or
    ``flamegraph.pl``); ``spy.top()`` then returns the hottest frames over all processes.
    Without py-spy installed it does nothing (``spy.files`` stays empty).
    """

    def __init__(self, urls: list[str], prefix: str, rate: int = 200) -> None:
        import shutil

        self.exe = shutil.which("py-spy") or (str(Path(sys.executable).parent / "py-spy") if (Path(sys.executable).parent / "py-spy").exists() else None)
        self.pids = server_pids(urls) if self.exe else []
        self.prefix, self.rate = prefix, rate
        self.files: list[str] = []
        self._procs: list = []

    def __enter__(self) -> PySpy:
        import subprocess

        for pid in self.pids:
            out = f"{self.prefix}-{pid}.txt"
            self.files.append(out)
            self._procs.append(
                subprocess.Popen(
                    [self.exe, "record", "--pid", str(pid), "--rate", str(self.rate), "--format", "raw", "--output", out],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(0.5)  # let py-spy attach before the run starts
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for p in self._procs:
            p.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for p in self._procs:
            try:
                p.wait(timeout=30)
            except Exception:  # noqa: BLE001
                p.kill()

    def top(self, n: int = 15) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """``(self, inclusive)``: the ``n`` frames with the most samples, as shares of all samples."""
        return top_frames(self.files, n)


def top_frames(files: list[str], n: int = 15) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Self and inclusive sample shares of the frames in py-spy ``raw`` (collapsed) files, the ``n`` largest.

    A frame is ``function (file)``, the file shortened to the part after ``site-packages/`` or ``src/``.
    Idle samples (the event loop waiting in ``select``) count in the total, so shares are of wall time.
    """
    import re
    from collections import Counter

    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0

    def short(frame: str) -> str:
        m = re.match(r"(?P<fn>.*?) \((?P<file>[^:)]*)(:\d+)?\)$", frame)
        if not m:
            return frame
        f = m["file"]
        for cut in ("site-packages/", "src/", "lib/python3"):
            if cut in f:
                f = f.split(cut, 1)[1]
                break
        return f"{m['fn']} ({f})"

    for path in files:
        if not Path(path).exists():
            continue
        for line in Path(path).read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            c = int(count)
            frames = [short(f) for f in stack.split(";")]
            total += c
            own[frames[-1]] += c
            for f in set(frames):
                incl[f] += c
    if not total:
        return [], []
    return ([(f, c / total) for f, c in own.most_common(n)], [(f, c / total) for f, c in incl.most_common(n)])


def print_top(title: str, spy: PySpy, n: int = 15) -> None:
    """Print the hottest self and inclusive frames of a :class:`PySpy` recording."""
    own, incl = spy.top(n)
    if not own:
        print(f"\n== {title}: no py-spy samples (is py-spy installed? `.venv/bin/pip install py-spy`)")
        return
    print(f"\n== {title} (py-spy, files: {' '.join(spy.files)})")
    print("  self:")
    for f, s in own:
        print(f"    {s * 100:5.1f}%  {f}")
    print("  inclusive:")
    for f, s in incl:
        print(f"    {s * 100:5.1f}%  {f}")


class WaitSampler:
    """Sample ``pg_stat_activity`` of the benchmark's database every ``interval`` s while a run goes on.

    ``async with WaitSampler(dsn) as w: <run>``; then ``w.shares()`` is ``{what: share of the
    backend samples}``, ``what`` being ``Lock:<event>`` (waiting for a row or transaction lock —
    a hot row), ``CPU`` (active, no wait event), ``IO:…``/``LWLock:…``, ``client`` (idle in
    transaction: the database waits for the client, i.e. for the API's Python), and ``idle``.
    Names what bounds a write path without a profiler in the server.
    """

    def __init__(self, dsn: str, interval: float = 0.02) -> None:
        self.dsn, self.interval = dsn, interval
        self.counts: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._conn = None

    async def __aenter__(self) -> WaitSampler:
        import asyncpg

        self._conn = await asyncpg.connect(self.dsn)
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        sql = (
            "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        while True:
            for state, wtype, wevent in await self._conn.fetch(sql):  # type: ignore[union-attr]
                if state == "idle in transaction":
                    what = "client"
                elif state == "active":
                    what = f"{wtype}:{wevent}" if wtype and wtype != "Client" else "CPU"
                else:
                    what = "idle"
                self.counts[what] = self.counts.get(what, 0) + 1
            await asyncio.sleep(self.interval)

    async def __aexit__(self, *exc: object) -> None:
        import contextlib

        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None:
            await self._conn.close()

    def shares(self, busy_only: bool = True) -> dict[str, float]:
        """Share of each state among the samples (without ``idle`` connections when ``busy_only``)."""
        counts = {k: v for k, v in self.counts.items() if not (busy_only and k == "idle")}
        total = sum(counts.values())
        return {k: v / total for k, v in sorted(counts.items(), key=lambda kv: -kv[1])} if total else {}

    def summary(self, n: int = 4) -> str:
        """``"Lock:transactionid 61%, client 20%, CPU 12%"`` (the ``n`` largest)."""
        return ", ".join(f"{k} {v * 100:.0f}%" for k, v in list(self.shares().items())[:n])
