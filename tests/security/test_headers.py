"""Issue 12 item 7: security headers on the API and the back office; HSTS only behind HTTPS."""

from __future__ import annotations

from typing import Any

import httpx


async def test_api_responses_carry_security_headers(client: httpx.AsyncClient) -> None:
    for r in (await client.get("/healthz"), await client.get("/nope"), await client.post("/api/v1/auth/login", content=b"{")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert "strict-transport-security" not in r.headers  # plain HTTP


async def test_back_office_has_its_own_content_security_policy(client: httpx.AsyncClient) -> None:
    r = await client.get("/admin/login")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert "script-src 'self' 'sha256-" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["x-frame-options"] == "DENY"


async def test_hsts_behind_https(app: Any) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://test") as c:
        r = await c.get("/healthz")
    assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


async def test_docs_page_keeps_working(client: httpx.AsyncClient) -> None:
    r = await client.get("/docs")
    assert r.status_code == 200 and "content-security-policy" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"
