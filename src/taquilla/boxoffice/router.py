"""HTTP entry of the box office context (seed 004): every route under ``/api/v1/boxoffice``.

The routes live with their sub-domain — :mod:`~taquilla.boxoffice.catalog.router` (venues,
sections, shows, zones, items), :mod:`~taquilla.boxoffice.events.router` (events, search,
detail) and :mod:`~taquilla.boxoffice.sales.router` (the storefront sale, tickets) — and are
gathered here with the hooks ``main.py`` calls (:func:`install`, :func:`on_startup`).
"""

from __future__ import annotations

from fastapi import FastAPI

from taquilla.boxoffice.catalog.router import router as catalog_router
from taquilla.boxoffice.events.router import router as events_router
from taquilla.boxoffice.sales.router import router as sales_router
from taquilla.core.routing import context_router

router = context_router()
# One flat router (the sub-routers' routes, paths already prefixed), sales first: each level of
# include_router is another route-matching pass per request, and POST /tickets is the hot path.
for _sub in (sales_router, catalog_router, events_router):
    router.routes.extend(_sub.routes)


def install(app: FastAPI) -> None:
    """Mount the back office (SQLAdmin) at ``/admin``."""
    from taquilla.admin import install_admin

    install_admin(app)


async def on_startup(app: FastAPI) -> None:
    """Bind the back office to the engine created in the lifespan."""
    from taquilla.admin import bind_admin

    bind_admin(app)
