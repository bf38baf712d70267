"""Lottery sales: snapshots, cutoff, limits (also under concurrency), idempotency, cancellation, bad input."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.network.builders import Net, cr


async def _setup(net: Net, **loteria: Any) -> dict[str, Any]:
    lot = await net.loteria(**loteria)
    banca = await net.banca(percent=5)
    ventana = await net.ventana(banca["id"], {"percent": 10})
    v = await net.vendedor(ventana["id"], {"percent": 8})
    net.clock.set(cr(2026, 1, 15, 10))
    s = await net.sorteo(lot["id"], cr(2026, 1, 15, 12, 55))
    return {"lot": lot, "banca": banca, "ventana": ventana, "v": v, "hv": await net.login(v["username"]), "s": s}


async def _nothing_written(net: Net) -> tuple[int, int, int]:
    return (await net.count("network_tickets"), await net.count("network_jugadas"),
            int(await net.build.scalar("SELECT COALESCE(SUM(sales_cents), 0) FROM network_daily_rollups")))


async def test_bad_sales_write_nothing(net: Net) -> None:
    x = await _setup(net, reventado=False)
    await net.sell(x["hv"], x["s"]["id"], [("07", 100)])
    before = await _nothing_written(net)
    bad: list[tuple[list[Any], int, str | None]] = [
        ([("100", 10)], 400, "INVALID_NUMBER"),
        (["7"], 400, None),
        ([("7", 10)], 400, "INVALID_NUMBER"),
        ([("-1", 10)], 400, "INVALID_NUMBER"),
        ([("ab", 10)], 400, "INVALID_NUMBER"),
        ([("05", 0)], 400, None),
        ([("05", -3)], 400, None),
        ([("05", 0.001)], 400, "AMOUNT_ROUNDS_TO_ZERO"),
        ([], 400, None),
        ([("05", 10, "REVENTADO")], 400, "REVENTADO_NOT_ALLOWED"),
        ([("05", 10, "PALE")], 400, None),
    ]
    for jugadas, status, code in bad:
        lines = [j if isinstance(j, str) else {"number": j[0], "amount": j[1], "type": j[2] if len(j) > 2 else "NUMERO"} for j in jugadas]
        if lines and isinstance(lines[0], str):
            lines = [{"number": 7, "amount": 10}]  # a JSON number, not a string
        r = await net.client.post("/api/v1/tickets", json={"sorteoId": x["s"]["id"], "jugadas": lines}, headers=x["hv"])
        assert r.status_code == status, (jugadas, r.text)
        if code:
            assert r.json()["error"]["code"] == code
    # a vendedor of another ventana (sold by this ventana's listero) → 403
    other = await net.ventana(x["banca"]["id"])
    stranger = await net.vendedor(other["id"])
    listero = await net.listero(x["ventana"]["id"])
    await net.sell(listero, x["s"]["id"], [("05", 10)], vendedor_id=stranger["id"], expect=403)
    # a vendedor selling for another vendedor → 403; unknown sorteo → 404
    await net.sell(x["hv"], x["s"]["id"], [("05", 10)], vendedor_id=stranger["id"], expect=403)
    await net.sell(x["hv"], "sor_missing", [("05", 10)], expect=404)
    # after the cutoff (12:54 CR) → 409; on an evaluated sorteo → 409
    net.clock.set(cr(2026, 1, 15, 12, 54))
    r = await net.sell(x["hv"], x["s"]["id"], [("05", 10)], expect=409)
    assert r.json()["error"]["code"] == "SALES_CLOSED"
    net.clock.set(cr(2026, 1, 15, 12, 55))  # evaluation: at or after scheduledAt
    await net.evaluate(x["s"]["id"], "07")
    net.clock.set(cr(2026, 1, 15, 10))
    r = await net.sell(x["hv"], x["s"]["id"], [("05", 10)], expect=409)
    assert r.json()["error"]["code"] == "SORTEO_NOT_OPEN"
    assert await _nothing_written(net) == before


async def test_commission_snapshot_survives_policy_change(net: Net) -> None:
    x = await _setup(net)
    t1 = await net.sell(x["hv"], x["s"]["id"], [("11", 1000)])
    assert (t1["commissionAmount"], t1["listeroCommissionAmount"]) == (80.0, 100.0)
    await net.client.patch(f"/api/v1/vendedores/{x['v']['id']}", json={"commissionPolicy": {"percent": 20}}, headers=net.admin)
    await net.client.patch(f"/api/v1/ventanas/{x['ventana']['id']}", json={"commissionPolicy": None}, headers=net.admin)
    await net.client.patch(f"/api/v1/loterias/{x['lot']['id']}", json={"baseMultiplierX": 70}, headers=net.admin)
    again = (await net.get(f"/api/v1/tickets/{t1['id']}"))["data"]
    assert (again["commissionAmount"], again["listeroCommissionAmount"]) == (80.0, 100.0)
    assert again["jugadas"][0]["multiplierX"] == 90.0
    t2 = await net.sell(x["hv"], x["s"]["id"], [("11", 1000)])
    assert (t2["commissionAmount"], t2["listeroCommissionAmount"]) == (200.0, 50.0)  # listero falls back to the banca's 5 %
    assert t2["jugadas"][0]["multiplierX"] == 70.0
    st = (await net.statement(dimension="ventana", ventanaId=x["ventana"]["id"], date="today"))["data"]
    assert st["totals"]["listeroCommission"] == 150.0 and st["totals"]["vendedorCommission"] == 280.0
    net.clock.set(cr(2026, 1, 15, 13))
    await net.evaluate(x["s"]["id"], "11")
    st = (await net.statement(dimension="vendedor", vendedorId=x["v"]["id"], date="today"))["data"]
    assert st["totals"]["totalPayouts"] == 90000.0 + 70000.0


async def test_limits_per_bet_and_per_number(net: Net) -> None:
    x = await _setup(net, maxAmountPerBet=500, maxAmountPerNumber=1000)
    r = await net.sell(x["hv"], x["s"]["id"], [("01", 501)], expect=409)
    assert r.json()["error"]["code"] == "BET_LIMIT_EXCEEDED"
    await net.sell(x["hv"], x["s"]["id"], [("01", 500), ("01", 400)])
    r = await net.sell(x["hv"], x["s"]["id"], [("02", 10), ("01", 101)], expect=409)
    assert r.json()["error"]["code"] == "NUMBER_LIMIT_EXCEEDED"
    t = await net.sell(x["hv"], x["s"]["id"], [("01", 100)])
    await net.patch(f"/api/v1/tickets/{t['id']}/cancel", headers=x["hv"])
    await net.sell(x["hv"], x["s"]["id"], [("01", 100)])  # cancelled amounts free the number again
    assert await net.count("network_tickets") == 3


async def test_per_number_limit_holds_under_concurrent_sales(net: Net) -> None:
    x = await _setup(net, maxAmountPerNumber=1000)

    async def one() -> int:
        r = await net.client.post(
            "/api/v1/tickets", json={"sorteoId": x["s"]["id"], "jugadas": [{"number": "42", "amount": 100}]}, headers=x["hv"]
        )
        return r.status_code

    statuses = await asyncio.gather(*(one() for _ in range(20)))
    assert sorted(statuses) == [201] * 10 + [409] * 10
    assert await net.build.scalar("SELECT SUM(amount_cents) FROM network_jugadas WHERE number = '42'") == 100000


async def test_idempotent_sale(net: Net) -> None:
    x = await _setup(net)
    h = {**x["hv"], "Idempotency-Key": "sale-1"}
    a = await net.sell(h, x["s"]["id"], [("09", 100)])
    b = await net.sell(h, x["s"]["id"], [("09", 100)])
    assert a == b and await net.count("network_tickets") == 1
    await net.sell(h, x["s"]["id"], [("09", 200)], expect=422)


async def test_cancel_before_cutoff_only(net: Net) -> None:
    x = await _setup(net)
    t = await net.sell(x["hv"], x["s"]["id"], [("09", 100), ("10", 50)])
    t2 = await net.sell(x["hv"], x["s"]["id"], [("09", 300)])
    c = await net.patch(f"/api/v1/tickets/{t['id']}/cancel", headers=x["hv"])
    assert c["status"] == "CANCELLED"
    r = await net.post(f"/api/v1/tickets/{t['id']}/cancel", None, headers=x["hv"], expect=409)  # POST: alias for earlier clients
    assert r.json()["error"]["code"] == "TICKET_NOT_ACTIVE"
    net.clock.set(cr(2026, 1, 15, 12, 54, 30))
    r = await net.patch(f"/api/v1/tickets/{t2['id']}/cancel", headers=x["hv"], expect=409)
    assert r.json()["error"]["code"] == "SALES_CLOSED"
    st = (await net.statement(dimension="vendedor", vendedorId=x["v"]["id"], date="today"))["data"]["totals"]
    assert (st["totalSales"], st["ticketCount"], st["vendedorCommission"]) == (300.0, 1, 24.0)
    listing = await net.get("/api/v1/tickets", headers=x["hv"], status="CANCELLED")
    assert [tk["id"] for tk in listing["data"]] == [t["id"]]
    assert (await net.reconcile())["differences"] == []
