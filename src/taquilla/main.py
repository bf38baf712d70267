"""The FastAPI application: middleware, error handlers, lifespan resources and context routers.

``create_app(settings)`` is the factory; resources (engine, sessionmaker, Redis, the
KPI refresher) live on ``app.state`` and are created in the lifespan.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import text

from taquilla import __version__
from taquilla.admin import admin_script_hashes
from taquilla.boxoffice import router as boxoffice_router
from taquilla.core.cache import create_redis
from taquilla.core.db import create_engine, create_sessionmaker
from taquilla.core.errors import error_response, install_error_handlers
from taquilla.core.idempotency import IdempotentReplay, replay_response
from taquilla.core.infra import resolve_endpoints
from taquilla.core.jsonenc import TaquillaJSONResponse
from taquilla.core.logging import configure_logging
from taquilla.core.metrics import install_metrics
from taquilla.core.middleware import edge_middleware
from taquilla.core.openapi import install_openapi
from taquilla.core.responses import ok
from taquilla.core.routing import install_route_prefilter
from taquilla.core.secrets import ensure_jwt_secret
from taquilla.core.settings import Settings, get_settings
from taquilla.director import router as director_router
from taquilla.director.kpis import KpiRefresher
from taquilla.identity import router as identity_router
from taquilla.network import router as network_router

log = structlog.get_logger(__name__)
CONTEXT_ROUTERS = (identity_router, director_router, boxoffice_router, network_router)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application. ``settings.database_url``/``redis_url`` empty → embedded servers."""
    settings = ensure_jwt_secret(settings or get_settings())
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        s = app.state.settings
        if not s.database_url or not s.redis_url:
            ep = resolve_endpoints(s.database_url, s.redis_url, s.data_dir, s.database_name)
            s = app.state.settings = s.model_copy(update={"database_url": ep.database_url, "redis_url": ep.redis_url})
        app.state.engine = create_engine(s.database_url, pool_size=s.db_pool_size, max_overflow=s.db_max_overflow)
        app.state.sessionmaker = create_sessionmaker(app.state.engine)
        app.state.redis = create_redis(s.redis_url)
        app.state.kpi_refresher = KpiRefresher(app.state.sessionmaker, app.state.redis, s)
        app.state.kpi_refresher.start()
        for module in CONTEXT_ROUTERS:
            if hasattr(module, "on_startup"):
                await module.on_startup(app)
        # Everything built so far (modules, routes, schemas, mappers: ~250,000 objects) lives as long as the
        # process: out of the cyclic collector's reach, a full collection no longer walks it. Under a rush of
        # sales each worker ran one every few seconds and it stopped the event loop — and every request in
        # flight — for 100–160 ms; after this none in the bench's runs (issue 13, bench/README.md "Session 8").
        # Once per process (a test process builds many apps).
        if not gc.get_freeze_count():
            gc.collect()
            gc.freeze()
        log.info("started", version=__version__)
        try:
            yield
        finally:
            await app.state.kpi_refresher.stop()
            await app.state.redis.aclose()
            await app.state.engine.dispose()

    app = FastAPI(
        title="Taquilla",
        version=__version__,
        description="Back office for ticketing businesses: box office, director and sales network.",
        lifespan=lifespan,
        default_response_class=TaquillaJSONResponse,
    )
    app.state.settings = settings
    app.add_middleware(  # request id, body limit, NUL guard, access log and security headers: one layer
        edge_middleware,
        max_body_bytes=settings.max_body_bytes,
        hsts_max_age_seconds=settings.hsts_max_age_seconds,
        secure_cookies=settings.secure_cookies,
        admin_script_hashes=admin_script_hashes(),
    )
    if settings.cors_origin_list:  # outermost, so preflights and error responses carry the headers too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_credentials="*" not in settings.cors_origin_list,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Idempotent-Replayed", "ETag", "x-cache", "Retry-After"],
        )
    install_error_handlers(app)
    install_openapi(app)
    install_metrics(app)

    @app.exception_handler(IdempotentReplay)
    async def _replay(_: Request, exc: IdempotentReplay) -> TaquillaJSONResponse:
        return replay_response(exc)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, Any]:
        """The process answers."""
        return ok({"status": "ok", "version": __version__, "pid": os.getpid()})  # pid: which worker answered

    @app.get("/readyz", tags=["health"])
    async def readyz(request: Request) -> Any:
        """The database and Redis answer (503 otherwise)."""
        checks = {"database": "ok", "redis": "ok"}
        try:
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            await request.app.state.redis.ping()
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {type(exc).__name__}"
        if any(v != "ok" for v in checks.values()):
            return error_response(503, "NOT_READY", "A dependency is not reachable.", checks)
        return ok({"status": "ready", **checks})

    for module in CONTEXT_ROUTERS:
        app.include_router(module.router)
        if hasattr(module, "install"):
            module.install(app)
    install_route_prefilter(app)  # after the last include_router: a context's routes are tried only when the path can match
    return app
