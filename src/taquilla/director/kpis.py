"""Debounced, single-instance refresh of the director KPI views, and the overview cache.

A write calls :meth:`KpiRefresher.request` after its commit: the first write of a
burst bumps a sequence number in Redis (``director:kpi:dirty``), every write wakes
this process's worker (the later writes of a burst do no I/O: a Redis round trip
per write was ~3 % of a director write's CPU, issue 13). The worker waits
``KPI_REFRESH_DEBOUNCE_MS`` so that a burst of writes costs one refresh, then takes a Redis lock so that one instance at a time runs
``REFRESH MATERIALIZED VIEW CONCURRENTLY``; it records the sequence it covered
and ``refreshedAt`` and moves the overview cache to a new generation. An instance that cannot get
the lock waits until another has covered its sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from taquilla.core.cache import redis_lock
from taquilla.core.settings import Settings
from taquilla.director import repository

log = structlog.get_logger(__name__)

OVERVIEW_CACHE_PREFIX = "director:overview:"
GENERATION_KEY = "director:kpi:generation"
DIRTY_KEY = "director:kpi:dirty"
DONE_KEY = "director:kpi:refreshed_seq"
REFRESHED_AT_KEY = "director:kpi:refreshed_at"
LOCK_KEY = "director:kpi:lock"
# One round trip after a write: bump the dirty sequence and drop the current overview cache entry.
_MARK_DIRTY = (
    "redis.call('incr', KEYS[1]) "
    "redis.call('del', ARGV[1] .. (redis.call('get', KEYS[2]) or '0')) return 1"
)
_SET_MAX = "local c = tonumber(redis.call('get', KEYS[1]) or '0') if tonumber(ARGV[1]) > c then redis.call('set', KEYS[1], ARGV[1]) end return 1"


async def refresh_views(sessionmaker: async_sessionmaker[AsyncSession], redis: Redis) -> datetime:
    """Refresh the three views now (one transaction) and record ``refreshedAt`` (UTC).

    Bumps the cache generation, so an overview cached from the old views is never served again.
    """
    async with sessionmaker() as session:
        await repository.refresh_kpi_views(session)
        await session.commit()
    refreshed_at = datetime.now(UTC)
    await redis.set(REFRESHED_AT_KEY, refreshed_at.isoformat())
    await redis.incr(GENERATION_KEY)
    return refreshed_at


async def overview_cache_key(redis: Redis) -> str:
    """The overview's cache key for the current views (``director:overview:<generation>``)."""
    return OVERVIEW_CACHE_PREFIX + str(await redis.get(GENERATION_KEY) or 0)


class KpiRefresher:
    """The per-process background worker described in the module docstring."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], redis: Redis, settings: Settings) -> None:
        self.sessionmaker = sessionmaker
        self.redis = redis
        self.debounce = settings.kpi_refresh_debounce_ms / 1000
        self.min_interval = settings.kpi_refresh_min_interval_ms / 1000
        self._wake = asyncio.Event()
        self._marked = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="kpi-refresher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def request(self) -> None:
        """Mark the views stale (after a commit; once per burst) and wake the worker.

        A write that finds the burst already marked is covered by the refresh that mark asked for:
        the worker takes the burst (``_marked`` back to False) only after its debounce, and then
        refreshes, so that refresh starts after every write that skipped the mark.
        """
        if not self._marked:
            self._marked = True
            await self.redis.eval(_MARK_DIRTY, 2, DIRTY_KEY, GENERATION_KEY, OVERVIEW_CACHE_PREFIX)
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.debounce)
            self._wake.clear()
            self._marked = False  # writes committed from here on mark a new burst
            started = asyncio.get_running_loop().time()
            try:
                await self._refresh_until_covered()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep the worker alive; the next write retries
                log.exception("kpi_refresh_failed")
            # under a steady stream of writes, refresh at most once per min_interval
            await asyncio.sleep(max(0.0, self.min_interval - (asyncio.get_running_loop().time() - started)))

    async def _refresh_until_covered(self, max_wait_s: float = 30.0) -> None:
        deadline = asyncio.get_running_loop().time() + max_wait_s
        while asyncio.get_running_loop().time() < deadline:
            wanted = int(await self.redis.get(DIRTY_KEY) or 0)
            if int(await self.redis.get(DONE_KEY) or 0) >= wanted:
                return
            async with redis_lock(self.redis, LOCK_KEY, ttl_ms=60_000) as acquired:
                if acquired:
                    await refresh_views(self.sessionmaker, self.redis)
                    await self.redis.eval(_SET_MAX, 1, DONE_KEY, wanted)
                    log.info("kpi_views_refreshed", seq=wanted)
                    continue
            await asyncio.sleep(0.1)
