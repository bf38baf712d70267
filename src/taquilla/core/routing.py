"""The route class of every router: request JSON parsed with exact decimals.

FastAPI parses a JSON body with the standard library before validation, so
``99000000000000.01`` would reach a schema as the nearest binary float
(``…000.02`` once rounded to cents). :class:`ExactJSONRoute` hands the handler a
request whose ``json()`` parses fractional numbers as ``Decimal``
(DOMAIN.md "Amounts in JSON are exact"); integers stay ``int``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.routing import Match, get_route_path
from starlette.types import Scope


class ExactJSONRequest(Request):
    """A request whose JSON body keeps fractional numbers as ``Decimal``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=Decimal)
        return self._json


class ExactJSONRoute(APIRoute):
    """An ``APIRoute`` whose handler sees :class:`ExactJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactJSONRequest(request.scope, request.receive))

        return exact


def context_router(**kwargs: Any) -> APIRouter:
    """``APIRouter(**kwargs)`` with :class:`ExactJSONRoute` (use it for every router of the service)."""
    return APIRouter(route_class=ExactJSONRoute, **kwargs)


def _literal_prefixes(included: Any) -> tuple[str, ...] | None:
    """The literal beginning (up to the first ``{``) of every route path of ``included``; None if one has no path."""
    prefixes = set()
    for context in included.effective_route_contexts():
        route = getattr(context, "starlette_route", None) or context
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            return None
        prefixes.add(path.split("{", 1)[0])
    return tuple(sorted(prefixes))


def _prefilter(included: Any) -> None:
    """Give the included router ``included`` a ``matches`` that first checks the path's literal prefixes.

    A route's compiled pattern starts with its path's literal part, so a path that starts with none of
    the router's literal prefixes matches none of its routes (neither fully nor partially): ``NONE``
    at once, instead of FastAPI trying every route (with its per-candidate scope bookkeeping). Any other
    path goes to FastAPI's own ``matches``, unchanged. The prefixes are recomputed when the router's
    routes change (FastAPI's routes version).
    """
    if "matches" in vars(included):  # already filtered
        return
    original = included.matches
    state: dict[str, Any] = {"version": None, "prefixes": None}

    def matches(scope: Scope) -> tuple[Match, Scope]:
        version = included.original_router._get_routes_version()  # noqa: SLF001
        if version != state["version"]:
            state["prefixes"], state["version"] = _literal_prefixes(included), version
        prefixes = state["prefixes"]
        if prefixes is not None and not get_route_path(scope).startswith(prefixes):
            return Match.NONE, {}
        return original(scope)

    included.matches = matches


def install_route_prefilter(app: Any) -> None:
    """Route matching without trying every route of every context (issue 13).

    FastAPI matches a request against each included router in turn, and each of them tries all its
    routes: a lottery sale (``POST /api/v1/tickets``, the last context) cost ~240 µs of matching, done
    twice. Each included router of the app, and each router nested in one, gets :func:`_prefilter`.
    Same routes, same order, same 404/405 answers; call it after the last ``include_router``.
    """
    pending = [route for route in app.router.routes if type(route).__name__ == "_IncludedRouter"]
    while pending:
        included = pending.pop()
        _prefilter(included)
        pending.extend(c for c in included.effective_candidates() if type(c).__name__ == "_IncludedRouter")
