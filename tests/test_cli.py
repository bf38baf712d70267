"""The ``taquilla`` console script against the test database (real PostgreSQL and Valkey).

Commands run in a worker thread: they start their own event loop, as from a shell.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from typer.testing import CliRunner

from taquilla.cli import app as cli
from taquilla.core.infra import STATE_FILE, pid_alive
from taquilla.core.settings import Settings, get_settings
from tests.builders import Builders
from tests.live import free_port


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("JWT_SECRET", settings.jwt_secret)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


async def _counts(build: Builders) -> tuple[int, int, int]:
    return (
        int(await build.scalar("SELECT count(*) FROM users")),
        int(await build.scalar("SELECT count(*) FROM organizers")),
        int(await build.scalar("SELECT count(*) FROM events")),
    )


async def test_demo_data_is_idempotent_and_prints_credentials(cli_env: CliRunner, build: Builders) -> None:
    first = await asyncio.to_thread(cli_env.invoke, cli, ["demo-data"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "taquilla-admin" in first.output
    after_first = await _counts(build)
    assert await build.scalar("SELECT type FROM events WHERE id = 'ev_demo'") == "standard"
    assert await build.scalar("SELECT count(*) FROM events WHERE type = 'premium'") >= 1
    assert await build.scalar("SELECT organizer_id FROM users WHERE role = 'ORGANIZER' AND username = 'organizer'") == "org_demo"
    second = await asyncio.to_thread(cli_env.invoke, cli, ["demo-data"])
    assert second.exit_code == 0, second.output
    assert await _counts(build) == after_first
    reconcile = await asyncio.to_thread(cli_env.invoke, cli, ["network", "reconcile"])
    assert reconcile.exit_code == 0, reconcile.output
    assert "No drift" in reconcile.output


async def test_users_create_and_duplicate(cli_env: CliRunner, build: Builders) -> None:
    ok = await asyncio.to_thread(cli_env.invoke, cli, ["users", "create", "carla", "--role", "admin"], input="s3cret-pass\ns3cret-pass\n")
    assert ok.exit_code == 0, ok.output
    assert await build.scalar("SELECT role FROM users WHERE username = 'carla'") == "ADMIN"
    dup = await asyncio.to_thread(cli_env.invoke, cli, ["users", "create", "carla", "--role", "admin"], input="s3cret-pass\ns3cret-pass\n")
    assert dup.exit_code == 1 and "taken" in dup.output
    bad = await asyncio.to_thread(cli_env.invoke, cli, ["users", "create", "dora", "--role", "king"], input="s3cret-pass\ns3cret-pass\n")
    assert bad.exit_code == 2
    assert await build.scalar("SELECT count(*) FROM users WHERE username = 'dora'") == 0


async def test_kpis_refresh_command(cli_env: CliRunner, build: Builders) -> None:
    await build.organizer("org_k")
    await build.event("ev_k")
    async with build.app.state.sessionmaker() as s:
        from sqlalchemy import text

        await s.execute(
            text(
                "INSERT INTO director_ledger_entries (id, organizer_id, event_id, entry_type, tickets, tickets_equivalent, amount_cents, currency)"
                " VALUES ('entry_k', 'org_k', 'ev_k', 'assign_loan', 4, 4, 400, 'mxn')"
            )
        )
        await s.commit()
    r = await asyncio.to_thread(cli_env.invoke, cli, ["kpis", "refresh"])
    assert r.exit_code == 0, r.output
    assert await build.scalar("SELECT tickets_equivalentes FROM mv_kpi_top_organizadores WHERE organizer_id = 'org_k'") == 4


# --- serve --workers N and the embedded servers' lifecycle (real subprocesses) -------------------

TAQUILLA = str(Path(sys.executable).with_name("taquilla"))


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TAQUILLA_DATA_DIR")}
    env.update({"JWT_SECRET": "test-secret-test-secret-test-secret-42", "LOG_LEVEL": "WARNING", **extra})
    return env


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"serve exited with {proc.returncode}"
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve did not become ready")


def _worker_pids(base: str, want: int, timeout: float = 30) -> set[int]:
    """Hit /healthz (new connections, several at once) until ``want`` different pids answered."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout

    async def burst() -> None:
        async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0), timeout=5) as http:
            for r in await asyncio.gather(*(http.get(base + "/healthz") for _ in range(16))):
                seen.add(r.json()["data"]["pid"])

    while len(seen) < want and time.monotonic() < deadline:
        asyncio.run(burst())
    return seen


def _gone(pids: list[int], timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while any(pid_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(pid_alive(p) for p in pids)


def _embedded_processes(data_dir: Path) -> list[psutil.Process]:
    """Postgres processes of ``data_dir/pg`` and Valkeys running in ``data_dir/valkey-*``."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            name = proc.info["name"] or ""
            postmaster = name == "postgres" and str(data_dir) in " ".join(proc.info["cmdline"] or ())
            if postmaster or ("valkey" in name and proc.cwd().startswith(str(data_dir))):
                found.append(proc)
        except psutil.Error:
            pass
    return found


def _stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


@contextlib.contextmanager
def _serve_two_workers(settings: Settings) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``serve --workers 2`` on the test database and Redis, ready; yields the process and its base URL (killed if left running)."""
    port = free_port()
    env = _env(DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url, TAQUILLA_DATA_DIR=str(settings.data_dir))
    proc = subprocess.Popen([TAQUILLA, "serve", "--workers", "2", "--port", str(port)], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, proc)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.kill()


def test_serve_workers_answer_from_several_processes(settings: Settings) -> None:
    """With DATABASE_URL/REDIS_URL: ``serve --workers 2`` answers from two worker pids; SIGTERM stops them."""
    with _serve_two_workers(settings) as (proc, base):
        pids = _worker_pids(base, 2)
        assert len(pids) == 2 and proc.pid not in pids
        assert _stop(proc) == 0
        assert _gone(list(pids))


def test_embedded_servers_shared_by_workers_reused_by_commands_and_stopped(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One embedded PostgreSQL and one Valkey for ``serve --workers 2``; a command on the same data dir
    reuses them; SIGTERM to serve leaves no server behind; a command alone stops what it started."""
    data = Path(tempfile.mkdtemp(prefix="tq-life-"))
    env = _env(TAQUILLA_DATA_DIR=str(data))
    port = free_port()
    proc = subprocess.Popen([TAQUILLA, "serve", "--workers", "2", "--port", str(port)], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, proc)
        state = json.loads((data / STATE_FILE).read_text())
        assert state["ownerPid"] == proc.pid
        pg_pid, valkey_pid = state["postgres"]["pid"], state["valkey"]["pid"]
        assert pid_alive(pg_pid) and pid_alive(valkey_pid)
        workers = _worker_pids(base, 2)
        assert len(workers) == 2 and proc.pid not in workers
        assert len(_embedded_processes(data)) > 1  # the postmaster, its helpers and the Valkey

        # A command on the same data directory reuses serve's servers and leaves them running.
        r = subprocess.run([TAQUILLA, "kpis", "refresh"], check=False, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert pid_alive(pg_pid) and pid_alive(valkey_pid)
        assert sorted(p.name for p in data.glob("valkey-*")) == [f"valkey-{proc.pid}"]
        assert json.loads((data / "pg" / ".handle_pids.json").read_text()) == [proc.pid]
        assert httpx.get(base + "/readyz", timeout=5).status_code == 200

        assert _stop(proc) == 0
        assert _gone([pg_pid, valkey_pid, *workers])
        assert not (data / STATE_FILE).exists()
        assert _embedded_processes(data) == []

        # Alone, a command starts its own servers and stops them when it ends.
        r = subprocess.run([TAQUILLA, "migrate"], check=False, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert _embedded_processes(data) == []
        assert list(data.glob("valkey-*")) == []
    finally:
        if proc.poll() is None:
            proc.kill()
        for leftover in _embedded_processes(data):
            leftover.kill()
        shutil.rmtree(data, ignore_errors=True)


def test_serve_workers_metrics_sum_every_worker(settings: Settings) -> None:
    """``serve --workers 2``: ``/metrics`` answered by either worker counts the requests of both."""
    with _serve_two_workers(settings) as (proc, base):
        assert len(_worker_pids(base, 2)) == 2

        async def burst() -> None:
            async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0), timeout=5) as http:
                statuses = [r.status_code for r in await asyncio.gather(*(http.get(base + "/api/v1/tickets") for _ in range(40)))]
                assert statuses == [401] * 40

        asyncio.run(burst())
        pattern = r'^http_requests_total\{[^}]*handler="/api/v1/tickets"[^}]*method="GET"[^}]*\} (\S+)$'
        for _ in range(6):  # new connections: whichever worker answers reports the sum of both
            text = httpx.get(base + "/metrics", headers={"Connection": "close"}, timeout=5).text
            assert sum(float(m) for m in re.findall(pattern, text, re.MULTILINE)) == 40
        assert _stop(proc) == 0


async def test_serve_finishes_in_flight_requests_on_sigterm(settings: Settings, app: object, admin_headers: dict[str, str]) -> None:
    """SIGTERM while a request waits on a database lock: ``serve`` stops accepting, lets the request
    finish with its 200 and then exits (graceful shutdown, ``SHUTDOWN_GRACE_SECONDS``)."""
    from sqlalchemy import text

    from tests.live import server_env

    port = free_port()
    proc = subprocess.Popen([TAQUILLA, "serve", "--port", str(port)], env=server_env(settings))
    base = f"http://127.0.0.1:{port}"
    try:
        await asyncio.to_thread(_wait_ready, base, proc)
        async with app.state.engine.connect() as conn, httpx.AsyncClient(timeout=60) as http:  # type: ignore[attr-defined]
            await conn.execute(text("LOCK TABLE loterias IN ACCESS EXCLUSIVE MODE"))  # the request below waits on it
            in_flight = asyncio.create_task(http.get(base + "/api/v1/loterias", headers=admin_headers))
            for _ in range(100):
                waiting = await conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'loterias'::regclass"))
                if waiting:
                    break
                await asyncio.sleep(0.1)
            assert waiting, f"the request never waited on the lock: {in_flight.done() and in_flight.result().text}"
            proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(1.0)
            assert proc.poll() is None and not in_flight.done()  # still serving the request in flight
            await conn.rollback()  # release the lock
            response = await in_flight
        assert response.status_code == 200, response.text
        # uvicorn re-raises the SIGTERM once it has shut down: 128 + 15, the usual exit of a stopped service
        assert await asyncio.to_thread(proc.wait, 30) in (0, 143, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
