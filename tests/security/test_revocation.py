"""Issue 12 item 2: a token stops working as soon as its user is deactivated or changes (role, password)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from taquilla.core.db import run_after_commit
from taquilla.core.security import hash_password, user_state_key
from taquilla.identity.models import User
from tests.builders import PASSWORD, Builders


async def change_user(app: Any, username: str, **values: Any) -> None:
    """Change a user as a request would: one transaction, then the after-commit work."""
    async with app.state.sessionmaker() as session:
        user = await session.scalar(select(User).where(User.username == username))
        for name, value in values.items():
            setattr(user, name, value)
        await session.commit()
        await run_after_commit(session)


async def test_deactivated_user_token_is_refused_at_once(app: Any, client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("ana", role="ADMIN")
    headers = await build.login(client, "ana")
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 200  # state now cached in Redis
    await change_user(app, "ana", is_active=False)
    r = await client.get("/api/v1/users", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "USER_INACTIVE"
    reactivated = await client.post("/api/v1/auth/login", json={"username": "ana", "password": "correct-horse-battery"})
    assert reactivated.status_code == 401  # an inactive user cannot log in either


async def test_role_change_revokes_the_token(app: Any, client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("bea", role="ADMIN")
    await build.organizer("org_b")
    headers = await build.login(client, "bea")
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 200
    await change_user(app, "bea", role="ORGANIZER", organizer_id="org_b")
    r = await client.get("/api/v1/users", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "TOKEN_REVOKED"
    fresh = await build.login(client, "bea")
    assert (await client.get("/api/v1/auth/me", headers=fresh)).json()["data"]["role"] == "ORGANIZER"


async def test_password_change_revokes_older_tokens(app: Any, client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("cai", role="ADMIN")
    headers = await build.login(client, "cai")
    await change_user(app, "cai", password_hash=hash_password("another-password-1"))
    r = await client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "TOKEN_REVOKED"
    login = await client.post("/api/v1/auth/login", json={"username": "cai", "password": "another-password-1"})
    assert login.status_code == 200


async def test_deleted_user_token_is_refused(app: Any, client: httpx.AsyncClient, build: Builders) -> None:
    user = await build.user("dan", role="ADMIN")
    headers = await build.login(client, "dan")
    async with app.state.sessionmaker() as session:
        await session.delete(await session.get(User, user.id))
        await session.commit()
        await run_after_commit(session)
    r = await client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "USER_NOT_FOUND"


async def test_state_check_is_one_cached_redis_key(app: Any, client: httpx.AsyncClient, build: Builders) -> None:
    user = await build.user("eva", role="ADMIN")
    headers = await build.login(client, "eva")
    await client.get("/api/v1/auth/me", headers=headers)
    key = user_state_key(user.id)
    assert await app.state.redis.get(key) == "1|ADMIN|0"
    assert 0 < await app.state.redis.ttl(key) <= app.state.settings.user_state_cache_seconds


async def test_vendedor_deactivated_through_the_network_api_is_refused_at_once(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    """The hook catches every write path, here another context's: ``PATCH /api/v1/vendedores/{id}``."""

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = await client.post(path, json=body, headers=admin_headers)
        assert r.status_code == 201, r.text
        return r.json()["data"]

    banca = await post("/api/v1/bancas", {"code": "B1", "name": "Banca 1"})
    ventana = await post("/api/v1/ventanas", {"bancaId": banca["id"], "code": "V1", "name": "Ventana 1"})
    vendedor = await post("/api/v1/vendedores", {"username": "vend1", "password": PASSWORD, "name": "Vendedor 1",
                                                 "code": "VEN-1", "ventanaId": ventana["id"]})
    login = await client.post("/api/v1/auth/login", json={"username": "vend1", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['data']['accessToken']}"}
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    r = await client.patch(f"/api/v1/vendedores/{vendedor['id']}", json={"isActive": False}, headers=admin_headers)
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "USER_INACTIVE"
