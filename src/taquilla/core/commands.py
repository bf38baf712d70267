"""Shared machinery of the ``taquilla`` console commands (``taquilla.cli`` and each context's ``cli.py``).

A command runs inside :func:`prepared`: settings with resolved endpoints (embedded
servers started, or reused from a running ``taquilla serve`` on the same data
directory, and stopped again when the command ends), migrations applied.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from rich.console import Console

from taquilla.core.infra import embedded_endpoints
from taquilla.core.logging import configure_logging
from taquilla.core.migrate import upgrade_head
from taquilla.core.settings import Settings, get_settings

console = Console()
T = TypeVar("T")


@contextlib.contextmanager
def prepared(*, migrate: bool = True, share: bool = False) -> Iterator[Settings]:
    """Settings whose ``database_url``/``redis_url`` work for the duration of the block.

    Embedded servers this block starts are stopped when it ends (also on an exception or
    SIGTERM). ``share`` publishes them for other commands (``serve``); ``migrate`` applies
    pending Alembic migrations first.
    """
    settings = get_settings()
    configure_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level)
    with embedded_endpoints(
        settings.database_url, settings.redis_url, settings.data_dir, settings.database_name, share=share
    ) as ep:
        settings = settings.model_copy(update={"database_url": ep.database_url, "redis_url": ep.redis_url})
        if migrate:
            upgrade_head(settings.database_url)
        yield settings


async def with_session(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session)`` in one committed transaction on a small engine of its own."""
    from taquilla.core.db import create_engine, create_sessionmaker

    engine = create_engine(settings.database_url, pool_size=2, max_overflow=2)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()
