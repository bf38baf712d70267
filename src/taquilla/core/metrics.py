"""Prometheus metrics at ``GET /metrics`` (prometheus-fastapi-instrumentator + prometheus_client).

What is exported:

* ``http_request_duration_seconds`` (histogram) and ``http_requests_total`` by route template
  (``handler``), method and status class, ``http_request_size_bytes``/``http_response_size_bytes``
  (summaries by handler, from ``Content-Length``) and ``http_request_duration_highr_seconds`` — the
  instrumentator's default set, same names, labels and buckets, recorded by
  :class:`HttpMetricsMiddleware` (issue 13: the instrumentator's own middleware resolved the route
  template by matching the request against every route of the app before serving it, ~3 % of a
  write's CPU; this one reads the route Starlette matched, ``scope["route"]``, after serving it);
* ``taquilla_business_events_total{event}`` — acknowledged (2xx) writes that matter to the
  business: sales and cancellations of both contexts, prize payments, movements,
  settlements, director assignments and payments (:data:`BUSINESS_EVENTS`, by route);
* ``taquilla_cache_requests_total{cache, result}`` — Redis cache lookups, ``hit`` or ``miss``
  (:func:`count_cache`, called by :func:`taquilla.core.cache.cache_get_json`).

The business and cache counters are per process and registered in every app's registry.
With ``serve --workers N`` the CLI sets ``PROMETHEUS_MULTIPROC_DIR`` (under the data
directory, emptied at start), so any worker answering ``/metrics`` reports the sum of all
workers (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram, Summary
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator.routing import _effective_routes, get_route_name
from starlette.requests import HTTPConnection
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

BUSINESS_EVENTS: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/boxoffice/tickets"): "boxoffice_sale",
    ("POST", "/api/v1/boxoffice/tickets/{ticket_id}/cancel"): "boxoffice_cancel",
    ("POST", "/api/v1/tickets"): "lottery_sale",
    ("PATCH", "/api/v1/tickets/{ticket_id}/cancel"): "lottery_cancel",
    ("POST", "/api/v1/tickets/{ticket_id}/pay"): "prize_payment",
    ("POST", "/api/v1/accounts/payment"): "movement",
    ("POST", "/api/v1/accounts/mayorizations/settle"): "settlement",
    ("POST", "/director/assign"): "director_assignment",
    ("POST", "/director/payments"): "director_payment",
}
"""(method, route template) → event name counted on a 2xx answer (an idempotent replay counts again)."""

BUSINESS = Counter(
    "taquilla_business_events_total", "Acknowledged business writes, by event.", ["event"], registry=None
)
CACHE = Counter("taquilla_cache_requests_total", "Redis cache lookups, by cache and result.", ["cache", "result"], registry=None)


def count_cache(key: str, hit: bool) -> None:
    """Count one cache lookup of ``key``; the cache's name is the key up to its second ``:``."""
    CACHE.labels(":".join(key.split(":")[:2]), "hit" if hit else "miss").inc()


def prepare_multiprocess(data_dir: Path) -> None:
    """Before spawning workers: an empty ``PROMETHEUS_MULTIPROC_DIR`` under ``data_dir`` for them to share."""
    path = Path(data_dir) / "prometheus"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROC_ENV] = str(path)


EXCLUDED_HANDLERS = frozenset({"/metrics", "/healthz", "/readyz"})
"""Route templates not recorded (the instrumentator's ``excluded_handlers``; exact templates here)."""
LATENCY_HIGHR_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60, float("inf"))
LATENCY_LOWR_BUCKETS = (0.1, 0.5, 1, float("inf"))


class HttpMetrics:
    """The instrumentator's default HTTP metrics, registered in ``registry`` (one set per app)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.total = Counter(
            "http_requests_total", "Total number of requests by method, status and handler.",
            ("method", "status", "handler"), registry=registry,
        )
        self.in_size = Summary(
            "http_request_size_bytes",
            "Content length of incoming requests by handler. Only value of header is respected. Otherwise ignored. "
            "No percentile calculated. ",
            ("handler",), registry=registry,
        )
        self.out_size = Summary(
            "http_response_size_bytes",
            "Content length of outgoing responses by handler. Only value of header is respected. Otherwise ignored. "
            "No percentile calculated. ",
            ("handler",), registry=registry,
        )
        self.latency_highr = Histogram(
            "http_request_duration_highr_seconds",
            "Latency with many buckets but no API specific labels. Made for more accurate percentile calculations. ",
            buckets=LATENCY_HIGHR_BUCKETS, registry=registry,
        )
        self.latency_lowr = Histogram(
            "http_request_duration_seconds",
            "Latency with only few buckets by handler. Made to be only used if aggregation by handler is important. ",
            ("method", "handler"), buckets=LATENCY_LOWR_BUCKETS, registry=registry,
        )
        self._children: dict[tuple[str, str, str], tuple[Any, Any, Any, Any]] = {}

    def observe(self, method: str, handler: str, status: int, in_size: int, out_size: int, seconds: float) -> None:
        """Record one served request of route template ``handler`` (status grouped as ``2xx``…; sizes in bytes)."""
        group = f"{str(status)[0]}xx"
        key = (method, handler, group)
        children = self._children.get(key)
        if children is None:  # label lookups are a lock + dict each: resolved once per (method, handler, status)
            children = self._children[key] = (
                self.total.labels(method, group, handler),
                self.in_size.labels(handler),
                self.out_size.labels(handler),
                self.latency_lowr.labels(method, handler),
            )
        total, in_sz, out_sz, lowr = children
        total.inc()
        in_sz.observe(in_size)
        out_sz.observe(out_size)
        self.latency_highr.observe(seconds)
        lowr.observe(seconds)
        if 200 <= status < 300:
            event = BUSINESS_EVENTS.get((method, handler))
            if event is not None:
                BUSINESS.labels(event).inc()


def _content_length(headers: Any) -> int:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


class HttpMetricsMiddleware:
    """Pure-ASGI middleware recording :class:`HttpMetrics` for every templated request.

    The template is the matched route's path: Starlette/FastAPI store the route in ``scope["route"]``
    when they select it, and a dict maps it to its full template (router prefixes included), built
    from the app's routes on first use. Requests that matched no route (a 404, a redirect) or a route
    the dict does not know (a plain Starlette route, a route included twice) fall back to the
    instrumentator's own resolution (``get_route_name``): unmatched → not recorded, as before.
    """

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self._templates: dict[int, str] | None = None

    def _template_map(self, scope: Scope) -> dict[int, str]:
        templates: dict[int, str] = {}
        seen_twice: set[int] = set()
        routes = getattr(scope.get("app"), "routes", None) or []
        for candidate in _effective_routes(routes):
            route = getattr(candidate, "original_route", None) or candidate
            path = getattr(candidate, "path", None)
            if not isinstance(path, str) or isinstance(route, Mount):  # a mount's template is its child's: fallback
                continue
            key = id(route)
            if key in templates and templates[key] != path:
                seen_twice.add(key)
            templates[key] = path
        for key in seen_twice:
            templates.pop(key)
        return templates

    def _handler(self, scope: Scope, before: Scope) -> str | None:
        """The route template of the served request (``before``: its scope as it came in, for the fallback)."""
        route = scope.get("route")
        if route is not None:
            if self._templates is None:
                self._templates = self._template_map(scope)
            template = self._templates.get(id(route))
            if template is not None:
                return template
        return get_route_name(HTTPConnection(before), should_include_root_path=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        before = dict(scope)  # routing rewrites path/root_path under a mount; the fallback matches the original
        status = 500
        out_headers: Any = ()

        async def send_wrapper(message: Message) -> None:
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = message.get("headers") or ()
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            handler = self._handler(scope, before)
            if handler is not None and handler not in EXCLUDED_HANDLERS:
                self.metrics.observe(
                    scope["method"], handler, int(status), _content_length(scope.get("headers") or ()),
                    _content_length(out_headers), max(time.perf_counter() - started, 0.0),
                )


def install_metrics(app: FastAPI) -> None:
    """Instrument ``app`` (:class:`HttpMetricsMiddleware`, outermost) and expose ``GET /metrics``.

    Text format; not in the OpenAPI document. Call it after every other ``add_middleware``.
    """
    registry = CollectorRegistry()
    if MULTIPROC_ENV not in os.environ:  # multiprocess mode reads every metric from the shared files instead
        for collector in (BUSINESS, CACHE):
            registry.register(collector)
    app.add_middleware(HttpMetricsMiddleware, metrics=HttpMetrics(registry))
    Instrumentator(registry=registry).expose(app, endpoint="/metrics", include_in_schema=False)
