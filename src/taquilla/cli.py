"""The ``taquilla`` console script (typer + rich).

Commands: ``serve``, ``migrate``, ``demo-data``, ``kpis refresh``, ``users create``,
``network reconcile``. Each runs inside :func:`taquilla.core.commands.prepared`:
endpoints resolved (embedded servers started when ``DATABASE_URL``/``REDIS_URL``
are unset — or reused from a running ``serve`` on the same data directory — and
stopped when the command ends), pending migrations applied.
"""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer

from taquilla.core.commands import console, prepared, with_session
from taquilla.core.logging import configure_logging
from taquilla.core.settings import Settings
from taquilla.network.cli import network_app

app = typer.Typer(help="Taquilla back office.", no_args_is_help=True, add_completion=False)
kpis_app = typer.Typer(help="Director KPI views.", no_args_is_help=True)
users_app = typer.Typer(help="Users.", no_args_is_help=True)
app.add_typer(kpis_app, name="kpis")
app.add_typer(users_app, name="users")
app.add_typer(network_app, name="network")

APP_FACTORY = "taquilla.main:create_app"


def _seed_demo(settings: Settings) -> None:
    from taquilla.demo import seed_all

    lines = asyncio.run(with_session(settings, lambda s: seed_all(s, settings)))
    console.print("[bold green]Demo data ready.[/bold green]")
    for line in lines:
        console.print("  " + line)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8080,
    demo: Annotated[bool, typer.Option("--demo", help="load demo data before serving")] = False,
    workers: Annotated[int, typer.Option(min=1, help="worker processes (they share one database and one Redis)")] = 1,
) -> None:
    """Apply migrations and serve the API (docs at /docs, back office at /admin).

    With ``--workers N`` uvicorn starts N processes of ``taquilla.main:create_app``; the
    database and Redis URLs (embedded servers started here when unset) reach them through
    the environment. The embedded servers stop when ``serve`` stops (Ctrl+C, SIGTERM), after
    in-flight requests finish (at most ``SHUTDOWN_GRACE_SECONDS``).
    """
    import uvicorn

    from taquilla.core.metrics import prepare_multiprocess

    with prepared(share=True) as settings:
        if demo:
            _seed_demo(settings)
        configure_logging(settings.log_level)
        console.print(f"[bold]Taquilla[/bold] on http://{host}:{port}  (docs: /docs, admin: /admin, workers: {workers})")
        # Graceful shutdown: on SIGTERM/SIGINT uvicorn stops accepting and lets in-flight requests finish.
        common = {"host": host, "port": port, "log_config": None, "access_log": False,
                  "timeout_graceful_shutdown": settings.shutdown_grace_seconds}
        if workers == 1:
            from taquilla.main import create_app

            uvicorn.run(create_app(settings), **common)  # type: ignore[arg-type]
            return
        # Workers are spawned processes that build their own app from the environment.
        os.environ["DATABASE_URL"] = settings.database_url
        os.environ["REDIS_URL"] = settings.redis_url
        prepare_multiprocess(settings.data_dir)  # /metrics sums every worker
        uvicorn.run(APP_FACTORY, factory=True, workers=workers, **common)  # type: ignore[arg-type]


@app.command()
def migrate() -> None:
    """Apply pending Alembic migrations."""
    with prepared():
        console.print("[green]Database is at the latest migration.[/green]")


@app.command("demo-data")
def demo_data(
    network_scale: Annotated[int, typer.Option("--network-scale", min=0, help="also generate N lottery tickets in bulk (0 = none)")] = 0,
) -> None:
    """Load idempotent demo data (prints the demo credentials)."""
    with prepared() as settings:
        _seed_demo(settings)
        if network_scale > 0:
            from taquilla.datagen.network_scale import generate

            generate(settings, network_scale, console)


@kpis_app.command("refresh")
def kpis_refresh() -> None:
    """REFRESH MATERIALIZED VIEW CONCURRENTLY for the three director KPI views."""
    from taquilla.core.cache import create_redis
    from taquilla.core.db import create_engine, create_sessionmaker
    from taquilla.director.kpis import refresh_views

    with prepared() as settings:

        async def run() -> str:
            engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
            redis = create_redis(settings.redis_url)
            try:
                return (await refresh_views(create_sessionmaker(engine), redis)).isoformat()
            finally:
                await redis.aclose()
                await engine.dispose()

        console.print(f"[green]KPI views refreshed at {asyncio.run(run())}[/green]")


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option(help="ADMIN | VENTANA | VENDEDOR | ORGANIZER")] = "ADMIN",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
    organizer_id: Annotated[str | None, typer.Option("--organizer-id")] = None,
    ventana_id: Annotated[str | None, typer.Option("--ventana-id")] = None,
) -> None:
    """Create a user with a hashed password."""
    from taquilla.core.errors import TaquillaError
    from taquilla.core.security import Role
    from taquilla.identity.service import create_user

    try:
        role_value = Role(role.upper())
    except ValueError:
        console.print(f"[red]Unknown role {role!r}.[/red]")
        raise typer.Exit(2) from None
    with prepared() as settings:
        try:
            user = asyncio.run(
                with_session(
                    settings,
                    lambda s: create_user(
                        s, username=username, password=password, role=role_value, organizer_id=organizer_id, ventana_id=ventana_id
                    ),
                )
            )
        except TaquillaError as exc:
            console.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from None
    console.print(f"[green]Created {user.role} {user.username} ({user.id}).[/green]")


if __name__ == "__main__":
    app()
