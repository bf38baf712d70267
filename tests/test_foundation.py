"""Shared machinery: request ids, the error envelope, auth, body limits, health."""

from __future__ import annotations

import httpx

from tests.builders import Builders


async def test_request_id_is_echoed_in_header_and_body(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.status_code == 200
    assert r.headers["x-request-id"] == "abc-123"
    assert r.json()["requestId"] == "abc-123"


async def test_request_id_is_generated_when_missing_or_unsafe(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    rid = r.json()["requestId"]
    assert rid.startswith("req_") and r.headers["x-request-id"] == rid


async def test_readyz_checks_database_and_redis(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["data"] == {"status": "ready", "database": "ok", "redis": "ok"}


async def test_unknown_route_uses_error_envelope(client: httpx.AsyncClient) -> None:
    r = await client.get("/nope", headers={"X-Request-ID": "r1"})
    assert r.status_code == 404
    assert r.json() == {
        "success": False,
        "error": {"code": "NOT_FOUND", "message": "Not Found"},
        "code": "NOT_FOUND",
        "message": "Not Found",
        "requestId": "r1",
    }


async def test_protected_route_needs_token(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/auth/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "MISSING_TOKEN"
    r = await client.get("/api/v1/auth/me", headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "INVALID_TOKEN"


async def test_login_and_me(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("ana", role="ADMIN")
    bad = await client.post("/api/v1/auth/login", json={"username": "ana", "password": "wrong-password"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "INVALID_CREDENTIALS"
    headers = await build.login(client, "ana")
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    body = me.json()["data"]
    assert body["username"] == "ana" and body["role"] == "ADMIN"
    assert "password" not in str(body).lower()


async def test_password_is_stored_hashed(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("bea", role="ADMIN")
    stored = await build.scalar("SELECT password_hash FROM users WHERE username = 'bea'")
    assert stored.startswith("$argon2")


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "MALFORMED_JSON"


async def test_oversized_body_is_413(client: httpx.AsyncClient, app: object) -> None:
    limit = app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    r = await client.post("/api/v1/auth/login", content=b"x" * (limit + 1), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_admin_only_route_refuses_other_roles(client: httpx.AsyncClient, build: Builders) -> None:
    await build.organizer("org_x")
    await build.user("orgy", role="ORGANIZER", organizer_id="org_x")
    headers = await build.login(client, "orgy")
    r = await client.post("/api/v1/users", headers=headers, json={"username": "zed", "password": "12345678", "role": "ADMIN"})
    assert r.status_code == 403
    assert await build.scalar("SELECT count(*) FROM users WHERE username = 'zed'") == 0


async def test_openapi_documents_routes_and_error_envelope(client: httpx.AsyncClient) -> None:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    for path in ("/director/assign", "/director/payments", "/director/overview", "/director/organizers/{organizer_id}/ledger", "/api/v1/auth/login"):
        assert path in spec["paths"], path
    assert "404" in spec["paths"]["/director/assign"]["post"]["responses"]
    assert (await client.get("/docs")).status_code == 200
