"""Shared benchmark machinery: infrastructure, a live server, a load loop and statistics.

Benchmarks run with ``.venv/bin/python -m bench.<name>`` from the repository root
(or all of them with ``.venv/bin/python -m bench``). Each compares the API against
a baseline measured in the same run (a ratio), because the machine is noisy.
"""

from __future__ import annotations

import asyncio
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

from taquilla.core.infra import resolve_endpoints, start_embedded_postgres, to_async_url, to_driver_url, with_database  # noqa: E402
from taquilla.core.migrate import upgrade_head  # noqa: E402
from taquilla.core.settings import Settings  # noqa: E402
from tests.live import live_servers  # noqa: E402,F401  (re-exported for benchmarks)


def bench_settings(database: str = "taquilla_bench") -> Settings:
    """Settings for a freshly created, migrated ``database`` (embedded servers unless DATABASE_URL/REDIS_URL).

    Call it before ``asyncio.run`` (it runs its own event loop and Alembic).
    """
    import asyncpg

    data_dir = Path(os.environ.get("TAQUILLA_DATA_DIR", ROOT / ".taquilla"))
    admin = os.environ.get("DATABASE_URL") or start_embedded_postgres(data_dir)

    async def recreate() -> None:
        conn = await asyncpg.connect(to_driver_url(admin))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
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
    stats = Stats()
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            t0 = time.perf_counter()
            try:
                good = await op(i)
            except Exception:  # noqa: BLE001 - counted, not fatal
                good = False
            if good:
                stats.latencies.append(time.perf_counter() - t0)
            else:
                stats.errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    stats.wall = time.perf_counter() - t0
    return stats


def median_of_runs(values: list[float]) -> float:
    """The median of repeated measurements (the machine is noisy)."""
    return statistics.median(values)


def report(title: str, rows: list[tuple[str, str]]) -> None:
    """Print a small aligned table."""
    print(f"\n== {title}")
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k.ljust(width)}  {v}")
