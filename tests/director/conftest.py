"""Director test fixtures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from taquilla.director.kpis import DIRTY_KEY, DONE_KEY


@pytest.fixture(autouse=True)
async def kpi_refresh_settled(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """After a test that wrote to the ledger, wait for the app's debounced KPI refresh to finish.

    Otherwise the refresh (REFRESH … CONCURRENTLY) can still run while the next test's setup
    TRUNCATEs the tables, and PostgreSQL resolves that lock cycle by failing one of them.
    """
    yield
    if "app" not in request.fixturenames:
        return
    redis = request.getfixturevalue("app").state.redis
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        if int(await redis.get(DONE_KEY) or 0) >= int(await redis.get(DIRTY_KEY) or 0):
            return
        await asyncio.sleep(0.05)
