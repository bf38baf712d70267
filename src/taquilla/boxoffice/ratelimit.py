"""Per-client rate limit of the storefront's ``POST /api/v1/boxoffice/tickets`` (``STOREFRONT_RATE_LIMIT``).

Uses the ``limits`` library (asyncio API, fixed window) on the shared Redis, so
several API processes enforce one limit per client address together.
The limit is a ``limits`` string (``"120/minute"``, ``"10/second"``). Over the limit →
429 ``RATE_LIMITED`` with ``retryAfterSeconds``.
"""

from __future__ import annotations

import time
from functools import lru_cache

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import FixedWindowRateLimiter

from taquilla.core.errors import TooManyRequests


@lru_cache(maxsize=16)
def _limit(spec: str) -> RateLimitItem:
    return parse(spec)


def client_key(request: Request) -> str:
    """The client's address (the key of its limit)."""
    return request.client.host if request.client else "unknown"


def _limiter(request: Request) -> FixedWindowRateLimiter:
    state = request.app.state
    limiter = getattr(state, "storefront_limiter", None)
    if limiter is None:
        storage = RedisStorage("async+" + state.settings.redis_url, implementation="redispy", key_prefix="ratelimit")
        limiter = state.storefront_limiter = FixedWindowRateLimiter(storage)
    return limiter


async def storefront_rate_limit(request: Request) -> None:
    """FastAPI dependency: count this request against the client's window; raise 429 when over."""
    limit = _limit(request.app.state.settings.storefront_rate_limit)
    limiter = _limiter(request)
    key = client_key(request)
    if not await limiter.hit(limit, "tickets", key):
        stats = await limiter.get_window_stats(limit, "tickets", key)
        retry = max(1, int(stats.reset_time - time.time()))
        raise TooManyRequests(
            f"Too many purchases from this client; limit {limit.amount} per {limit.get_expiry()} s, retry in {retry} s.",
            details={"retryAfterSeconds": retry},
        )
