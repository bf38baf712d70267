"""Statement arithmetic on a hand-computed case (CR day and month boundaries), movements, accounts, RBAC."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.network.builders import Net, cr


@dataclass
class Scenario:
    banca: dict[str, Any]
    ventana: dict[str, Any]
    a: dict[str, Any]
    b: dict[str, Any]
    ha: dict[str, str]
    hb: dict[str, str]
    s1: dict[str, Any]
    s2: dict[str, Any]
    t_a1: dict[str, Any]
    t_b1: dict[str, Any]
    t_a2: dict[str, Any]
    collection_id: str
    payment_id: str


async def build_scenario(net: Net) -> Scenario:
    """Banca 5 %; ventana 10 % (REVENTADO of this lotería 12 %); vendedor A 8 %, vendedor B inherits.

    S1 at 2026-01-31 23:45 CR (= 02-01 05:45 UTC, businessDate 01-31); S2 at 2026-02-01 12:55 CR.
    A on S1: 05×1000 + 17×500 = 1500 (comm 8 % = 120, listero 10 % = 150), sold 23:30 CR.
    B on S1: 05×200 NUMERO + 05×100 REVENTADO = 300 (comm 20 + 12 = 32; listero 32).
    A on S2: 33×2000 (comm 160, listero 200).
    S1 drawn 05 with extra 5×: A wins 1000×90 = 90000; B wins 200×90 + 100×5 = 18500.
    Movements: collection 10000 from A on 01-31; payment 50000 to the ventana on 02-01.
    """
    lot = await net.loteria(multiplier=90, reventado=True)
    banca = await net.banca(percent=5)
    ventana = await net.ventana(
        banca["id"], {"percent": 10, "rules": [{"loteriaId": lot["id"], "betType": "REVENTADO", "percent": 12}]}
    )
    a = await net.vendedor(ventana["id"], {"percent": 8})
    b = await net.vendedor(ventana["id"])
    ha, hb = await net.login(a["username"]), await net.login(b["username"])
    net.clock.set(cr(2026, 1, 31, 12))
    s1 = await net.sorteo(lot["id"], cr(2026, 1, 31, 23, 45))
    s2 = await net.sorteo(lot["id"], cr(2026, 2, 1, 12, 55))
    assert s1["businessDate"] == "2026-01-31" and s2["businessDate"] == "2026-02-01"
    net.clock.set(cr(2026, 1, 31, 23, 30))  # 2026-02-01 05:30 UTC
    t_a1 = await net.sell(ha, s1["id"], [("05", 1000), ("17", 500)])
    t_b1 = await net.sell(hb, s1["id"], [("05", 200), ("05", 100, "REVENTADO")])
    t_a2 = await net.sell(ha, s2["id"], [("33", 2000)])
    net.clock.set(cr(2026, 1, 31, 23, 50))
    await net.evaluate(s1["id"], "05", extra=5)
    col = await net.movement(date="2026-01-31", vendedorId=a["id"], amount=10000, type="collection")
    pay = await net.movement(date="2026-02-01", ventanaId=ventana["id"], amount=50000, type="payment", method="transfer")
    net.clock.set(cr(2026, 2, 2, 9))
    return Scenario(banca, ventana, a, b, ha, hb, s1, s2, t_a1, t_b1, t_a2, col["id"], pay["id"])


def _pick(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: d[k] for k in keys}


FIELDS = ("totalSales", "totalPayouts", "listeroCommission", "vendedorCommission", "balance", "totalCollected",
          "totalPaid", "remainingBalance", "ticketCount")


async def test_ticket_snapshots_and_day_boundary(net: Net) -> None:
    sc = await build_scenario(net)
    assert sc.t_a1["businessDate"] == "2026-01-31"  # sold 23:30 CR although UTC is already 02-01
    assert sc.t_a1["totalAmount"] == 1500.0 and sc.t_a1["commissionAmount"] == 120.0 and sc.t_a1["listeroCommissionAmount"] == 150.0
    rev = [j for j in sc.t_b1["jugadas"] if j["type"] == "REVENTADO"][0]
    assert rev["commissionPercent"] == 12.0 and rev["commissionAmount"] == 12.0 and rev["listeroCommissionAmount"] == 12.0
    assert sc.t_b1["commissionAmount"] == 32.0
    assert [j["multiplierX"] for j in sc.t_a1["jugadas"]] == [90.0, 90.0]
    assert sc.t_a1["ticketNumber"] == 1 and sc.t_b1["ticketNumber"] == 2 and sc.t_a2["ticketNumber"] == 1  # per business day
    detail = (await net.get(f"/api/v1/tickets/{sc.t_a1['id']}"))["data"]
    assert detail["status"] == "EVALUATED" and detail["totalPayout"] == 90000.0
    b1 = (await net.get(f"/api/v1/tickets/{sc.t_b1['id']}"))["data"]
    assert b1["totalPayout"] == 18500.0


async def test_ventana_statement_hand_computed(net: Net) -> None:
    sc = await build_scenario(net)
    body = await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], date="range", fromDate="2026-01-31", toDate="2026-02-01")
    data = body["data"]
    days = {s["date"]: s for s in data["statements"]}
    assert list(days) == ["2026-01-31", "2026-02-01"]
    assert _pick(days["2026-01-31"], *FIELDS) == {
        "totalSales": 1800.0, "totalPayouts": 108500.0, "listeroCommission": 182.0, "vendedorCommission": 152.0,
        "balance": -106882.0, "totalCollected": 0.0, "totalPaid": 0.0, "remainingBalance": -106882.0, "ticketCount": 2,
    }
    assert _pick(days["2026-02-01"], *FIELDS) == {
        "totalSales": 2000.0, "totalPayouts": 0.0, "listeroCommission": 200.0, "vendedorCommission": 160.0,
        "balance": 1800.0, "totalCollected": 0.0, "totalPaid": 50000.0, "remainingBalance": 51800.0, "ticketCount": 1,
    }
    # A's collection (10000, ventana↔vendedor) is not a movement of the ventana's account with the banca
    assert days["2026-01-31"]["movements"] == []
    assert [m["amount"] for m in days["2026-02-01"]["movements"]] == [50000.0]
    assert _pick(data["totals"], "totalSales", "balance", "remainingBalance") == {
        "totalSales": 3800.0, "balance": -105082.0, "remainingBalance": -55082.0,
    }
    # the period ends on 02-01 (before "today" 02-02): monthlyAccumulated is February
    assert data["monthlyAccumulated"]["month"] == "2026-02"
    assert data["monthlyAccumulated"]["remainingBalance"] == 51800.0
    assert data["meta"]["totalDays"] == 2 and data["meta"]["dimension"] == "ventana"

    jan = (await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], month="2026-01"))["data"]
    assert [s["date"] for s in jan["statements"]] == ["2026-01-31"]
    assert jan["monthlyAccumulated"]["month"] == "2026-01"
    assert jan["monthlyAccumulated"]["remainingBalance"] == -106882.0 == jan["totals"]["remainingBalance"]
    # banca dimension = the whole house, same listero formula
    banca = (await net.statement(dimension="banca", month="2026-01"))["data"]
    assert banca["totals"]["remainingBalance"] == -106882.0


async def test_vendedor_statement_and_same_for_every_viewer(net: Net) -> None:
    sc = await build_scenario(net)
    params = {"dimension": "vendedor", "vendedorId": sc.a["id"], "date": "range", "fromDate": "2026-01-31", "toDate": "2026-02-01"}
    as_admin = (await net.statement(**params))["data"]
    days = {s["date"]: s for s in as_admin["statements"]}
    assert _pick(days["2026-01-31"], "totalSales", "totalPayouts", "vendedorCommission", "balance", "remainingBalance") == {
        "totalSales": 1500.0, "totalPayouts": 90000.0, "vendedorCommission": 120.0, "balance": -88620.0, "remainingBalance": -98620.0,
    }
    assert days["2026-02-01"]["remainingBalance"] == 1840.0  # the ventana-level payment is not A's
    as_self = (await net.statement(headers=sc.ha, **params))["data"]
    listero = await net.listero(sc.ventana["id"])
    as_listero = (await net.statement(headers=listero, **params))["data"]
    def figures_only(st: dict[str, Any]) -> dict[str, Any]:  # canEdit is the one field that depends on the caller
        return {**st, "statements": [{k: v for k, v in d.items() if k != "canEdit"} for d in st["statements"]]}

    assert figures_only(as_admin) == figures_only(as_self) == figures_only(as_listero)
    assert [d["canEdit"] for d in as_admin["statements"]] == [True, True]
    assert [d["canEdit"] for d in as_self["statements"]] == [False, False]
    # a vendedor defaults to its own statement; another vendedor's is 403
    own = (await net.statement(headers=sc.ha, date="range", fromDate="2026-01-31", toDate="2026-02-01"))["data"]
    assert own["totals"] == as_admin["totals"]
    await net.statement(headers=sc.ha, expect=403, dimension="vendedor", vendedorId=sc.b["id"])
    await net.statement(headers=sc.ha, expect=403, dimension="ventana")
    await net.statement(headers=listero, expect=403, dimension="banca")


async def test_statement_get_writes_nothing_and_bad_params(net: Net) -> None:
    sc = await build_scenario(net)
    before = await net.build.scalar("SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM network_daily_rollups t")
    for params in ({"date": "range", "fromDate": "2026-02-02", "toDate": "2026-02-01"},
                   {"date": "range", "fromDate": "2026/02/01", "toDate": "2026-02-03"},
                   {"date": "range", "fromDate": "2026-02-01"},
                   {"date": "fortnight"}, {"month": "2026-13"}, {"dimension": "planet"}):
        r = await net.client.get("/api/v1/accounts/statement", headers=net.admin, params=params)
        assert r.status_code == 400, (params, r.text)
    await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], date="month")
    after = await net.build.scalar("SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM network_daily_rollups t")
    assert before == after


async def test_movement_reversal_and_accounts(net: Net) -> None:
    sc = await build_scenario(net)
    accounts = (await net.get("/api/v1/accounts"))["data"]
    by_owner = {a["ownerId"]: a for a in accounts}
    # all-time: ventana = Jan −106882 + Feb 51800 = −55082 (A's collection is at A's level);
    # A = −98620 + 1840 = −96780
    assert by_owner[sc.ventana["id"]]["balance"] == -55082.0
    assert by_owner[sc.a["id"]]["balance"] == -96780.0
    assert by_owner[sc.a["id"]]["ownerCode"] == sc.a["code"]
    r = await net.post("/api/v1/accounts/reverse-payment", {"paymentId": sc.collection_id, "reason": "duplicado"}, expect=200)
    assert r["payment"]["isReversed"] is True  # {payment, statement}
    assert r["statement"]["date"] == "2026-01-31" and r["statement"]["totalCollected"] == 0.0
    again = await net.post("/api/v1/accounts/reverse-payment", {"paymentId": sc.collection_id, "reason": "x"}, expect=409)
    assert again.json()["error"]["code"] == "ALREADY_REVERSED"
    acc = (await net.get(f"/api/v1/accounts/{by_owner[sc.a['id']]['id']}"))["data"]
    assert acc["balance"] == -86780.0 and acc["totalCollected"] == 0.0
    history = (await net.get("/api/v1/accounts/payment-history"))["data"]
    assert {m["id"]: m["isReversed"] for m in history} == {sc.collection_id: True, sc.payment_id: False}
    # scope: A sees only its own account; the listero sees the ventana + its vendedores
    assert [x["ownerId"] for x in (await net.get("/api/v1/accounts", headers=sc.ha))["data"]] == [sc.a["id"]]
    await net.get(f"/api/v1/accounts/{by_owner[sc.ventana['id']]['id']}", headers=sc.ha, expect=404)
    listero = await net.listero(sc.ventana["id"])
    assert len((await net.get("/api/v1/accounts", headers=listero))["data"]) == 3
    assert (await net.reconcile())["differences"] == []


async def test_movement_bad_input_writes_nothing(net: Net) -> None:
    sc = await build_scenario(net)
    n = await net.count("network_movements")
    cases = [
        ({"date": "2026-02-01", "vendedorId": sc.a["id"], "amount": 0, "type": "collection"}, 400),
        ({"date": "2026-02-01", "vendedorId": sc.a["id"], "amount": -5, "type": "collection"}, 400),
        ({"date": "2026-02-01", "vendedorId": sc.a["id"], "amount": 5, "type": "gift"}, 400),
        ({"date": "2026-02-01", "vendedorId": sc.a["id"], "amount": 5, "type": "payment", "method": "bitcoin"}, 400),
        ({"date": "01/02/2026", "vendedorId": sc.a["id"], "amount": 5, "type": "payment"}, 400),
        ({"date": "2026-02-30", "vendedorId": sc.a["id"], "amount": 5, "type": "payment"}, 400),
        ({"date": "2026-02-01", "amount": 5, "type": "payment"}, 400),
        ({"date": "2026-02-01", "vendedorId": "usr_nope", "amount": 5, "type": "payment"}, 404),
    ]
    for body, status in cases:
        body.setdefault("method", "cash")
        await net.post("/api/v1/accounts/payment", body, expect=status)
    await net.movement(headers=sc.ha, expect=403, date="2026-02-01", vendedorId=sc.a["id"], amount=5, type="payment")
    other_ventana = await net.ventana(sc.banca["id"])
    listero = await net.listero(other_ventana["id"])
    await net.movement(headers=listero, expect=403, date="2026-02-01", vendedorId=sc.a["id"], amount=5, type="payment")
    assert await net.count("network_movements") == n


async def test_movement_idempotency_key_body_and_header(net: Net) -> None:
    sc = await build_scenario(net)
    body = {"date": "2026-02-01", "vendedorId": sc.b["id"], "amount": 700, "type": "collection", "method": "cash", "idempotencyKey": "k-1"}
    first = await net.post("/api/v1/accounts/payment", body)
    second = await net.post("/api/v1/accounts/payment", body)
    assert first["payment"]["id"] == second["payment"]["id"]
    await net.post("/api/v1/accounts/payment", {**body, "amount": 800}, expect=422)
    h = {**net.admin, "Idempotency-Key": "hdr-1"}
    body2 = {k: v for k, v in body.items() if k != "idempotencyKey"}
    x = await net.post("/api/v1/accounts/payment", body2, headers=h)
    y = await net.post("/api/v1/accounts/payment", body2, headers=h)
    assert x["payment"]["id"] == y["payment"]["id"]
    assert await net.count("network_movements") == 4  # 2 from the scenario + 2 here


async def test_two_levels_listero_collection_never_moves_its_own_account(net: Net) -> None:
    """DOMAIN.md "Two levels of accounts": the listero's 1,000,000 collection from its vendedor
    moves the vendedor's account with the ventana, never the ventana's account with the banca."""
    sc = await build_scenario(net)
    listero = await net.listero(sc.ventana["id"])

    async def balances() -> tuple[float, float, float, float]:
        accounts = {a["ownerId"]: a for a in (await net.get("/api/v1/accounts"))["data"]}
        ventana = (await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], month="2026-02"))["data"]
        vendedor = (await net.statement(dimension="vendedor", vendedorId=sc.b["id"], month="2026-02"))["data"]
        return (accounts[sc.ventana["id"]]["balance"], accounts[sc.b["id"]]["balance"],
                ventana["totals"]["remainingBalance"], vendedor["totals"]["remainingBalance"])

    before = await balances()
    body = {"date": "2026-02-01", "vendedorId": sc.b["id"], "amount": 1000000, "type": "collection", "method": "cash"}
    r = await net.post("/api/v1/accounts/payment", body, headers=listero)
    assert r["statement"]["vendedorId"] == sc.b["id"] and r["statement"]["totalCollected"] == 1000000.0
    after = await balances()
    assert after[0] == before[0] and after[2] == before[2]  # the ventana with the banca: unchanged
    assert after[1] == before[1] - 1000000 and after[3] == before[3] - 1000000
    # the listero can neither record nor reverse a movement of its own ventana
    await net.movement(headers=listero, expect=403, date="2026-02-01", ventanaId=sc.ventana["id"], amount=5, type="payment")
    await net.post("/api/v1/accounts/reverse-payment", {"paymentId": sc.payment_id, "reason": "x"}, headers=listero, expect=403)
    # a banca↔ventana movement moves the ventana's account and no vendedor's
    await net.movement(date="2026-02-01", ventanaId=sc.ventana["id"], amount=300, type="collection")
    last = await balances()
    assert last[0] == after[0] - 300 and last[1] == after[1] and last[3] == after[3]
    assert (await net.reconcile())["differences"] == []
