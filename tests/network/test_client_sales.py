"""The sale, the ticket views, prize payments and sorteo timing as the network's front end uses them
(issue 10): the client's body keys, REVENTADO pairing, consistency checks, embedded names, PAID,
partial/final payments, reversal of the last payment, frozen cutoffs, evaluation at scheduledAt."""

from __future__ import annotations

from typing import Any

from tests.network.builders import Net, cr


async def _setup(net: Net) -> dict[str, Any]:
    lot = await net.loteria(multiplier=90, reventado=True)
    banca = await net.banca(percent=5)
    ventana = await net.ventana(banca["id"], {"percent": 10})
    v = await net.vendedor(ventana["id"], {"percent": 8})
    other_ventana = await net.ventana(banca["id"])
    stranger = await net.vendedor(other_ventana["id"])
    net.clock.set(cr(2026, 1, 15, 10))
    s = await net.sorteo(lot["id"], cr(2026, 1, 15, 12, 55))
    return {"lot": lot, "banca": banca, "ventana": ventana, "v": v, "hv": await net.login(v["username"]), "s": s,
            "stranger": stranger, "other_ventana": other_ventana}


def _body(x: dict[str, Any], jugadas: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"loteriaId": x["lot"]["id"], "sorteoId": x["s"]["id"], "jugadas": jugadas, **extra}


async def _code(net: Net, body: dict[str, Any], headers: dict[str, str], status: int) -> str:
    r = await net.client.post("/api/v1/tickets", json=body, headers=headers)
    assert r.status_code == status, r.text
    return r.json()["code"]


async def test_client_sale_body_pairing_and_consistency(net: Net) -> None:
    x = await _setup(net)
    rev = {"type": "REVENTADO", "number": "25", "reventadoNumber": "25", "amount": 50}
    # the client's exact body (VENDEDOR: no vendedorId)
    t = await net.post("/api/v1/tickets", _body(x, [{"type": "NUMERO", "number": "25", "amount": 100}, rev]), headers=x["hv"])
    assert t["ticketNumber"] >= 1 and t["id"].startswith("tkt")
    # pairing: a REVENTADO without its NUMERO, or with another reventadoNumber
    assert await _code(net, _body(x, [rev]), x["hv"], 400) == "REVENTADO_WITHOUT_NUMERO"
    assert await _code(net, _body(x, [{"type": "NUMERO", "number": "26", "amount": 100}, rev]), x["hv"], 400) == "REVENTADO_WITHOUT_NUMERO"
    assert await _code(net, _body(x, [{"type": "NUMERO", "number": "25", "amount": 1}, {**rev, "reventadoNumber": "26"}]),
                       x["hv"], 400) == "REVENTADO_NUMBER_MISMATCH"
    # consistency: the sorteo's lotería, the vendedor's ventana, VENDEDOR only as itself, listero only its vendedores
    other_lot = await net.loteria()
    numero = [{"type": "NUMERO", "number": "01", "amount": 10}]
    assert await _code(net, {**_body(x, numero), "loteriaId": other_lot["id"]}, x["hv"], 400) == "SORTEO_LOTERIA_MISMATCH"
    assert await _code(net, _body(x, numero, vendedorId=x["v"]["id"], ventanaId=x["other_ventana"]["id"]), net.admin, 400) == "VENDEDOR_VENTANA_MISMATCH"
    assert await _code(net, _body(x, numero, vendedorId=x["stranger"]["id"]), x["hv"], 403) == "VENDEDOR_OUT_OF_SCOPE"
    listero = await net.listero(x["ventana"]["id"])
    assert await _code(net, _body(x, numero, vendedorId=x["stranger"]["id"]), listero, 403) == "VENDEDOR_OUT_OF_SCOPE"
    await net.post("/api/v1/tickets", _body(x, numero, vendedorId=x["v"]["id"]), headers=listero)
    await net.post("/api/v1/tickets", _body(x, numero, vendedorId=x["v"]["id"], ventanaId=x["ventana"]["id"]))
    assert await net.count("network_tickets") == 3
    assert (await net.reconcile())["differences"] == []


async def test_ticket_views_payments_and_paid_status(net: Net) -> None:
    x = await _setup(net)
    t = await net.post("/api/v1/tickets", _body(x, [{"type": "NUMERO", "number": "25", "amount": 100},
                                                    {"type": "REVENTADO", "number": "25", "reventadoNumber": "25", "amount": 10}]),
                       headers=x["hv"])
    loser = await net.sell(x["hv"], x["s"]["id"], [("99", 5)])
    mult = await net.post("/api/v1/multipliers", {"loteriaId": x["lot"]["id"], "name": "Rev x3", "valueX": 3, "kind": "REVENTADO", "isActive": True})
    net.clock.set(cr(2026, 1, 15, 12, 55))
    ev = await net.patch(f"/api/v1/sorteos/{x['s']['id']}/evaluate", {"winningNumber": "25", "extraMultiplierId": mult["id"]})
    assert ev["extraMultiplierX"] == 3.0 and ev["extraMultiplierId"] == mult["id"] and ev["loteria"]["name"] == x["lot"]["name"]
    listed = (await net.get("/api/v1/tickets", headers=x["hv"], date="range", fromDate="2026-01-15", toDate="2026-01-15"))
    assert listed["meta"]["total"] == 2
    item = next(i for i in listed["data"] if i["id"] == t["id"])
    assert item["vendedor"]["name"] and item["vendedor"]["code"] and item["ventana"]["code"] and item["loteria"]["name"]
    assert item["sorteo"]["name"] and item["sorteo"]["scheduledAt"]
    assert item["totalPayout"] == 9030.0 and item["totalPaid"] == 0.0 and item["remainingAmount"] == 9030.0
    rev = next(j for j in item["jugadas"] if j["type"] == "REVENTADO")
    assert rev["finalMultiplierX"] == 3.0 and rev["reventadoNumber"] == "25" and rev["payout"] == 30.0
    winners = await net.get("/api/v1/tickets", headers=x["hv"], isWinner="true")
    assert [i["id"] for i in winners["data"]] == [t["id"]]
    # partial payment, replay by body key, above the payout refused, final closes it: PAID
    pay = {"amountPaid": 1000, "method": "cash", "idempotencyKey": "key-00000001"}
    p1 = await net.post(f"/api/v1/tickets/{t['id']}/pay", pay)
    again = await net.client.post(f"/api/v1/tickets/{t['id']}/pay", json=pay, headers=net.admin)
    assert again.status_code == 201 and again.json()["data"] == p1
    assert p1["totalPaid"] == 1000.0 and p1["remainingAmount"] == 8030.0 and p1["status"] == "EVALUATED"
    r = await net.post(f"/api/v1/tickets/{t['id']}/pay", {"amountPaid": 8030.01, "method": "cash"}, expect=409)
    assert r.json()["code"] == "PRIZE_EXCEEDS_PAYOUT"
    p2 = await net.post(f"/api/v1/tickets/{t['id']}/pay", {"amountPaid": 30, "method": "transfer", "isFinal": True})
    assert p2["status"] == "PAID" and p2["remainingAmount"] == 0.0 and p2["paymentMethod"] == "transfer"
    assert [(h["amountPaid"], h["isFinal"], h["isReversed"]) for h in p2["paymentHistory"]] == [(1000.0, False, False), (30.0, True, False)]
    assert p2["paymentHistory"][0]["paidByName"] is not None
    r = await net.post(f"/api/v1/tickets/{t['id']}/pay", {"amountPaid": 1, "method": "cash"}, expect=409)
    assert r.json()["code"] == "PAYMENT_CLOSED"
    paid = await net.get("/api/v1/tickets", status="PAID")
    assert [i["id"] for i in paid["data"]] == [t["id"]]
    assert (await net.get("/api/v1/tickets", status="EVALUATED"))["data"][0]["id"] == loser["id"]
    # reverse the last payment: the final one; the ticket is open again
    back = await net.post(f"/api/v1/tickets/{t['id']}/reverse-payment", {"reason": "error"}, expect=200)
    assert back["status"] == "EVALUATED" and back["totalPaid"] == 1000.0 and back["paymentHistory"][1]["isReversed"]
    detail = (await net.get(f"/api/v1/tickets/{t['id']}"))["data"]
    assert detail["lastPaymentAt"] and detail["paymentMethod"] == "cash"
    assert (await net.reconcile())["differences"] == []


async def test_sorteo_name_frozen_cutoff_and_evaluation_timing(net: Net) -> None:
    lot = await net.loteria(salesCutoffMinutes=5)
    net.clock.set(cr(2026, 1, 15, 10))
    s = await net.post("/api/v1/sorteos", {"name": "Tica mediodía", "loteriaId": lot["id"], "scheduledAt": cr(2026, 1, 15, 12, 55).isoformat()})
    assert s["name"] == "Tica mediodía" and s["loteria"] == {"id": lot["id"], "name": lot["name"]}
    assert s["cutoffAt"].startswith("2026-01-15T18:50")
    await net.patch(f"/api/v1/loterias/{lot['id']}", {"salesCutoffMinutes": 30})
    again = (await net.get(f"/api/v1/sorteos/{s['id']}"))["data"]
    assert again["cutoffAt"] == s["cutoffAt"]  # a later change of the lotería moves no existing cutoff
    listed = await net.get("/api/v1/sorteos", search="mediodía")
    assert [i["id"] for i in listed["data"]] == [s["id"]] and listed["meta"]["total"] == 1
    await net.patch(f"/api/v1/sorteos/{s['id']}/open")
    net.clock.set(cr(2026, 1, 15, 12, 54))  # after the cutoff, before scheduledAt
    r = await net.patch(f"/api/v1/sorteos/{s['id']}/evaluate", {"winningNumber": "01", "extraMultiplierId": None}, expect=409)
    assert r.json()["code"] == "SORTEO_NOT_STARTED"
    net.clock.set(cr(2026, 1, 15, 12, 55))
    assert (await net.patch(f"/api/v1/sorteos/{s['id']}/evaluate", {"winningNumber": "01", "extraMultiplierId": None}))["status"] == "EVALUATED"
