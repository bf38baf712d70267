"""The front end's /users: ADMIN manages all; a listero the VENDEDOR users of its own ventana."""

from __future__ import annotations

from tests.builders import PASSWORD
from tests.network.builders import Net


async def _setup(net: Net) -> tuple[dict, dict, dict[str, str]]:
    banca = await net.banca()
    mine = await net.ventana(banca["id"])
    other = await net.ventana(banca["id"])
    return mine, other, await net.listero(mine["id"])


def _body(username: str, **kw: object) -> dict:
    return {"name": f"{username} name", "username": username, "email": None, "role": "VENDEDOR",
            "password": PASSWORD, "isActive": True, **kw}


async def test_listero_creates_its_vendedor_with_vendedor_and_account(net: Net) -> None:
    mine, _, listero = await _setup(net)
    user = await net.post("/api/v1/users", _body("pepe", ventanaId=mine["id"]), headers=listero)
    assert user["name"] == "pepe name" and user["role"] == "VENDEDOR" and user["ventanaId"] == mine["id"]
    assert user["bancaId"] == mine["bancaId"] and user["code"]
    vendedor = (await net.get(f"/api/v1/vendedores/{user['id']}", headers=listero))["data"]
    assert vendedor["name"] == "pepe name" and vendedor["accountId"]
    # ventanaId omitted: the listero's own
    user2 = await net.post("/api/v1/users", _body("pepa"), headers=listero)
    assert user2["ventanaId"] == mine["id"]
    # the new vendedor can log in and sell scope works
    await net.login("pepe")


async def test_listero_refused_other_ventana_or_admin(net: Net) -> None:
    _, other, listero = await _setup(net)
    r = await net.post("/api/v1/users", _body("mal", ventanaId=other["id"]), headers=listero, expect=403)
    assert r.json()["error"]["code"] == "USER_OUT_OF_SCOPE"
    await net.post("/api/v1/users", _body("root2", role="ADMIN"), headers=listero, expect=403)
    await net.post("/api/v1/users", _body("lis2", role="VENTANA", ventanaId=other["id"]), headers=listero, expect=403)
    assert await net.count("users") == 2  # admin + listero: nothing written


async def test_listero_lists_and_edits_only_its_vendedores(net: Net) -> None:
    mine, other, listero = await _setup(net)
    own = await net.post("/api/v1/users", _body("own", ventanaId=mine["id"]))
    foreign = await net.post("/api/v1/users", _body("foreign", ventanaId=other["id"]))
    page = await net.get("/api/v1/users", headers=listero)
    assert [u["username"] for u in page["data"]] == ["own"] and page["meta"]["total"] == 1
    await net.get("/api/v1/users", headers=listero, expect=403, ventanaId=other["id"])
    await net.get("/api/v1/users", headers=listero, expect=403, role="ADMIN")
    admin_id = (await net.get("/api/v1/auth/me"))["data"]["id"]
    await net.patch(f"/api/v1/users/{foreign['id']}", {"name": "x"}, headers=listero, expect=403)
    await net.patch(f"/api/v1/users/{admin_id}", {"isActive": False}, headers=listero, expect=403)
    changed = await net.patch(f"/api/v1/users/{own['id']}", {"name": "Own Renamed", "isActive": False}, headers=listero)
    assert changed["name"] == "Own Renamed" and changed["isActive"] is False
    vendedor = (await net.get(f"/api/v1/vendedores/{own['id']}"))["data"]
    assert vendedor["name"] == "Own Renamed" and vendedor["isActive"] is False
    await net.patch(f"/api/v1/users/{own['id']}", {"role": "ADMIN"}, headers=listero, expect=403)


async def test_admin_list_filters_and_self_settings(net: Net) -> None:
    mine, other, listero = await _setup(net)
    await net.post("/api/v1/users", _body("aa1", ventanaId=mine["id"], email="a1@x.cr", code="A-1"))
    await net.post("/api/v1/users", _body("bb1", ventanaId=other["id"], isActive=False))
    page = await net.get("/api/v1/users", role="VENDEDOR", pageSize=1)
    assert page["meta"]["total"] == 2 and page["meta"]["totalPages"] == 2 and len(page["data"]) == 1
    assert [u["username"] for u in (await net.get("/api/v1/users", isActive="false"))["data"]] == ["bb1"]
    found = (await net.get("/api/v1/users", search="a1@x"))["data"]
    assert [u["code"] for u in found] == ["A-1"]
    assert (await net.get("/api/v1/users", ventanaId=other["id"]))["meta"]["total"] == 1
    me = (await net.get("/api/v1/auth/me", headers=listero))["data"]
    out = await net.patch(f"/api/v1/users/{me['id']}", {"settings": {"theme": "dark", "print": {"width": 58}}}, headers=listero)
    assert out["settings"]["theme"] == "dark" and out["printWidth"] == 58
    await net.patch(f"/api/v1/users/{me['id']}", {"isActive": False}, headers=listero, expect=403)
    # old spelling still accepted
    old = await net.post("/api/v1/users", {"username": "olduser", "password": PASSWORD, "fullName": "Old", "role": "ADMIN"})
    assert old["name"] == "Old"
