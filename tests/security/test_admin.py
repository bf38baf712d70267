"""Issue 12 items 2 and 6: the back office refuses cross-site posts, flags its cookie, keeps money and
inventory read-only, and logs out a user who is no longer an active ADMIN."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.boxoffice.builders import build_venue
from tests.builders import PASSWORD, Builders
from tests.security.test_revocation import change_user

EVIL = {"Origin": "https://evil.example", "Referer": "https://evil.example/page"}


@pytest.fixture
async def admin_client(app: Any) -> Any:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def csrf_of(c: httpx.AsyncClient, path: str) -> str:
    page = await c.get(path)
    assert page.status_code == 200, page.text
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match, "page without a CSRF token"
    return match.group(1)


async def admin_login(c: httpx.AsyncClient, username: str = "boss") -> None:
    token = await csrf_of(c, "/admin/login")
    r = await c.post("/admin/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and "/admin/login" not in r.headers["location"], r.text


async def test_cross_origin_post_without_csrf_token_is_refused(admin_client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("boss", role="ADMIN")
    await admin_login(admin_client)
    forged = await admin_client.post("/admin/location/create", data={"name": "Evil Hall", "city": "Nowhere"}, headers=EVIL)
    assert forged.status_code == 403
    wrong = await admin_client.post("/admin/location/create", data={"name": "Evil Hall", "city": "x", "csrf_token": "guess"}, headers=EVIL)
    assert wrong.status_code == 403
    assert await build.scalar("SELECT count(*) FROM locations WHERE name = 'Evil Hall'") == 0

    token = await csrf_of(admin_client, "/admin/location/create")
    ok = await admin_client.post("/admin/location/create", data={"name": "Real Hall", "city": "San José", "csrf_token": token})
    assert ok.status_code == 302
    assert await build.scalar("SELECT city FROM locations WHERE name = 'Real Hall'") == "San José"


async def test_login_form_needs_the_csrf_token(admin_client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("boss", role="ADMIN")
    await admin_client.get("/admin/login")
    r = await admin_client.post("/admin/login", data={"username": "boss", "password": PASSWORD}, headers=EVIL)
    assert r.status_code == 403
    assert (await admin_client.get("/admin/")).status_code in (302, 303, 307)


async def test_session_cookie_flags(app: Any, build: Builders) -> None:
    await build.user("boss", role="ADMIN")
    for base, secure in (("http://test", False), ("https://test", True)):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as c:
            r = await c.get("/admin/login")
            attributes = [a.strip() for a in r.headers["set-cookie"].lower().split(";")]
            assert "httponly" in attributes and "samesite=lax" in attributes
            assert ("secure" in attributes) is secure, attributes


async def test_money_and_inventory_are_read_only_on_edit(admin_client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("boss", role="ADMIN")
    v = await build_venue(build, key="ro", seats=(1, 20), vip_price_cents=5000)
    await admin_login(admin_client)

    form = await admin_client.get(f"/admin/location-section/edit/{v.numbered_id}")
    assert form.status_code == 200 and 'name="capacity"' not in form.text and 'name="name"' in form.text
    token = await csrf_of(admin_client, f"/admin/location-section/edit/{v.numbered_id}")
    r = await admin_client.post(f"/admin/location-section/edit/{v.numbered_id}",
                                data={"name": "Platea Baja", "sort": "1", "capacity": "1", "index_to": "1", "csrf_token": token})
    assert r.status_code == 302, r.text
    assert await build.scalar(f"SELECT capacity FROM location_sections WHERE id = '{v.numbered_id}'") == 20
    assert await build.scalar(f"SELECT name FROM location_sections WHERE id = '{v.numbered_id}'") == "Platea Baja"

    token = await csrf_of(admin_client, f"/admin/presentation-section/edit/{v.vip_zone_id}")
    r = await admin_client.post(f"/admin/presentation-section/edit/{v.vip_zone_id}",
                                data={"name": "VIP", "sort": "1", "price_cents": "1", "currency": "xxx", "csrf_token": token})
    assert r.status_code == 302, r.text
    assert await build.scalar(f"SELECT price_cents FROM presentation_sections WHERE id = '{v.vip_zone_id}'") == 5000

    # nothing is deleted from here (the API's delete routes check for sales)
    deleted = await admin_client.delete(f"/admin/location-section/delete?pks={v.numbered_id}", headers={"X-CSRF-Token": token})
    assert deleted.status_code in (403, 404, 405)
    assert await build.scalar(f"SELECT count(*) FROM location_sections WHERE id = '{v.numbered_id}'") == 1


async def test_back_office_logs_out_a_user_no_longer_an_active_admin(app: Any, admin_client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("boss", role="ADMIN")
    await admin_login(admin_client)
    assert (await admin_client.get("/admin/location/list")).status_code == 200
    await change_user(app, "boss", is_active=False)
    r = await admin_client.get("/admin/location/list")
    assert r.status_code in (302, 303, 307) and "/admin/login" in r.headers["location"]


async def test_back_office_refuses_a_demoted_user(app: Any, admin_client: httpx.AsyncClient, build: Builders) -> None:
    await build.organizer("org_d")
    await build.user("boss", role="ADMIN")
    await admin_login(admin_client)
    await change_user(app, "boss", role="ORGANIZER", organizer_id="org_d")
    r = await admin_client.get("/admin/location/list")
    assert r.status_code in (302, 303, 307)
