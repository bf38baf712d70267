"""The network front end's statement and movements calls (contract rows 77–81), sent exactly as the
client sends them to a live server; every field the client reads is asserted with its type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from taquilla.core.periods import cr_date_of
from tests.clients.conftest import NUM, OPT, shape
from tests.network.builders import Net

FIGURES = {k: NUM for k in ("totalSales", "totalPayouts", "totalListeroCommission", "totalVendedorCommission", "totalBalance",
                            "totalPaid", "totalCollected", "totalRemainingBalance")} | {"settledDays": int, "pendingDays": int}
DAY = {"id": str, "date": str, "month": str, "bancaId": (str, OPT), "bancaName": (str, OPT), "bancaCode": (str, OPT),
       "ventanaId": (str, OPT), "ventanaName": (str, OPT), "ventanaCode": (str, OPT), "vendedorId": (str, OPT),
       "vendedorName": (str, OPT), "vendedorCode": (str, OPT), "totalSales": NUM, "totalPayouts": NUM,
       "listeroCommission": NUM, "vendedorCommission": NUM, "balance": NUM, "totalPaid": NUM, "totalCollected": NUM,
       "totalPaymentsCollections": NUM, "remainingBalance": NUM, "isSettled": bool, "canEdit": bool, "ticketCount": int,
       "bySorteo": list, "hasSorteos": bool}
STATEMENT = {"statements": [DAY], "totals": FIGURES, "monthlyAccumulated": FIGURES,
             "meta": {"month": str, "startDate": str, "endDate": str, "dimension": str, "totalDays": int,
                      "monthStartDate": str, "monthEndDate": str}}
MOVEMENT = {"id": str, "date": str, "amount": NUM, "type": str, "method": str, "notes": (str, OPT), "isFinal": bool,
            "isReversed": bool, "ventanaId": str, "vendedorId": (str, OPT)}


async def test_statement_and_movements_as_the_client_calls_them(net: Net, http: httpx.AsyncClient) -> None:
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    vend = await net.vendedor(ventana["id"])
    today = cr_date_of(datetime.now(UTC)).isoformat()
    # row 79
    body = {"date": today, "time": "10:30", "ventanaId": ventana["id"], "vendedorId": vend["id"], "bancaId": banca["id"],
            "amount": 1500.5, "type": "collection", "method": "cash", "notes": "cobro", "isFinal": False,
            "idempotencyKey": "cobro-000001"}
    r = await http.post("/accounts/payment", json=body, headers=net.admin)
    assert r.status_code == 201, r.text
    shape(r.json()["data"], {"payment": MOVEMENT, "statement": DAY})
    payment_id = r.json()["data"]["payment"]["id"]
    # row 77
    params = {"date": "month", "scope": "all", "dimension": "vendedor", "vendedorId": vend["id"], "sort": "desc"}
    r = await http.get("/accounts/statement", params=params, headers=net.admin)
    assert r.status_code == 200, r.text
    shape(r.json()["data"], STATEMENT)
    r = await http.get("/accounts/statement", params={"date": "range", "fromDate": today, "toDate": today, "scope": "ventana",
                                                      "dimension": "ventana", "ventanaId": ventana["id"]}, headers=net.admin)
    assert r.status_code == 200, r.text
    shape(r.json()["data"], STATEMENT)
    # row 78
    r = await http.get(f"/accounts/statement/{today}/bySorteo", params={"dimension": "ventana", "ventanaId": ventana["id"]},
                       headers=net.admin)
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["data"], list)
    # row 80
    r = await http.get("/accounts/payment-history", params={"date": today, "vendedorId": vend["id"], "page": 1, "pageSize": 20},
                       headers=net.admin)
    assert r.status_code == 200, r.text
    shape(r.json(), {"data": [MOVEMENT], "meta": {"total": int, "page": int, "pageSize": int}})
    assert r.json()["meta"]["total"] == 1
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    r = await http.get("/accounts/payment-history", params={"date": yesterday, "vendedorId": vend["id"]}, headers=net.admin)
    assert r.status_code == 200 and r.json()["meta"]["total"] in (0, 1)
    # row 81
    r = await http.post("/accounts/reverse-payment", json={"paymentId": payment_id, "reason": "error de registro"}, headers=net.admin)
    assert r.status_code == 200, r.text
    shape(r.json()["data"], {"payment": {**MOVEMENT, "reversedByUser": {"id": str, "name": str}}, "statement": (DAY, None)})


async def test_accounts_as_the_client_calls_them(net: Net, http: httpx.AsyncClient) -> None:
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    vend = await net.vendedor(ventana["id"])
    # row 83
    r = await http.get("/accounts", params={"ownerType": "VENDEDOR", "ownerId": vend["id"], "page": 1, "pageSize": 20},
                       headers=net.admin)
    assert r.status_code == 200, r.text
    row = {"id": str, "ownerType": str, "ownerId": str, "balance": NUM, "currency": str, "isActive": bool, "createdAt": (str, OPT)}
    shape(r.json(), {"data": [row], "meta": {"page": int, "pageSize": int, "total": int, "totalPages": int}})
    assert [a["ownerId"] for a in r.json()["data"]] == [vend["id"]]
