"""One API convention across the contexts (DOMAIN.md "Envelope", "Errors", "Idempotency", "Amounts in JSON").

Each test goes through the HTTP API of the real app (real PostgreSQL and Redis behind it).
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from taquilla.core.idempotency import canonical_json, fingerprint
from taquilla.core.jsonenc import dumps
from tests.builders import Builders

META_KEYS = {"page", "pageSize", "total", "totalPages", "hasNextPage", "hasPrevPage"}


async def _create_three(client: httpx.AsyncClient, headers: dict[str, str], context: str) -> str:
    """Create three rows of one list per context; return the list path."""
    for n in range(3):
        if context == "director":
            r = await client.post("/director/organizers", json={"id": f"org_{n}", "name": f"Org {n}"}, headers=headers)
            path = "/director/organizers"
        elif context == "boxoffice":
            r = await client.post("/api/v1/boxoffice/locations", json={"name": f"Teatro {n}", "city": "San José"}, headers=headers)
            path = "/api/v1/boxoffice/locations"
        elif context == "network":
            r = await client.post("/api/v1/bancas", json={"code": f"B{n}", "name": f"Banca {n}"}, headers=headers)
            path = "/api/v1/bancas"
        else:
            r = await client.post(
                "/api/v1/users", json={"username": f"user{n}", "password": "correct-horse-battery", "role": "ADMIN"}, headers=headers
            )
            path = "/api/v1/users"
        assert r.status_code == 201, r.text
    return path


@pytest.mark.parametrize("context", ["director", "boxoffice", "network", "identity"])
async def test_list_envelope_carries_meta(client: httpx.AsyncClient, admin_headers: dict[str, str], context: str) -> None:
    path = await _create_three(client, admin_headers, context)
    first = (await client.get(path, params={"pageSize": 2}, headers=admin_headers)).json()
    total = first["meta"]["total"]  # identity also lists the admin of the fixture
    assert set(first) == {"success", "data", "meta", "requestId"}
    assert set(first["meta"]) == META_KEYS
    assert first["meta"] == {
        "page": 1, "pageSize": 2, "total": total, "totalPages": (total + 1) // 2, "hasNextPage": True, "hasPrevPage": False,
    }
    assert len(first["data"]) == 2
    last_page = first["meta"]["totalPages"]
    last = (await client.get(path, params={"pageSize": 2, "page": last_page}, headers=admin_headers)).json()
    assert last["meta"]["hasNextPage"] is False and last["meta"]["hasPrevPage"] is True
    assert len(last["data"]) == total - 2 * (last_page - 1)


@pytest.mark.parametrize(
    "path",
    ["/director/organizers/org_missing", "/api/v1/boxoffice/locations/loc_missing", "/api/v1/bancas/banca_missing", "/api/v1/users/usr_missing"],
)
async def test_error_envelope_has_top_level_code_and_message(client: httpx.AsyncClient, admin_headers: dict[str, str], path: str) -> None:
    r = await client.get(path, headers={**admin_headers, "X-Request-ID": "req-404"})
    assert r.status_code == 404
    body = r.json()
    assert body["success"] is False and body["requestId"] == "req-404"
    assert body["code"] == body["error"]["code"] and body["code"].endswith("NOT_FOUND")
    assert body["message"] == body["error"]["message"] and body["message"]


async def test_validation_error_envelope(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    r = await client.post("/api/v1/bancas", json={"code": "B1"}, headers=admin_headers)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == body["error"]["code"] == "VALIDATION_ERROR"
    assert body["message"] == body["error"]["message"] and isinstance(body["error"]["details"], list)


async def test_large_amount_round_trips_to_the_cent(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    """A major-unit amount comes back with the digits sent (never through a binary float)."""
    loc = (await client.post("/api/v1/boxoffice/locations", json={"name": "Estadio", "city": "Heredia"}, headers=admin_headers)).json()
    pres = await client.post(
        "/api/v1/boxoffice/presentations", json={"locationId": loc["data"]["id"], "title": "Final"}, headers=admin_headers
    )
    assert pres.status_code == 201, pres.text
    raw = '{"presentationId": "%s", "name": "Palco", "price": 99000000000000.01, "currency": "crc"}' % pres.json()["data"]["id"]
    zone = await client.post(
        "/api/v1/boxoffice/presentation-sections", content=raw, headers={**admin_headers, "Content-Type": "application/json"}
    )
    assert zone.status_code == 201, zone.text
    assert '"price":99000000000000.01' in zone.text
    got = await client.get(f"/api/v1/boxoffice/presentation-sections/{zone.json()['data']['id']}", headers=admin_headers)
    assert '"price":99000000000000.01' in got.text


def test_encoder_writes_decimals_exactly() -> None:
    assert dumps({"a": Decimal("99000000000000.01"), "b": Decimal("0.10"), "c": [Decimal("-5.00")]}) == (
        b'{"a":99000000000000.01,"b":0.10,"c":[-5.00]}'
    )


def test_fingerprint_compares_numbers_by_value_and_includes_the_query() -> None:
    assert canonical_json({"b": Decimal("100.0"), "a": [Decimal("1E+2"), "x"]}) == '{"a":[100,"x"],"b":100}'
    same = fingerprint("POST", "/p", b'{"amount": 100, "n": "x"}')
    assert fingerprint("POST", "/p", b'{"n":"x","amount":100.0}') == same
    assert fingerprint("POST", "/p?x=1", b'{"amount": 100, "n": "x"}') != same
    assert fingerprint("POST", "/p", b'{"amount": "100", "n": "x"}') != same


async def test_idempotency_100_and_100_0_are_one_payload(client: httpx.AsyncClient, admin_headers: dict[str, str], build: Builders) -> None:
    await build.organizer()
    headers = {**admin_headers, "Idempotency-Key": "pay-100", "Content-Type": "application/json"}
    first = await client.post("/director/payments", content=b'{"organizerId":"org_demo","amount":100,"currency":"mxn"}', headers=headers)
    again = await client.post("/director/payments", content=b'{"currency":"mxn","amount":100.0,"organizerId":"org_demo"}', headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["data"]["entry"]["id"] == first.json()["data"]["entry"]["id"]
    assert await build.scalar("SELECT count(*) FROM director_ledger_entries") == 1


async def test_idempotency_key_with_another_query_string_is_reuse(
    client: httpx.AsyncClient, admin_headers: dict[str, str], build: Builders
) -> None:
    await build.organizer()
    headers = {**admin_headers, "Idempotency-Key": "pay-q"}
    body = {"organizerId": "org_demo", "amount": 10, "currency": "mxn"}
    assert (await client.post("/director/payments", json=body, headers=headers)).status_code == 201
    other = await client.post("/director/payments?note=1", json=body, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await build.scalar("SELECT count(*) FROM director_ledger_entries") == 1


async def test_idempotency_header_and_body_keys_that_disagree(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    banca = (await client.post("/api/v1/bancas", json={"code": "B1", "name": "Banca"}, headers=admin_headers)).json()["data"]
    ventana = await client.post(
        "/api/v1/ventanas", json={"bancaId": banca["id"], "code": "V1", "name": "Ventana"}, headers=admin_headers
    )
    assert ventana.status_code == 201, ventana.text
    body = {"ventanaId": ventana.json()["data"]["id"], "amount": 50, "type": "collection", "method": "cash",
            "date": "2026-11-23", "idempotencyKey": "body-key"}
    r = await client.post("/api/v1/accounts/payment", json=body, headers={**admin_headers, "Idempotency-Key": "header-key"})
    assert r.status_code == 400 and r.json()["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    same = await client.post("/api/v1/accounts/payment", json=body, headers={**admin_headers, "Idempotency-Key": "body-key"})
    assert same.status_code == 201, same.text
    replay = await client.post("/api/v1/accounts/payment", json=body, headers=admin_headers)
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"


async def test_cors_preflight_for_a_configured_origin(client: httpx.AsyncClient) -> None:
    r = await client.options(
        "/api/v1/auth/login",
        headers={"Origin": "http://localhost:8081", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "http://localhost:8081"
    other = await client.options(
        "/api/v1/auth/login", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_every_route_with_a_body_parses_exact_decimals(app: object) -> None:
    """A new router that forgets ``core.routing.context_router`` would read amounts through floats."""
    from fastapi.routing import APIRoute

    from taquilla.core.routing import ExactJSONRoute

    def walk(routes: list) -> list:  # FastAPI keeps included routers as nodes over their original routes
        return [leaf for r in routes for leaf in (walk(r.original_router.routes) if hasattr(r, "original_router") else [r])]

    writing = [r for r in walk(app.routes) if isinstance(r, APIRoute) and r.methods & {"POST", "PUT", "PATCH"}]  # type: ignore[attr-defined]
    assert len(writing) > 40
    assert [r.path for r in writing if not isinstance(r, ExactJSONRoute)] == []
