"""``GET /metrics`` (issue 14, Operations): latency histograms by route template, business events, cache lookups."""

from __future__ import annotations

import re
from typing import Any

from tests.network.builders import Net, cr


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of the sample ``name{labels…}`` in a Prometheus text exposition (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        m = re.match(rf"^{re.escape(name)}\{{(.*)\}} (\S+)$", line)
        if m and all(f'{k}="{v}"' in m.group(1) for k, v in labels.items()):
            total += float(m.group(2))
    return total


async def _metrics(net: Net) -> str:
    r = await net.client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return r.text


async def test_sales_and_latency_by_route_template(net: Net) -> None:
    lot = await net.loteria()
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    vendedor = await net.vendedor(ventana["id"])
    hv = await net.login(vendedor["username"])
    net.clock.set(cr(2026, 1, 15, 10))
    sorteo = await net.sorteo(lot["id"], cr(2026, 1, 15, 12, 55))
    before = await _metrics(net)
    ticket = await net.sell(hv, sorteo["id"], [("07", 100)])
    await net.sell(hv, sorteo["id"], [("07", 0)], expect=400)  # refused: not an acknowledged sale
    await net.get(f"/api/v1/tickets/{ticket['id']}", headers=hv)
    after = await _metrics(net)
    event = 'taquilla_business_events_total'
    assert _sample(after, event, event="lottery_sale") - _sample(before, event, event="lottery_sale") == 1
    count = "http_request_duration_seconds_count"
    labels = {"handler": "/api/v1/tickets/{ticket_id}", "method": "GET"}
    assert _sample(after, count, **labels) - _sample(before, count, **labels) == 1  # the template, not the id
    assert ticket["id"] not in after
    posts = {"handler": "/api/v1/tickets", "method": "POST"}
    assert _sample(after, count, **posts) - _sample(before, count, **posts) == 2
    assert _sample(after, "http_requests_total", handler="/api/v1/tickets", method="POST", status="4xx") >= 1
    assert "/metrics" not in (await net.client.get("/openapi.json")).json()["paths"]


async def test_the_remembered_route_lookup_names_every_request_as_the_instrumentator_does(app: Any) -> None:
    """``RouteMemoMiddleware`` (issue 13): the same (template, templated) as the library's lookup — templates with
    ids, a wrong method (partial match), unknown paths — also after its memo is emptied when full."""
    from prometheus_client import CollectorRegistry
    from prometheus_fastapi_instrumentator.middleware import (
        PrometheusInstrumentatorMiddleware,
    )
    from starlette.requests import Request

    from taquilla.core.metrics import RouteMemoMiddleware

    memo = next(m for m in app.user_middleware if m.cls is RouteMemoMiddleware)
    ours = RouteMemoMiddleware(app.router, *memo.args, **{**memo.kwargs, "registry": CollectorRegistry()})
    ours.MAX_PATHS = 3
    library = PrometheusInstrumentatorMiddleware(app.router, *memo.args, **{**memo.kwargs, "registry": CollectorRegistry()})
    lines = [("POST", "/api/v1/tickets"), ("GET", "/api/v1/tickets/tkt_1"), ("GET", "/api/v1/tickets/tkt_2"),
             ("DELETE", "/api/v1/tickets"), ("GET", "/nowhere/at/all"), ("POST", "/api/v1/boxoffice/tickets"),
             ("PATCH", "/api/v1/tickets/tkt_1/cancel"), ("GET", "/healthz"), ("POST", "/director/assign")]
    named = set()
    for _ in range(3):  # first lookups, remembered ones, and after the memo was emptied (3 paths at most)
        for method, path in lines:
            scope = {"type": "http", "method": method, "path": path, "root_path": "", "app": app, "headers": [],
                     "query_string": b""}
            got, expected = ours._get_handler(Request(scope)), library._get_handler(Request(scope))
            assert got == expected, (method, path, got, expected)
            named.add(got)
        assert len(ours._handlers) <= 3
    assert ("/api/v1/tickets/{ticket_id}", True) in named and ("/nowhere/at/all", False) in named
