"""The Redis read model of the box office: cached event details, invalidated after commit.

A cached detail is tagged with two counters read *before* it was computed: the
catalog version (bumped by any catalog write) and the event's version (bumped by
every sale or cancellation of the event). A reader serves the cached JSON only
when both tags still match, so a detail computed while a sale was committing is
never served after that sale. Sales never read this cache (DOMAIN.md "No oversell").
"""

from __future__ import annotations

from redis.asyncio import Redis

CATALOG_VERSION_KEY = "boxoffice:catalog:version"


def _event_version_key(event_id: str) -> str:
    return f"boxoffice:event:{event_id}:version"


def _detail_key(event_id: str) -> str:
    return f"boxoffice:event:{event_id}:detail"


async def read_detail(redis: Redis, event_id: str) -> tuple[str | None, str]:
    """``(cached JSON or None, tag)``: the tag must be passed to :func:`store_detail` after a miss."""
    catalog, version, cached = await redis.mget(CATALOG_VERSION_KEY, _event_version_key(event_id), _detail_key(event_id))
    tag = f"{catalog or 0}.{version or 0}"
    if cached is not None:
        stored_tag, _, body = cached.partition("|")
        if stored_tag == tag:
            return body, tag
    return None, tag


async def store_detail(redis: Redis, event_id: str, tag: str, body: str, ttl_seconds: int) -> None:
    """Cache the detail JSON ``body`` computed under ``tag`` for ``ttl_seconds``."""
    await redis.set(_detail_key(event_id), f"{tag}|{body}", ex=ttl_seconds)


async def invalidate_event(redis: Redis, event_id: str) -> None:
    """After a committed sale/cancellation/event change: outdate the event's cached detail."""
    await redis.incr(_event_version_key(event_id))


async def invalidate_catalog(redis: Redis) -> None:
    """After a committed catalog change: outdate every cached detail."""
    await redis.incr(CATALOG_VERSION_KEY)
