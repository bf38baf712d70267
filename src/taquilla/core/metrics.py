"""Prometheus metrics at ``GET /metrics`` (prometheus-fastapi-instrumentator + prometheus_client).

What is exported:

* ``http_request_duration_seconds`` (histogram) and ``http_requests_total`` by route template
  (``handler``), method and status class — the instrumentator's defaults;
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
from pathlib import Path

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator.metrics import Info
from prometheus_fastapi_instrumentator.middleware import (
    PrometheusInstrumentatorMiddleware,
)
from starlette.middleware import Middleware
from starlette.requests import Request

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


def _business_events(info: Info) -> None:
    if info.response is not None and 200 <= info.response.status_code < 300:
        event = BUSINESS_EVENTS.get((info.method, info.modified_handler))
        if event is not None:
            BUSINESS.labels(event).inc()


def prepare_multiprocess(data_dir: Path) -> None:
    """Before spawning workers: an empty ``PROMETHEUS_MULTIPROC_DIR`` under ``data_dir`` for them to share."""
    path = Path(data_dir) / "prometheus"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROC_ENV] = str(path)


class RouteMemoMiddleware(PrometheusInstrumentatorMiddleware):
    """The instrumentator's middleware with its route lookup remembered per (method, path, root path).

    Before each request the instrumentator names the route template by trying the request against every
    route of the app (``prometheus_fastapi_instrumentator.routing.get_route_name``) — 8–9 % of the CPU of a
    lottery sale, a box-office sale or a director write (py-spy, ``bench_core --profile``). The answer
    depends only on the method and the path (the app's routes do not change once it serves), so it is
    looked up once per distinct request line; at most :attr:`MAX_PATHS` are kept (paths with ids are
    all distinct: the memo is emptied when full). Same labels as the library's own middleware.
    """

    MAX_PATHS = 4096

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._handlers: dict[tuple[str, str, str], tuple[str, bool]] = {}

    def _get_handler(self, request: Request) -> tuple[str, bool]:
        scope = request.scope
        key = (scope["method"], scope["path"], scope.get("root_path", ""))
        handler = self._handlers.get(key)
        if handler is None:
            if len(self._handlers) >= self.MAX_PATHS:
                self._handlers.clear()
            handler = self._handlers[key] = super()._get_handler(request)
        return handler


def install_metrics(app: FastAPI) -> None:
    """Instrument ``app`` and expose ``GET /metrics`` (text format; not in the OpenAPI document)."""
    registry = CollectorRegistry()
    if MULTIPROC_ENV not in os.environ:  # multiprocess mode reads every metric from the shared files instead
        for collector in (BUSINESS, CACHE):
            registry.register(collector)
    instrumentator = Instrumentator(
        should_group_status_codes=True,
        should_ignore_untemplated=True,
        excluded_handlers=["/metrics", "/healthz", "/readyz"],
        registry=registry,
    )
    instrumentator.add(_default_metrics(registry)).add(_business_events)
    instrumentator.instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)
    app.user_middleware[:] = [  # the same middleware and options, with the remembered route lookup
        Middleware(RouteMemoMiddleware, *m.args, **m.kwargs) if m.cls is PrometheusInstrumentatorMiddleware else m
        for m in app.user_middleware
    ]
    assert any(m.cls is RouteMemoMiddleware for m in app.user_middleware), "the instrumentator added no middleware"


def _default_metrics(registry: CollectorRegistry):  # type: ignore[no-untyped-def]
    from prometheus_fastapi_instrumentator import metrics

    return metrics.default(registry=registry)
