"""Alembic environment: async engine, URL from the Config (set by taquilla.core.migrate)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from taquilla.models_registry import metadata

config = context.config
target_metadata = metadata
MIGRATION_LOCK = 7_104_202_611  # pg_advisory_xact_lock key: one migrator at a time


def _do_run(connection) -> None:  # noqa: ANN001
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        # Several instances starting at once (`serve` migrates on start): the first migrates, the
        # others wait here and then read an up-to-date alembic_version (every migration runs in
        # this one transaction; none uses an autocommit block).
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(config.get_main_option("sqlalchemy.url"))
    async with engine.connect() as connection:
        await connection.run_sync(_do_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
