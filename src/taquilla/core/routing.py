"""The route class of every router: request JSON parsed with exact decimals.

FastAPI parses a JSON body with the standard library before validation, so
``99000000000000.01`` would reach a schema as the nearest binary float
(``…000.02`` once rounded to cents). :class:`ExactJSONRoute` hands the handler a
request whose ``json()`` parses fractional numbers as ``Decimal``
(DOMAIN.md "Amounts in JSON are exact"); integers stay ``int``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.routing import Match, get_route_path
from starlette.types import Scope


class ExactJSONRequest(Request):
    """A request whose JSON body keeps fractional numbers as ``Decimal``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=Decimal)
        return self._json


HandResolver = Callable[[Request, Callable[..., Any]], Awaitable[Response | None]]
"""``resolver(request, endpoint)``: call ``endpoint`` with arguments built by hand and return its response,
or ``None`` to hand the request to FastAPI's own handler (see :func:`hand_resolved`)."""


def hand_resolved(resolver: HandResolver) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a hot route's endpoint to be called by ``resolver`` instead of FastAPI's dependency layer (issue 13).

    Put it under the ``@router.post(...)`` decorator. The endpoint's signature still declares the
    route (OpenAPI, and the FastAPI handler that serves whatever the resolver returns ``None`` for);
    at run time the resolver builds the same arguments with the functions the dependencies call
    (``security.principal_of``, ``db.request_transaction``, ``idempotency.idempotency_of``, …) and must
    keep their order and errors. It returns ``None`` for a body that does not validate
    (:func:`valid_body`), so FastAPI answers those with its usual error. The endpoint must return a
    ``Response``. Measured (``bench.bench_core --against``, in-process CPU per request, side by side):
    the dependency layer was 12–21 % of these routes' CPU (bench/README.md "Hand-resolved hot routes").
    """

    def mark(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        endpoint.__hand_resolver__ = resolver  # type: ignore[attr-defined]
        return endpoint

    return mark


async def valid_body(request: Request, model: type[BaseModel]) -> Any:
    """The JSON body validated as FastAPI validates a body parameter (exact decimals, Python mode), or ``None``
    when it is not JSON or does not validate — the caller then returns ``None`` and FastAPI answers the error."""
    content_type = request.headers.get("content-type")
    if content_type is not None:  # FastAPI parses JSON without a content type or with application/json, application/*+json
        maintype, _, subtype = content_type.split(";", 1)[0].strip().lower().partition("/")
        if maintype != "application" or not (subtype == "json" or subtype.endswith("+json")):
            return None
    try:
        return model.model_validate(await request.json())
    except (ValueError, ValidationError):  # JSONDecodeError is a ValueError
        return None


class ExactJSONRoute(APIRoute):
    """An ``APIRoute`` whose handler sees :class:`ExactJSONRequest`; a :func:`hand_resolved` endpoint is tried
    by its resolver first."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        resolver: HandResolver | None = getattr(self.endpoint, "__hand_resolver__", None)
        endpoint = self.endpoint

        async def exact(request: Request) -> Response:
            exact_request = ExactJSONRequest(request.scope, request.receive)
            if resolver is not None and (response := await resolver(exact_request, endpoint)) is not None:
                return response
            return await handler(exact_request)

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


def _routers_under(router: Any) -> list[Any]:
    """``router`` and every router included in it, at any depth (each once)."""
    found, seen = [router], {id(router)}
    for current in found:
        for route in current.routes:
            nested = getattr(route, "original_router", None)
            if nested is not None and id(nested) not in seen:
                seen.add(id(nested))
                found.append(nested)
    return found


def _prefilter(included: Any) -> None:
    """Give the included router ``included`` a ``matches`` that first checks the path's literal prefixes.

    A route's compiled pattern starts with its path's literal part, so a path that starts with none of
    the router's literal prefixes matches none of its routes (neither fully nor partially): ``NONE``
    at once, instead of FastAPI trying every route (with its per-candidate scope bookkeeping). Any other
    path goes to FastAPI's own ``matches``, unchanged. The prefixes are recomputed when the routes of the
    router or of one included in it change: FastAPI counts each router's own changes (``_routes_version``,
    an inclusion counts in the including router), so their sum over the routers found under it changes
    with any of them — read per request instead of FastAPI's ``_get_routes_version``, which walks every
    route of the tree (1.9 % of a lottery sale's CPU, bench/README.md "Session 8").
    """
    if "matches" in vars(included):  # already filtered
        return
    original = included.matches
    state: dict[str, Any] = {"version": None, "prefixes": None, "routers": _routers_under(included.original_router)}

    def matches(scope: Scope) -> tuple[Match, Scope]:
        version = sum(r._routes_version for r in state["routers"])  # noqa: SLF001
        if version != state["version"]:
            state["routers"] = _routers_under(included.original_router)
            version = sum(r._routes_version for r in state["routers"])  # noqa: SLF001
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
