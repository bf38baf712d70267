"""Refresh tokens: login answers one, refresh rotates it, a reused token revokes its family, logout revokes."""

from __future__ import annotations

import httpx

from tests.builders import PASSWORD, Builders


async def _login(client: httpx.AsyncClient, username: str) -> dict:
    r = await client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refreshToken": token})


async def test_login_answers_refresh_token_stored_hashed(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("ana", full_name="Ana Admin")
    data = await _login(client, "ana")
    assert isinstance(data["refreshToken"], str) and len(data["refreshToken"]) >= 40
    assert data["user"]["name"] == "Ana Admin"
    stored = await build.scalar("SELECT token_hash FROM refresh_tokens")
    assert stored != data["refreshToken"] and len(stored) == 64  # SHA-256 hex, never the token


async def test_refresh_rotates_and_new_access_works(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("ana")
    first = (await _login(client, "ana"))["refreshToken"]
    r = await _refresh(client, first)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["refreshToken"] != first and data["accessToken"]
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {data['accessToken']}"})
    assert me.status_code == 200 and me.json()["data"]["username"] == "ana"
    r2 = await _refresh(client, data["refreshToken"])  # the next one of the chain works
    assert r2.status_code == 200


async def test_reused_refresh_token_revokes_the_family(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("ana")
    first = (await _login(client, "ana"))["refreshToken"]
    other_login = (await _login(client, "ana"))["refreshToken"]  # another family: unaffected
    second = (await _refresh(client, first)).json()["data"]["refreshToken"]
    reused = await _refresh(client, first)
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "REFRESH_TOKEN_REUSED"
    # the revocation committed: the legitimate successor is dead too
    r = await _refresh(client, second)
    assert r.status_code == 401 and r.json()["error"]["code"] == "INVALID_REFRESH_TOKEN"
    assert (await _refresh(client, other_login)).status_code == 200


async def test_unknown_and_inactive(client: httpx.AsyncClient, build: Builders, admin_headers: dict[str, str]) -> None:
    r = await _refresh(client, "x" * 64)
    assert r.status_code == 401 and r.json()["error"]["code"] == "INVALID_REFRESH_TOKEN"
    assert (await client.post("/api/v1/auth/refresh", json={})).status_code == 400
    user = await build.user("bea")
    token = (await _login(client, "bea"))["refreshToken"]
    r = await client.patch(f"/api/v1/users/{user.id}", json={"isActive": False}, headers=admin_headers)
    assert r.status_code == 200, r.text
    assert (await _refresh(client, token)).status_code == 401


async def test_logout_revokes_the_login(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("ana")
    data = await _login(client, "ana")
    headers = {"Authorization": f"Bearer {data['accessToken']}"}
    r = await client.post("/api/v1/auth/logout", json={"refreshToken": data["refreshToken"]}, headers=headers)
    assert r.status_code == 200, r.text
    assert (await _refresh(client, data["refreshToken"])).status_code == 401
    assert (await client.post("/api/v1/auth/logout")).status_code == 401


async def test_me_has_the_client_fields(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("ana", full_name="Ana Admin")
    data = await _login(client, "ana")
    r = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {data['accessToken']}"})
    me = r.json()["data"]
    for key in ("id", "name", "username", "role", "ventanaId", "bancaId", "code", "isActive", "settings"):
        assert key in me
    assert me["name"] == "Ana Admin" and isinstance(me["settings"]["print"], dict)
