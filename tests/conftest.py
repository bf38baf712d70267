"""Test harness: a real PostgreSQL and a real Redis/Valkey, never mocks.

* ``TEST_DATABASE_URL`` (a server URL; a database ``taquilla_test_<pid>`` is created on it and dropped after)
  and ``TEST_REDIS_URL`` point the tests at existing servers; without them the
  embedded PostgreSQL and Valkey are started, as on a fresh machine.
* The schema comes from the Alembic migrations, applied once per session.
* Every test starts from empty tables (TRUNCATE … CASCADE) and an empty Redis.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from taquilla.core.infra import drop_database, recreate_database, resolve_endpoints, start_embedded_postgres, to_async_url, with_database
from taquilla.core.migrate import upgrade_head
from taquilla.core.settings import Settings
from taquilla.director.kpis import DIRTY_KEY, DONE_KEY
from taquilla.main import create_app
from taquilla.models_registry import metadata
from tests.builders import Builders

TEST_DB = f"taquilla_test_{os.getpid()}"
DATA_DIR = Path(os.environ.get("TAQUILLA_TEST_DATA_DIR", Path(__file__).resolve().parent.parent / ".taquilla"))


@pytest.fixture(scope="session")
def settings() -> Iterator[Settings]:
    """Settings pointing at a freshly migrated test database and a test Redis."""
    admin = os.environ.get("TEST_DATABASE_URL") or start_embedded_postgres(DATA_DIR)
    asyncio.run(recreate_database(admin, TEST_DB))
    db_url = to_async_url(with_database(admin, TEST_DB))
    ep = resolve_endpoints(db_url, os.environ.get("TEST_REDIS_URL", ""), DATA_DIR, TEST_DB)
    upgrade_head(ep.database_url)
    s = Settings(
        DATABASE_URL=ep.database_url,
        REDIS_URL=ep.redis_url,
        TAQUILLA_DATA_DIR=DATA_DIR,
        JWT_SECRET="test-secret-test-secret-test-secret-42",
        KPI_REFRESH_DEBOUNCE_MS=100,
        LOG_LEVEL="WARNING",
    )
    yield s
    asyncio.run(drop_database(admin, TEST_DB))


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[object]:
    """The application with its lifespan running for the whole session."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


_TRUNCATE: str | None = None


@pytest.fixture(autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empty every table and the Redis database before each test that uses the app."""
    global _TRUNCATE
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    if _TRUNCATE is None:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        _TRUNCATE = f"TRUNCATE {names} RESTART IDENTITY CASCADE"
    await _kpi_refresh_settled(application.state.redis)
    for attempt in range(5):
        try:
            async with application.state.engine.begin() as conn:
                await conn.execute(text(_TRUNCATE))
                views = (await conn.execute(text("SELECT matviewname FROM pg_matviews WHERE schemaname = 'public'"))).scalars()
                for view in list(views):
                    await conn.execute(text(f"REFRESH MATERIALIZED VIEW {view}"))
            break
        except DBAPIError as exc:  # a KPI refresh still running from the last test: PostgreSQL broke the lock cycle
            if "deadlock" not in str(exc) or attempt == 4:
                raise
            await asyncio.sleep(0.2)
    await application.state.redis.flushdb()
    yield


async def _kpi_refresh_settled(redis: Any) -> None:
    """Wait (≤ 10 s) until the app's debounced KPI refresh has caught up with the last write.

    Otherwise the refresh (REFRESH … CONCURRENTLY) can still run while the next TRUNCATE
    takes its locks, and PostgreSQL resolves that lock cycle by failing one of them.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        if int(await redis.get(DONE_KEY) or 0) >= int(await redis.get(DIRTY_KEY) or 0):
            return
        await asyncio.sleep(0.05)


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the app in-process (real database and Redis behind it)."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def build(app: object) -> Builders:
    """Test-data builders that write through the app's sessionmaker (committed)."""
    return Builders(app)


@pytest.fixture
async def admin_headers(build: Builders, client: httpx.AsyncClient) -> dict[str, str]:
    """Authorization headers of a fresh ADMIN user."""
    await build.user("admin", role="ADMIN")
    return await build.login(client, "admin")
