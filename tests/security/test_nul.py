"""Issue 12 item 4: U+0000 is refused with 400 at the edge (it used to reach PostgreSQL and answer 500)."""

from __future__ import annotations

import httpx
import pytest

from taquilla.core.middleware import json_has_nul
from tests.boxoffice.builders import build_venue
from tests.builders import Builders


def assert_nul_refused(r: httpx.Response) -> None:
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "NUL_CHARACTER"


async def test_login_with_nul(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("ana", role="ADMIN")
    assert_nul_refused(await client.post("/api/v1/auth/login", json={"username": "ana\u0000", "password": "x"}))
    assert_nul_refused(await client.post("/api/v1/auth/login", json={"username": "ana", "password": "a\u0000b"}))


async def test_storefront_sale_with_nul_writes_nothing(client: httpx.AsyncClient, build: Builders) -> None:
    v = await build_venue(build, key="nul")
    order = v.order(v.seat(3), document="1-2345-6789")
    order["customerName"] = "Ana\u0000Pérez"
    assert_nul_refused(await client.post("/api/v1/boxoffice/tickets", json=order))
    assert await build.scalar("SELECT count(*) FROM tickets") == 0


async def test_director_metadata_with_nul_writes_nothing(client: httpx.AsyncClient, admin_headers: dict[str, str], build: Builders) -> None:
    await build.organizer("org_n")
    await build.event("ev_n")
    body = {"organizerId": "org_n", "eventId": "ev_n", "type": "prepaid", "tickets": 1, "price": 1,
            "metadata": {"note": "a\u0000b", "nested": ["ok"]}}
    assert_nul_refused(await client.post("/director/assign", json=body, headers=admin_headers))
    body["metadata"] = {"k\u0000": "key with a NUL"}
    assert_nul_refused(await client.post("/director/assign", json=body, headers=admin_headers))
    assert await build.scalar("SELECT count(*) FROM director_ledger_entries") == 0


async def test_query_parameter_and_path_with_nul(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    assert_nul_refused(await client.get("/api/v1/boxoffice/events?q=a%00b", headers=admin_headers))
    assert_nul_refused(await client.get("/director/organizers/org%00x/ledger", headers=admin_headers))
    assert_nul_refused(await client.get("/healthz?x=%00"))


async def test_form_body_with_nul(client: httpx.AsyncClient) -> None:
    r = await client.post("/admin/login", content=b"username=a%00&password=b",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_nul_refused(r)


async def test_escaped_backslash_before_u0000_is_plain_text(client: httpx.AsyncClient) -> None:
    # The JSON text "a\\u0000" is the six characters a, \, u, 0, 0, 0, 0 — no NUL: a normal 401.
    r = await client.post("/api/v1/auth/login", content=b'{"username": "a\\\\u0000", "password": "x"}',
                          headers={"Content-Type": "application/json"})
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("body", "has_nul"),
    [(b'"\\u0000"', True), (b'"\\\\u0000"', False), (b'"\\\\\\u0000"', True), (b'"\x00"', True), (b'"u0000"', False)],
)
def test_json_nul_detection(body: bytes, has_nul: bool) -> None:
    assert json_has_nul(body) is has_nul
