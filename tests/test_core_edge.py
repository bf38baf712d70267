"""Issue 13's cut of the per-request framework cost keeps every behaviour of the edge.

* metrics: the route template read from the matched route equals the instrumentator's own
  resolution (``get_route_name``) for templated, plain, 405 and unmatched requests;
* one edge layer: request id and security headers on answers and on the edge's own refusals (413, NUL);
* idempotency: the fingerprint is computed only when a key is claimed, and a claimed key still
  replays the same payload and refuses another one.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from prometheus_fastapi_instrumentator.routing import get_route_name
from starlette.requests import HTTPConnection

from taquilla.core import idempotency
from taquilla.core.metrics import HttpMetricsMiddleware
from tests.builders import Builders


def _metrics_layer(app: Any) -> HttpMetricsMiddleware:
    layer = app.middleware_stack
    while not isinstance(layer, HttpMetricsMiddleware):
        layer = layer.app
    return layer



async def test_route_template_equals_the_instrumentators(client: httpx.AsyncClient, app: Any, monkeypatch: Any) -> None:
    await client.get("/healthz")  # builds the middleware stack
    layer = _metrics_layer(app)
    seen: list[tuple[str, str | None, str | None]] = []
    real = layer._handler  # noqa: SLF001

    def checked(scope: dict[str, Any], before: dict[str, Any]) -> str | None:
        got = real(scope, before)
        seen.append((before["path"], got, get_route_name(HTTPConnection(before), should_include_root_path=False)))
        return got

    monkeypatch.setattr(layer, "_handler", checked)
    for method, path in [
        ("GET", "/api/v1/tickets/tkt_123"),
        ("POST", "/api/v1/tickets"),
        ("POST", "/director/assign"),
        ("GET", "/director/overview"),
        ("GET", "/director/ledger"),
        ("POST", "/api/v1/boxoffice/tickets"),
        ("DELETE", "/director/assign"),  # 405: a partial match keeps its template
        ("GET", "/nope/nowhere"),  # 404: untemplated (not recorded)
        ("GET", "/healthz"),
        ("GET", "/openapi.json"),
        ("GET", "/admin/login"),
    ]:
        await client.request(method, path, json={} if method == "POST" else None)
    assert len(seen) == 11
    for path, got, expected in seen:
        assert got == expected, (path, got, expected)
    assert seen[0][1] == "/api/v1/tickets/{ticket_id}" and seen[7][1] is None


async def test_metrics_record_templates_not_ids(client: httpx.AsyncClient) -> None:
    await client.get("/api/v1/tickets/tkt_does_not_exist")
    await client.get("/nope/nowhere")
    text = (await client.get("/metrics")).text
    assert 'handler="/api/v1/tickets/{ticket_id}"' in text
    assert "tkt_does_not_exist" not in text and "/nope/nowhere" not in text
    assert 'handler="/metrics"' not in text and 'handler="/healthz"' not in text
    for name in ("http_request_size_bytes", "http_response_size_bytes", "http_request_duration_highr_seconds"):
        assert name in text


async def test_edge_refusals_carry_request_id_and_security_headers(client: httpx.AsyncClient, app: Any) -> None:
    big = b'{"x": "' + b"a" * (app.state.settings.max_body_bytes + 10) + b'"}'
    r = await client.post("/director/assign", content=big, headers={"X-Request-ID": "big-1", "content-type": "application/json"})
    assert r.status_code == 413 and r.headers["x-request-id"] == "big-1"
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in r.headers
    r = await client.post("/director/assign", content=b'{"x": "\\u0000"}', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "NUL_CHARACTER"
    assert r.headers["x-request-id"] == r.json()["requestId"] and r.headers["referrer-policy"] == "no-referrer"
    r = await client.get("/healthz")
    assert [k for k, _ in r.headers.items()].count("x-content-type-options") == 1


async def test_fingerprint_only_for_a_claimed_key(client: httpx.AsyncClient, build: Builders, monkeypatch: Any) -> None:
    await build.user("boss", "ADMIN")
    await build.organizer()
    await build.event()
    auth = await build.login(client, "boss")
    calls: list[str] = []
    real = idempotency.fingerprint

    def counting(method: str, path: str, body: bytes) -> str:
        calls.append(path)
        return real(method, path, body)

    monkeypatch.setattr(idempotency, "fingerprint", counting)
    body = {"organizerId": "org_demo", "amount": 12.5, "currency": "mxn"}
    r = await client.post("/director/payments", json=body, headers=auth)
    assert r.status_code == 201 and calls == []  # no key: no fingerprint
    keyed = {**auth, "Idempotency-Key": "k-core-1"}
    first = await client.post("/director/payments", json=body, headers=keyed)
    again = await client.post("/director/payments", content=json.dumps({**body, "amount": 12.50}), headers={**keyed, "content-type": "application/json"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and again.json()["data"] == first.json()["data"]
    other = await client.post("/director/payments", json={**body, "amount": 13}, headers=keyed)
    assert other.status_code == 422 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert calls and all(p == "/director/payments" for p in calls)
