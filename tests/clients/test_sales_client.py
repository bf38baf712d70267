"""The network front end's ticket, prize-payment and restriction calls (contract rows 48, 54–58),
sent exactly as the client sends them to a live server; every field the client reads is asserted
present with its type. The client sends no ``Idempotency-Key`` header."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from tests.clients.conftest import META, NUM, OPT, shape
from tests.network.builders import Net

JUGADA = {"number": str, "type": str, "amount": NUM, "finalMultiplierX": (*NUM, OPT), "isWinner": bool, "payout": NUM,
          "reventadoNumber": (str, OPT), "multiplier": ({"name": str}, OPT)}
TICKET_ITEM = {
    "id": str, "ticketNumber": int, "status": str, "totalAmount": NUM, "createdAt": str, "isWinner": bool,
    "totalPayout": NUM, "totalPaid": NUM, "remainingAmount": NUM, "clienteNombre": (str, OPT),
    "vendedor": {"name": str, "code": str}, "ventana": {"name": str, "code": str}, "loteria": {"name": str},
    "sorteo": {"name": str, "scheduledAt": str},
}
PAYMENT = {"id": str, "amountPaid": NUM, "paidAt": str, "paidByName": (str, OPT), "method": str, "notes": (str, OPT),
           "isFinal": bool, "isReversed": bool, "reversedAt": (str, OPT)}


def _multiplier_ok(j: dict[str, Any]) -> None:
    if j["multiplier"] is not None:
        shape(j["multiplier"], {"name": str})


async def _world(net: Net) -> dict[str, Any]:
    lot = await net.loteria(reventado=True)
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    v = await net.vendedor(ventana["id"])
    net.clock.set(datetime.now(UTC))
    s = await net.sorteo(lot["id"], datetime.now(UTC) + timedelta(days=2))
    return {"lot": lot, "banca": banca, "ventana": ventana, "v": v, "s": s, "hv": await net.login(v["username"]),
            "hl": await net.listero(ventana["id"])}


async def _draw_now(net: Net, sorteo_id: str) -> None:
    """Move the sorteo's draw into the past (the live server runs on the real clock)."""
    async with net.build.app.state.sessionmaker() as session:
        await session.execute(text("UPDATE sorteos SET scheduled_at = now() - interval '1 minute', "
                                   "sales_cutoff_at = now() - interval '2 minutes' WHERE id = :s"), {"s": sorteo_id})
        await session.commit()


async def test_sale_list_detail_pay_cancel_as_the_client_calls_them(net: Net, http: httpx.AsyncClient) -> None:
    x = await _world(net)
    # row 54 — VENDEDOR: no vendedorId; VENTANA: vendedorId; ADMIN: vendedorId + ventanaId
    jugadas = [{"type": "NUMERO", "number": "25", "amount": 100},
               {"type": "REVENTADO", "number": "25", "reventadoNumber": "25", "amount": 50}]
    base = {"loteriaId": x["lot"]["id"], "sorteoId": x["s"]["id"], "jugadas": jugadas}
    sold = []
    for headers, extra in ((x["hv"], {}), (x["hl"], {"vendedorId": x["v"]["id"]}),
                           (net.admin, {"vendedorId": x["v"]["id"], "ventanaId": x["ventana"]["id"]})):
        r = await http.post("/tickets", json={**base, **extra}, headers=headers)
        assert r.status_code == 201, r.text
        shape(r.json()["data"], {"id": str, "ticketNumber": int})
        sold.append(r.json()["data"])
    # row 57 — PATCH cancel (no body)
    r = await http.patch(f"/tickets/{sold[2]['id']}/cancel", headers=net.admin)
    assert r.status_code == 200 and r.json()["data"]["status"] == "CANCELLED"
    shape(r.json()["data"], TICKET_ITEM)
    # row 55 — the list with the client's query names
    for params in ({"page": 1, "pageSize": 20, "scope": "mine", "date": "today"},
                   {"page": 1, "pageSize": 20, "scope": "all", "date": "range",
                    "fromDate": (datetime.now(UTC) - timedelta(days=1)).date().isoformat(),
                    "toDate": (datetime.now(UTC) + timedelta(days=3)).date().isoformat(),
                    "status": "ACTIVE", "ventanaId": x["ventana"]["id"], "vendedorId": x["v"]["id"], "sorteoId": x["s"]["id"]}):
        r = await http.get("/tickets", params=params, headers=x["hl"])
        assert r.status_code == 200, r.text
        body = r.json()
        shape(body, {"data": [TICKET_ITEM], "meta": META})
        for item in body["data"]:
            shape(item["jugadas"], [JUGADA])
    assert r.json()["meta"]["total"] == 2
    # evaluate (the draw is now past), then the winners list, pay, detail, reverse
    await _draw_now(net, x["s"]["id"])
    rev = await net.post("/api/v1/multipliers", {"loteriaId": x["lot"]["id"], "name": "Rev x5", "valueX": 5, "kind": "REVENTADO", "isActive": True})
    r = await http.patch(f"/sorteos/{x['s']['id']}/evaluate", json={"winningNumber": "25", "extraMultiplierId": rev["id"]}, headers=net.admin)
    assert r.status_code == 200, r.text
    for flag in ("isWinner", "hasWinner"):
        r = await http.get("/tickets", params={flag: "true", "page": 1, "pageSize": 20}, headers=net.admin)
        assert r.status_code == 200 and r.json()["meta"]["total"] == 2, r.text
        shape(r.json(), {"data": [TICKET_ITEM], "meta": META})
    winner = sold[0]["id"]
    # row 58 — pay as the PaymentModal sends it (ticketId stripped; idempotencyKey a uuid)
    pay = {"amountPaid": 1000, "method": "cash", "idempotencyKey": str(uuid.uuid4()), "isFinal": False}
    r = await http.post(f"/tickets/{winner}/pay", json=pay, headers=x["hl"])
    assert r.status_code == 201, r.text
    replay = await http.post(f"/tickets/{winner}/pay", json=pay, headers=x["hl"])
    assert replay.status_code == 201 and replay.json()["data"] == r.json()["data"]
    r = await http.post(f"/tickets/{winner}/pay", json={"amountPaid": 10**6, "method": "cash", "idempotencyKey": str(uuid.uuid4())}, headers=x["hl"])
    assert r.status_code == 409 and r.json()["code"] == "PRIZE_EXCEEDS_PAYOUT"
    r = await http.post(f"/tickets/{winner}/pay", json={"amountPaid": 500, "method": "transfer", "notes": "resto",
                                                        "idempotencyKey": str(uuid.uuid4()), "isFinal": True}, headers=x["hl"])
    assert r.status_code == 201 and r.json()["data"]["status"] == "PAID", r.text
    # row 56 — the detail with its payment history
    r = await http.get(f"/tickets/{winner}", headers=x["hv"])
    assert r.status_code == 200
    detail = r.json()["data"]
    shape(detail, {**TICKET_ITEM, "jugadas": [JUGADA], "vendedor": {"name": str, "code": str, "phone": (str, OPT)},
                   "loteria": {"name": str, "rulesJson": dict}, "lastPaymentAt": str, "paymentMethod": str,
                   "paymentHistory": [PAYMENT]})
    for j in detail["jugadas"]:
        _multiplier_ok(j)
    assert detail["totalPayout"] == 9250.0 and detail["totalPaid"] == 1500.0 and detail["remainingAmount"] == 0.0
    r = await http.get("/tickets", params={"status": "PAID"}, headers=net.admin)
    assert [t["id"] for t in r.json()["data"]] == [winner]
    # row 59 (peripheral) — reverse the last payment
    r = await http.post(f"/tickets/{winner}/reverse-payment", json={}, headers=net.admin)
    assert r.status_code == 200 and r.json()["data"]["status"] == "EVALUATED", r.text
    assert (await net.reconcile())["differences"] == []


async def test_restrictions_list_as_the_sale_screen_reads_it(net: Net, http: httpx.AsyncClient) -> None:
    x = await _world(net)
    await net.post("/api/v1/restrictions", {"ventanaId": x["ventana"]["id"], "number": "13", "maxAmount": 5, "maxTotal": 20})
    await net.post("/api/v1/restrictions", {"bancaId": x["banca"]["id"], "salesCutoffMinutes": 5,
                                            "appliesToDate": "2030-01-01", "appliesToHour": 10})
    rule = {"id": str, "bancaId": (str, OPT), "ventanaId": (str, OPT), "userId": (str, OPT), "number": (str, OPT),
            "maxAmount": (*NUM, OPT), "maxTotal": (*NUM, OPT), "salesCutoffMinutes": (int, OPT),
            "appliesToDate": (str, OPT), "appliesToHour": (int, OPT), "isActive": bool, "priority": int}
    # row 48 — the query names of the client (Admin and Ventana > Restricciones; the sale screen)
    for headers, params in ((net.admin, {"page": 1, "pageSize": 20, "isActive": "true", "hasAmount": "true"}),
                            (net.admin, {"bancaId": x["banca"]["id"], "hasCutoff": "true"}),
                            (x["hv"], {"page": 1, "pageSize": 100}),
                            (x["hl"], {"ventanaId": x["ventana"]["id"], "number": "13"})):
        r = await http.get("/restrictions", params=params, headers=headers)
        assert r.status_code == 200, r.text
        shape(r.json(), {"data": [rule], "meta": META})
        assert r.json()["data"], params
    # the rule is enforced at sale
    r = await http.post("/tickets", json={"loteriaId": x["lot"]["id"], "sorteoId": x["s"]["id"],
                                          "jugadas": [{"type": "NUMERO", "number": "13", "amount": 6}]}, headers=x["hv"])
    assert r.status_code == 409 and r.json()["code"] == "RESTRICTION_AMOUNT_EXCEEDED"
    assert r.json()["message"]  # the client shows the top-level message
