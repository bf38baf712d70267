"""Database engine, declarative base and the one-transaction-per-request session.

The session dependency owns the transaction: it commits when the route returns
and rolls back on any exception. Services call ``flush()``, never ``commit()``.
Work that must run only after a successful commit (cache invalidation, KPI
refresh) is queued with :func:`after_commit` and dropped on rollback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from sqlalchemy import BigInteger, DateTime, MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

log = structlog.get_logger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model; the schema itself comes only from Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {int: BigInteger, datetime: DateTime(timezone=True)}
    # Server-generated values (``updated_at`` set by ``onupdate=func.now()``) come back with the
    # INSERT/UPDATE (RETURNING) instead of being expired, so reading them after a flush never
    # needs lazy IO (which, under asyncio, was a 500 on every PATCH of a location).
    __mapper_args__ = {"eager_defaults": True}


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> AsyncEngine:
    """An asyncpg engine for ``url`` (``postgresql+asyncpg://…``)."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": "taquilla", "timezone": "UTC"}},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class DriverTransaction:
    """A request's transaction on the bare asyncpg connection of a pooled connection, without an ORM session.

    For a hand-resolved route whose whole path is driver SQL (``driver_connection`` and nothing of
    the ORM): :func:`driver_transaction` opens it. ``info`` holds the :func:`after_commit`
    callbacks, as a session's does. Measured (bench/README.md "Hand-resolved hot routes"): the ORM
    session's checkout, BEGIN and COMMIT were 9–17 % of a lottery sale's CPU (kept version; prototype).
    """

    __slots__ = ("connection", "info", "single_statement")

    def __init__(self, connection: Any, *, single_statement: bool = False) -> None:
        self.connection = connection
        self.info: dict[str, Any] = {}
        self.single_statement = single_statement
        """True when opened by :func:`driver_statement`: no BEGIN, the one write statement is its own transaction."""


@asynccontextmanager
async def _pooled_driver(request: Request, *, single_statement: bool) -> AsyncIterator[DriverTransaction]:
    engine: AsyncEngine = request.app.state.engine
    async with engine.connect() as pooled:
        tx = DriverTransaction((await pooled.get_raw_connection()).driver_connection, single_statement=single_statement)
        try:
            if single_statement:
                yield tx
            else:
                async with tx.connection.transaction():
                    yield tx
        except BaseException:
            tx.info.pop("after_commit", None)
            if tx.connection.is_in_transaction():  # the rollback itself was interrupted (a cancelled request):
                await pooled.invalidate()  # the pool's reset knows nothing of this transaction, so never reuse the connection
            raise
    await run_after_commit(tx)


def driver_transaction(request: Request) -> AbstractAsyncContextManager[DriverTransaction]:
    """The request's one transaction as :class:`DriverTransaction`: committed when the block ends, rolled back
    (its :func:`after_commit` callbacks dropped) when it raises, the callbacks run after the commit —
    :func:`request_transaction`'s contract. The connection comes from the app's engine pool
    (``DB_POOL_SIZE``); the pool's reset on return finds no adapter transaction to roll back."""
    return _pooled_driver(request, single_statement=False)


def driver_statement(request: Request) -> AbstractAsyncContextManager[DriverTransaction]:
    """:func:`driver_transaction` without BEGIN/COMMIT, for a request whose whole write is **one statement**
    that checks what it needs itself and writes nothing when it refuses (PostgreSQL runs it as its own
    transaction: all of it or nothing). The :func:`after_commit` callbacks run after the block, dropped
    when it raises. Two round trips fewer per request (bench/README.md "Session 6"); an ``Idempotency-Key``
    needs a real transaction (its claim is a transaction-scoped lock), so keyed requests use
    :func:`driver_transaction` — :meth:`taquilla.core.idempotency.Idempotency.claim` refuses this one."""
    return _pooled_driver(request, single_statement=True)


async def driver_connection(session: AsyncSession | DriverTransaction) -> Any:
    """The asyncpg connection of ``session``'s transaction, for hand-written SQL on hot paths.

    SQLAlchemy's asyncpg adapter sends BEGIN lazily before its own first statement; this sends
    it now if nothing ran yet, so driver statements (and transaction-scoped advisory locks)
    belong to the request's transaction and commit or roll back with it. A
    :class:`DriverTransaction` is its connection.
    """
    if isinstance(session, DriverTransaction):
        return session.connection
    fairy = await (await session.connection()).get_raw_connection()
    adapted = fairy.dbapi_connection
    if adapted._transaction is None and adapted.isolation_level != "autocommit":  # noqa: SLF001
        await adapted._start_transaction()  # noqa: SLF001
    return fairy.driver_connection


AfterCommit = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession | DriverTransaction, callback: AfterCommit) -> None:
    """Queue ``callback`` to run once the request's transaction has committed.

    Dropped when the transaction rolls back. Callback errors are logged, never raised.
    """
    session.info.setdefault("after_commit", []).append(callback)


async def run_after_commit(session: AsyncSession | DriverTransaction) -> None:
    """Run and clear the callbacks queued with :func:`after_commit`."""
    callbacks: list[AfterCommit] = session.info.pop("after_commit", [])
    for callback in callbacks:
        try:
            await callback()
        except Exception:  # noqa: BLE001 - post-commit work must never fail the request
            log.exception("after_commit_failed", callback=getattr(callback, "__qualname__", repr(callback)))


@asynccontextmanager
async def request_transaction(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one transaction: committed when the block ends, rolled back (and its
    :func:`after_commit` callbacks dropped) when it raises; the callbacks run after the commit.

    :data:`SessionDep` is this as a dependency; a hand-resolved route (``core.routing.hand_resolved``)
    opens it itself.
    """
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            session.info.pop("after_commit", None)
            await session.rollback()
            raise
    await run_after_commit(session)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request_transaction(request) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
"""Inject this into a route: one transaction, committed before the response is sent."""
