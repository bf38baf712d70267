"""Moving-window rate limits on the shared Redis (the ``limits`` library), for failed attempts.

Used by login (``LOGIN_RATE_LIMIT_USERNAME`` per username, ``LOGIN_RATE_LIMIT_ADDRESS``
per client address): :meth:`AttemptLimiter.check` before the work refuses with 429 and
``Retry-After`` while any window is full; :meth:`AttemptLimiter.fail` counts a failure
in every window. Several API processes share the counters through Redis.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from taquilla.core.errors import TooManyRequests


@lru_cache(maxsize=32)
def _limit(spec: str) -> RateLimitItem:
    return parse(spec)


@dataclass(frozen=True)
class Window:
    """One limit (a ``limits`` string such as ``"10/15 minutes"``) on one key (``namespace``, ``value``)."""

    spec: str
    namespace: str
    value: str

    @property
    def item(self) -> RateLimitItem:
        return _limit(self.spec)


class AttemptLimiter:
    """Counts failed attempts in moving windows; refuses further attempts while a window is full."""

    def __init__(self, redis_url: str) -> None:
        storage = RedisStorage("async+" + redis_url, implementation="redispy", key_prefix="ratelimit")
        self._limiter = MovingWindowRateLimiter(storage)

    async def check(self, windows: Sequence[Window], message: str) -> None:
        """Raise 429 ``RATE_LIMITED`` (``Retry-After``, ``details.retryAfterSeconds``) if any window is full."""
        retry = 0
        for w in windows:
            if not await self._limiter.test(w.item, w.namespace, w.value):
                stats = await self._limiter.get_window_stats(w.item, w.namespace, w.value)
                retry = max(retry, math.ceil(stats.reset_time - time.time()), 1)
        if retry:
            raise TooManyRequests(
                f"{message} Retry in {retry} s.", details={"retryAfterSeconds": retry}, headers={"Retry-After": str(retry)}
            )

    async def fail(self, windows: Sequence[Window]) -> None:
        """Count one failed attempt in every window."""
        for w in windows:
            await self._limiter.hit(w.item, w.namespace, w.value)


def attempt_limiter(app: Any) -> AttemptLimiter:
    """``app``'s limiter (created on first use, on the Redis of ``REDIS_URL``)."""
    state = app.state
    limiter = getattr(state, "attempt_limiter", None)
    if limiter is None:
        limiter = state.attempt_limiter = AttemptLimiter(state.settings.redis_url)
    return limiter


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: run uvicorn with ``--proxy-headers``)."""
    return request.client.host if request.client else "unknown"
