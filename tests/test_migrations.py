"""Migrations when several instances start at once (README "Operations": `serve` migrates on start)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os

from taquilla.core.infra import drop_database, recreate_database, start_embedded_postgres, to_async_url, with_database
from taquilla.core.migrate import upgrade_head
from taquilla.core.settings import Settings
from tests.conftest import DATA_DIR


def test_three_instances_migrating_a_fresh_database_at_once_all_succeed(settings: Settings) -> None:
    """Without the advisory lock in migrations/env.py two of them fail creating alembic_version."""
    admin = os.environ.get("TEST_DATABASE_URL") or start_embedded_postgres(DATA_DIR)
    name = f"taquilla_migrace_{os.getpid()}"
    asyncio.run(recreate_database(admin, name))
    url = to_async_url(with_database(admin, name))
    try:
        with concurrent.futures.ProcessPoolExecutor(3) as pool:
            failures = [f.exception() for f in [pool.submit(upgrade_head, url) for _ in range(3)]]
        assert failures == [None, None, None], failures
        upgrade_head(url)  # and a fourth finds nothing to do
    finally:
        asyncio.run(drop_database(admin, name))
