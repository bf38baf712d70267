"""The ``taquilla`` console script against the test database (real PostgreSQL and Valkey).

Commands run in a worker thread: they start their own event loop, as from a shell.
"""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from taquilla.cli import app as cli
from taquilla.core.settings import Settings, get_settings
from tests.builders import Builders


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
