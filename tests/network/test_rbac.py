"""RBAC per role: ADMIN everything; VENTANA its ventana and vendedores; VENDEDOR its own; ORGANIZER nothing."""

from __future__ import annotations

from tests.network.builders import PASSWORD, Net, cr


async def test_structure_rbac_and_bad_input(net: Net) -> None:
    banca = await net.banca()
    v1, v2 = await net.ventana(banca["id"]), await net.ventana(banca["id"])
    listero = await net.listero(v1["id"])
    # a listero creates vendedores only in its own ventana
    mine = await net.vendedor(v1["id"], headers=listero)
    assert mine["ventanaId"] == v1["id"] and mine["accountId"].startswith("acc_")
    r = await net.post("/api/v1/vendedores", {"username": "zzz1", "password": PASSWORD, "name": "Z", "code": "Z1",
                                              "ventanaId": v2["id"]}, headers=listero, expect=403)
    theirs = await net.vendedor(v2["id"])
    hv = await net.login(mine["username"])
    # listings are filtered
    assert [x["id"] for x in (await net.get("/api/v1/ventanas", headers=listero))["data"]] == [v1["id"]]
    assert [x["id"] for x in (await net.get("/api/v1/vendedores", headers=listero))["data"]] == [mine["id"]]
    assert [x["id"] for x in (await net.get("/api/v1/vendedores", headers=hv))["data"]] == [mine["id"]]
    assert len((await net.get("/api/v1/vendedores"))["data"]) == 2
    await net.get("/api/v1/vendedores", headers=listero, expect=403, ventanaId=v2["id"])
    await net.get(f"/api/v1/vendedores/{theirs['id']}", headers=listero, expect=404)
    await net.get(f"/api/v1/ventanas/{v2['id']}", headers=listero, expect=404)
    r = await net.client.patch(f"/api/v1/vendedores/{theirs['id']}", json={"name": "x"}, headers=listero)
    assert r.status_code == 404
    r = await net.client.patch(f"/api/v1/vendedores/{mine['id']}", json={"name": "Renamed"}, headers=listero)
    assert r.status_code == 200 and r.json()["data"]["name"] == "Renamed"
    # only ADMIN manages bancas, ventanas, loterías, sorteos
    for path, body in (("/api/v1/bancas", {"code": "X", "name": "X"}),
                       ("/api/v1/ventanas", {"bancaId": banca["id"], "code": "X", "name": "X"}),
                       ("/api/v1/loterias", {"name": "X", "baseMultiplierX": 90})):
        await net.post(path, body, headers=listero, expect=403)
        await net.post(path, body, headers=hv, expect=403)
    await net.get("/api/v1/bancas", headers=listero, expect=403)
    # bad input
    await net.post("/api/v1/ventanas", {"bancaId": "ban_missing", "code": "Q", "name": "Q"}, expect=404)
    await net.post("/api/v1/ventanas", {"bancaId": banca["id"], "code": v1["code"], "name": "dup"}, expect=409)
    await net.post("/api/v1/bancas", {"code": "C", "name": "C", "commissionPolicy": {"percent": 101}}, expect=400)
    await net.post("/api/v1/loterias", {"name": "L", "baseMultiplierX": 0}, expect=400)
    await net.post("/api/v1/loterias", {"name": "L", "baseMultiplierX": 90, "drawTimes": ["25:00"]}, expect=400)
    lot = await net.loteria()
    await net.post("/api/v1/sorteos", {"loteriaId": lot["id"], "scheduledAt": "2026-01-15T20:00:00"}, expect=400)  # naive
    s = await net.sorteo(lot["id"], cr(2026, 1, 15, 20), open_=False)
    await net.post("/api/v1/sorteos", {"loteriaId": lot["id"], "scheduledAt": cr(2026, 1, 15, 20).isoformat()}, expect=409)
    await net.patch(f"/api/v1/sorteos/{s['id']}/open", headers=listero, expect=403)
    assert (await net.get("/api/v1/sorteos", headers=hv))["meta"]["total"] == 1
    # an organizer has no network access
    await net.build.organizer("org_x")
    await net.build.user("org_user", role="ORGANIZER", organizer_id="org_x")
    org = await net.login("org_user")
    await net.get("/api/v1/loterias", headers=org, expect=403)
    await net.get("/api/v1/accounts/statement", headers=org, expect=403)
    await net.get("/api/v1/loterias", headers={}, expect=401)


async def test_ticket_rbac(net: Net) -> None:
    lot = await net.loteria()
    banca = await net.banca()
    v1, v2 = await net.ventana(banca["id"]), await net.ventana(banca["id"])
    a, b, c = await net.vendedor(v1["id"]), await net.vendedor(v1["id"]), await net.vendedor(v2["id"])
    ha, hb, hc = await net.login(a["username"]), await net.login(b["username"]), await net.login(c["username"])
    l1 = await net.listero(v1["id"])
    s = await net.sorteo(lot["id"], cr(2026, 1, 15, 20))
    ta = await net.sell(ha, s["id"], [("01", 10)])
    tb = await net.sell(l1, s["id"], [("02", 10)], vendedor_id=b["id"])  # the listero sells for its vendedor
    tc = await net.sell(net.admin, s["id"], [("03", 10)], vendedor_id=c["id"])
    await net.sell(net.admin, s["id"], [("03", 10)], expect=400)  # ADMIN must name the vendedor
    ids = lambda body: sorted(t["id"] for t in body["data"])  # noqa: E731
    assert ids(await net.get("/api/v1/tickets", headers=ha)) == [ta["id"]]
    assert ids(await net.get("/api/v1/tickets", headers=l1)) == sorted([ta["id"], tb["id"]])
    assert ids(await net.get("/api/v1/tickets")) == sorted([ta["id"], tb["id"], tc["id"]])
    await net.get("/api/v1/tickets", headers=ha, expect=403, vendedorId=b["id"])
    await net.get("/api/v1/tickets", headers=l1, expect=403, ventanaId=v2["id"])
    await net.get(f"/api/v1/tickets/{tb['id']}", headers=ha, expect=404)
    await net.get(f"/api/v1/tickets/{tc['id']}", headers=l1, expect=404)
    await net.patch(f"/api/v1/tickets/{tc['id']}/cancel", headers=hb, expect=404)
    await net.patch(f"/api/v1/tickets/{tb['id']}/cancel", headers=l1)
    await net.statement(headers=hc, expect=403, dimension="vendedor", vendedorId=a["id"])
    await net.statement(headers=l1, expect=403, dimension="ventana", ventanaId=v2["id"])
    await net.statement(headers=l1, expect=403, dimension="vendedor", vendedorId=c["id"])
    hist = await net.get("/api/v1/accounts/payment-history", headers=hc)
    assert hist["data"] == []
