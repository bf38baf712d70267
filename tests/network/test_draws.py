"""Sorteo lifecycle, evaluation and its revert, prize payments (partial, idempotent, reversible)."""

from __future__ import annotations

from tests.network.builders import Net, cr


async def _sold(net: Net) -> dict:
    lot = await net.loteria(multiplier=80, reventado=True)
    banca = await net.banca(percent=0)
    ventana = await net.ventana(banca["id"])
    v = await net.vendedor(ventana["id"])
    hv = await net.login(v["username"])
    net.clock.set(cr(2026, 3, 1, 9))
    s = await net.sorteo(lot["id"], cr(2026, 3, 1, 12, 55))
    win = await net.sell(hv, s["id"], [("25", 100), ("25", 10, "REVENTADO"), ("26", 50)])
    lose = await net.sell(hv, s["id"], [("99", 100)])
    net.clock.set(cr(2026, 3, 1, 13))
    return {"s": s, "v": v, "hv": hv, "win": win, "lose": lose, "ventana": ventana}


async def _day(net: Net, x: dict) -> dict:
    return (await net.statement(dimension="ventana", ventanaId=x["ventana"]["id"], date="today"))["data"]["totals"]


async def test_lifecycle_and_bad_transitions(net: Net) -> None:
    lot = await net.loteria()
    s = await net.sorteo(lot["id"], cr(2026, 1, 15, 20), open_=False)
    assert s["status"] == "SCHEDULED"
    await net.patch(f"/api/v1/sorteos/{s['id']}/close", expect=409)
    r = await net.evaluate(s["id"], "01", expect=409)
    assert r.json()["error"]["code"] == "INVALID_SORTEO_STATE"
    s = await net.patch(f"/api/v1/sorteos/{s['id']}/open")
    await net.patch(f"/api/v1/sorteos/{s['id']}/open", expect=409)
    await net.post(f"/api/v1/sorteos/{s['id']}/open", None, expect=409)  # POST: alias for earlier clients
    r = await net.evaluate(s["id"], "01", expect=409)
    assert r.json()["error"]["code"] == "SORTEO_NOT_STARTED"
    net.clock.set(cr(2026, 1, 15, 21))
    for bad in ("1", "001", "x1", "-1"):
        r = await net.evaluate(s["id"], bad, expect=400)
        assert r.json()["error"]["code"] == "INVALID_WINNING_NUMBER"
    await net.patch(f"/api/v1/sorteos/{s['id']}/evaluate", {"winningNumber": 1}, expect=400)
    await net.evaluate(s["id"], "01")
    r = await net.evaluate(s["id"], "02", expect=409)
    assert r.json()["error"]["code"] == "ALREADY_EVALUATED"
    closed = await net.patch(f"/api/v1/sorteos/{s['id']}/close")
    assert closed["status"] == "CLOSED" and closed["winningNumber"] == "01"
    await net.patch(f"/api/v1/sorteos/{s['id']}/revert-evaluation", expect=409)
    listing = await net.get("/api/v1/sorteos", status="CLOSED")
    assert [x["id"] for x in listing["data"]] == [s["id"]]


async def test_evaluate_and_revert(net: Net) -> None:
    x = await _sold(net)
    ev = await net.evaluate(x["s"]["id"], "25", extra=3)
    assert ev["status"] == "EVALUATED"
    win = (await net.get(f"/api/v1/tickets/{x['win']['id']}"))["data"]
    assert win["totalPayout"] == 100 * 80 + 10 * 3 and win["isWinner"]
    assert [j["payout"] for j in win["jugadas"] if j["number"] == "26"] == [0.0]
    lose = (await net.get(f"/api/v1/tickets/{x['lose']['id']}"))["data"]
    assert lose["status"] == "EVALUATED" and lose["totalPayout"] == 0.0
    assert (await _day(net, x))["totalPayouts"] == 8030.0
    reverted = await net.patch(f"/api/v1/sorteos/{x['s']['id']}/revert-evaluation")
    assert reverted["status"] == "OPEN" and reverted["winningNumber"] is None
    assert (await _day(net, x))["totalPayouts"] == 0.0
    # evaluated again without the extra multiplier: the REVENTADO does not win
    await net.evaluate(x["s"]["id"], "25")
    assert (await _day(net, x))["totalPayouts"] == 8000.0
    assert (await net.reconcile())["differences"] == []


async def test_prize_payments(net: Net) -> None:
    x = await _sold(net)
    await net.evaluate(x["s"]["id"], "25", extra=3)
    url = f"/api/v1/tickets/{x['win']['id']}/prize-payments"
    r = await net.post(f"/api/v1/tickets/{x['lose']['id']}/prize-payments", {"amount": 1}, headers=x["hv"], expect=409)
    assert r.json()["error"]["code"] == "NOT_A_WINNER"
    r = await net.post(url, {"amount": 8030.01}, headers=x["hv"], expect=409)
    assert r.json()["error"]["code"] == "PRIZE_EXCEEDS_PAYOUT"
    await net.post(url, {"amount": 0}, headers=x["hv"], expect=400)
    h = {**x["hv"], "Idempotency-Key": "prize-1"}
    p1 = await net.post(url, {"amount": 3000}, headers=h)
    assert (await net.post(url, {"amount": 3000}, headers=h)) == p1
    assert p1["ticket"]["totalPaidToCustomer"] == 3000.0
    r = await net.patch(f"/api/v1/sorteos/{x['s']['id']}/revert-evaluation", expect=409)
    assert r.json()["error"]["code"] == "PRIZES_PAID"
    p2 = await net.post(url, {}, headers=x["hv"])  # the rest
    assert p2["payment"]["amount"] == 5030.0 and p2["ticket"]["totalPaidToCustomer"] == 8030.0
    r = await net.post(url, {"amount": 1}, headers=x["hv"], expect=409)
    assert r.json()["error"]["code"] == "PRIZE_ALREADY_PAID"
    assert (await _day(net, x))["totalPaidToCustomer"] == 8030.0
    rev_url = f"{url}/{p1['payment']['id']}/reverse"
    await net.post(rev_url, {"reason": "error"}, headers=x["hv"], expect=403)  # a vendedor may not reverse
    rev = await net.post(rev_url, {"reason": "error de caja"}, expect=200)
    assert rev["isReversed"] is True
    await net.post(rev_url, {"reason": "again"}, expect=409)
    assert (await _day(net, x))["totalPaidToCustomer"] == 5030.0
    listed = (await net.get(url))["data"]
    assert [p["isReversed"] for p in listed] == [True, False]
    assert (await net.reconcile())["differences"] == []
