"""Redis (or Valkey) access: JSON cache helpers and a short-lived lock.

Redis is only ever a cache or a coordination aid; the database stays the truth.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from redis.asyncio import Redis

from taquilla.core.jsonenc import dumps
from taquilla.core.metrics import count_cache

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


def create_redis(url: str) -> Redis:
    """A client for ``url`` that decodes replies to ``str``."""
    return Redis.from_url(url, decode_responses=True, health_check_interval=30)


async def cache_get_json(redis: Redis, key: str) -> Any | None:
    """The JSON value at ``key``, or ``None`` when absent (counted as a hit or miss in ``/metrics``)."""
    raw = await redis.get(key)
    count_cache(key, raw is not None)
    return None if raw is None else json.loads(raw, parse_float=Decimal)


async def cache_set_json(redis: Redis, key: str, value: Any, ttl_seconds: int) -> None:
    """Store ``value`` as JSON at ``key`` for ``ttl_seconds``."""
    await redis.set(key, dumps(value), ex=ttl_seconds)


@asynccontextmanager
async def redis_lock(redis: Redis, key: str, ttl_ms: int) -> AsyncIterator[bool]:
    """Try once to take ``key`` (SET NX PX); yield whether it was taken; release only our own token."""
    token = uuid.uuid4().hex
    acquired = bool(await redis.set(key, token, nx=True, px=ttl_ms))
    try:
        yield acquired
    finally:
        if acquired:
            await redis.eval(_RELEASE, 1, key, token)
