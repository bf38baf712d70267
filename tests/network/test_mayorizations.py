"""Mayorizations (seeds 002/003, DOMAIN.md "Mayorización"): calculate, history, settle on two levels of accounts.

The scenario is test_statements' hand-computed one: ventana 01-31 net −106882 (CXP), 02-01 +1800
(CXC); vendedor A 01-31 −88620 (CXP), 02-01 +1840 (CXC).
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from taquilla.network.mayorizations.service import debt_description
from tests.network.builders import Net, cr
from tests.network.test_statements import Scenario, build_scenario

CALC = "/api/v1/accounts/{}/mayorizations/calculate"
HISTORY = "/api/v1/accounts/mayorizations/history"
SETTLE = "/api/v1/accounts/mayorizations/settle"
RECORD_KEYS = {
    "id", "accountId", "ownerType", "ownerId", "ownerCode", "ownerName", "ventanaId", "date", "fromDate", "toDate",
    "totalSales", "totalPrizes", "totalCommission", "netOperative", "debtStatus", "debtAmount", "debtDescription",
    "status", "isSettled", "settledDate", "settledAmount", "settlementType", "settlementRef", "settledBy", "createdAt", "updatedAt",
}


async def accounts(net: Net, headers: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """owner id → account (as ADMIN unless ``headers``)."""
    return {a["ownerId"]: a for a in (await net.get("/api/v1/accounts", headers=headers, pageSize=100))["data"]}


async def calc(net: Net, account_id: str, start: str, end: str, headers: dict[str, str] | None = None, expect: int = 201) -> Any:
    r = await net.client.post(CALC.format(account_id), params={"fromDate": start, "toDate": end}, headers=headers or net.admin)
    assert r.status_code == expect, r.text
    return r.json()["data"] if expect == 201 else r.json()


async def history(net: Net, headers: dict[str, str] | None = None, expect: int = 200, **params: Any) -> Any:
    r = await net.client.get(HISTORY, params=params, headers=headers or net.admin)
    assert r.status_code == expect, r.text
    return r.json()


async def settle(net: Net, record: dict[str, Any], headers: dict[str, str] | None = None, expect: int = 201, **over: Any) -> Any:
    body = {"mayorizationId": record["id"], "amount": record["debtAmount"],
            "settlementType": "PAYMENT" if record["debtStatus"] == "CXC" else "COLLECTION",
            "date": record["toDate"], "reference": "CHK-001", **over}
    r = await net.client.post(SETTLE, json={k: v for k, v in body.items() if v is not None}, headers=headers or net.admin)
    assert r.status_code == expect, r.text
    return r.json()["data"] if expect == 201 else r.json()


async def _setup(net: Net) -> tuple[Scenario, dict[str, dict[str, Any]]]:
    sc = await build_scenario(net)
    return sc, await accounts(net)


async def test_seed_002_flow_calculate_history_settle(net: Net) -> None:
    sc, acc = await _setup(net)
    ventana_acc = acc[sc.ventana["id"]]["id"]
    record = await calc(net, ventana_acc, "2026-02-01", "2026-02-01")
    assert set(record) == RECORD_KEYS and record["id"].startswith("maj_")
    assert record["ownerName"] == sc.ventana["name"] and record["ownerCode"] == sc.ventana["code"]
    assert (record["ownerType"], record["ownerId"], record["accountId"]) == ("VENTANA", sc.ventana["id"], ventana_acc)
    assert (record["status"], record["isSettled"], record["settledDate"]) == ("OPEN", False, None)
    # history (clock: 2026-02-02; week = 02-02..02-08 does not hold a record ending 02-01)
    assert (await history(net))["mayorizations"] == []
    h = await history(net, period="range", fromDate="2026-02-01", toDate="2026-02-01")
    assert set(h) == {"success", "mayorizations", "pagination", "summary", "requestId"}
    assert [m["id"] for m in h["mayorizations"]] == [record["id"]] and h["mayorizations"][0]["date"] == "2026-02-01"
    assert h["pagination"] == {"page": 1, "pageSize": 20, "total": 1, "totalPages": 1}
    assert h["summary"] == {"totalDebtAmount": 1800.0, "totalSettledAmount": 0.0, "pendingSettlement": 1800.0}
    # settle (seed 002's body, amount as an integer)
    out = await settle(net, h["mayorizations"][0], amount=1800, reference="CHK-001", note="Payment via check")
    assert out["mayorization"]["isSettled"] is True and out["mayorization"]["status"] == "SETTLED"
    assert out["mayorization"]["settledDate"] == "2026-02-01" and out["mayorization"]["settledAmount"] == 1800.0
    assert out["mayorization"]["settlementType"] == "PAYMENT" and out["mayorization"]["settlementRef"] == "CHK-001"
    entry = out["ledgerEntry"]
    assert entry["id"].startswith("entry_") and entry["type"] == "ADJUSTMENT" and entry["valueSigned"] == -1800.0
    assert entry["note"] == "PAYMENT - Ref: CHK-001 (Payment via check)" and entry["referenceId"] == record["id"]
    assert out["newBalance"] == -55082.0 - 1800.0
    again = await settle(net, record, expect=409)
    assert again["error"]["code"] == "MAYORIZATION_SETTLED" and again["message"] == "Majorization is already settled"
    h = await history(net, period="range", fromDate="2026-02-01", toDate="2026-02-01")
    assert h["mayorizations"][0]["status"] == "SETTLED" and h["mayorizations"][0]["settledDate"] == "2026-02-01"
    assert h["summary"] == {"totalDebtAmount": 1800.0, "totalSettledAmount": 1800.0, "pendingSettlement": 0.0}


async def test_totals_equal_the_statement_and_descriptions(net: Net) -> None:
    sc, acc = await _setup(net)
    cases = [
        (sc.ventana["id"], "ventana", "vendedorCommission", "listeroCommission"),
        (sc.a["id"], "vendedor", "listeroCommission", "vendedorCommission"),
        (sc.b["id"], "vendedor", "listeroCommission", "vendedorCommission"),
    ]
    for owner, dimension, _other, commission in cases:
        for start, end in (("2026-01-31", "2026-01-31"), ("2026-02-01", "2026-02-01"), ("2026-01-01", "2026-02-28")):
            rec = await calc(net, acc[owner]["id"], start, end)
            ident = {"vendedorId": owner} if dimension == "vendedor" else {"ventanaId": owner}
            totals = (await net.statement(dimension=dimension, date="range", fromDate=start, toDate=end, **ident))["data"]["totals"]
            assert (rec["totalSales"], rec["totalPrizes"], rec["totalCommission"], rec["netOperative"]) == (
                totals["totalSales"], totals["totalPayouts"], totals[commission], totals["balance"]), (owner, start, end)
            assert rec["netOperative"] == round(rec["totalSales"] - rec["totalPrizes"] - rec["totalCommission"], 2)
            assert rec["debtAmount"] == abs(rec["netOperative"])
    recs = {(r["ownerId"], r["fromDate"], r["toDate"]): r for r in (await history(net, period="year"))["mayorizations"]}
    v31, v01 = recs[(sc.ventana["id"], "2026-01-31", "2026-01-31")], recs[(sc.ventana["id"], "2026-02-01", "2026-02-01")]
    a31, a01 = recs[(sc.a["id"], "2026-01-31", "2026-01-31")], recs[(sc.a["id"], "2026-02-01", "2026-02-01")]
    assert (v31["netOperative"], v31["debtStatus"], v31["debtDescription"]) == (-106882.0, "CXP", "La banca debe ₡106,882 al listero")
    assert (v01["netOperative"], v01["debtStatus"], v01["debtDescription"]) == (1800.0, "CXC", "El listero debe ₡1,800 a la banca")
    assert (a31["netOperative"], a31["debtStatus"], a31["debtDescription"]) == (-88620.0, "CXP", "El listero debe ₡88,620 al vendedor")
    assert (a01["netOperative"], a01["debtStatus"], a01["debtDescription"]) == (1840.0, "CXC", "El vendedor debe ₡1,840 al listero")
    assert a31["ownerName"] == sc.a["name"] and a31["ownerCode"] == sc.a["code"]
    assert debt_description("VENTANA", "CXC", 115000050) == "El listero debe ₡1,150,000.50 a la banca"
    assert "nada" in debt_description("VENDEDOR", "BALANCE", 0)
    # a period without activity: BALANCE, nothing to settle
    empty = await calc(net, acc[sc.b["id"]]["id"], "2026-03-01", "2026-03-31")
    assert (empty["netOperative"], empty["debtStatus"], empty["debtAmount"]) == (0.0, "BALANCE", 0.0)
    r = await settle(net, empty, expect=400, amount=1, settlementType="PAYMENT")
    assert r["code"] == "NOTHING_TO_SETTLE"


async def test_recalculate_refreshes_open_and_refuses_settled(net: Net) -> None:
    sc, acc = await _setup(net)
    first = await calc(net, acc[sc.a["id"]]["id"], "2026-02-01", "2026-02-01")
    net.clock.set(cr(2026, 2, 1, 10))  # S2 (02-01 12:55) still sells
    await net.sell(sc.ha, sc.s2["id"], [("44", 1000)])  # +1000 sales, 8 % = 80 commission
    net.clock.set(cr(2026, 2, 2, 9))
    again = await calc(net, acc[sc.a["id"]]["id"], "2026-02-01", "2026-02-01")
    assert again["id"] == first["id"] and again["createdAt"] == first["createdAt"]
    assert (again["totalSales"], again["netOperative"]) == (3000.0, 1840.0 + 920.0)
    assert await net.count("network_mayorizations") == 1
    await settle(net, again, amount=2760)
    r = await calc(net, acc[sc.a["id"]]["id"], "2026-02-01", "2026-02-01", expect=409)
    assert r["code"] == "MAYORIZATION_SETTLED"
    rec = (await history(net, period="range", fromDate="2026-02-01", toDate="2026-02-01"))["mayorizations"][0]
    assert rec["netOperative"] == 2760.0 and rec["status"] == "SETTLED"
    # another period of the same account is a new record
    other = await calc(net, acc[sc.a["id"]]["id"], "2026-01-31", "2026-02-01")
    assert other["id"] != first["id"]


async def test_history_filters_order_pagination_summary(net: Net) -> None:
    sc, acc = await _setup(net)
    made = []
    for owner in (sc.ventana["id"], sc.a["id"], sc.b["id"]):
        for start, end in (("2026-01-31", "2026-01-31"), ("2026-02-01", "2026-02-01"), ("2026-01-31", "2026-02-01")):
            made.append(await calc(net, acc[owner]["id"], start, end))
    in_week = await calc(net, acc[sc.b["id"]]["id"], "2026-02-02", "2026-02-03")  # clock 02-02: this week
    assert [m["id"] for m in (await history(net))["mayorizations"]] == [in_week["id"]]  # default period=week
    rng = {"period": "range", "fromDate": "2026-01-01", "toDate": "2026-02-28"}
    allr = await history(net, **rng)
    assert allr["pagination"]["total"] == 10
    debts = sum(m["debtAmount"] for m in made) + in_week["debtAmount"]
    assert allr["summary"]["totalDebtAmount"] == round(debts, 2) == allr["summary"]["pendingSettlement"]
    # fromDate/toDate without period mean a range
    assert (await history(net, fromDate="2026-01-31", toDate="2026-01-31"))["pagination"]["total"] == 3
    # ordering: date desc by default (ties: newest first), debtAmount, netOperative
    dates = [m["date"] for m in allr["mayorizations"]]
    assert dates == sorted(dates, reverse=True)
    by_debt = [m["debtAmount"] for m in (await history(net, orderBy="debtAmount", order="asc", **rng))["mayorizations"]]
    assert by_debt == sorted(by_debt)
    by_net = [m["netOperative"] for m in (await history(net, orderBy="netOperative", **rng))["mayorizations"]]
    assert by_net == sorted(by_net, reverse=True)
    # pagination: pages partition the list; summary stays over all records
    pages = [await history(net, page=p, pageSize=3, **rng) for p in (1, 2, 3, 4)]
    ids = [m["id"] for p in pages for m in p["mayorizations"]]
    assert ids == [m["id"] for m in allr["mayorizations"]] and len(set(ids)) == 10
    assert all(p["pagination"] == {"page": i + 1, "pageSize": 3, "total": 10, "totalPages": 4} for i, p in enumerate(pages))
    assert all(p["summary"] == allr["summary"] for p in pages)
    await history(net, expect=400, page=5, pageSize=3, **rng)
    await history(net, expect=400, pageSize=101)
    await history(net, expect=400, pageSize=0)
    await history(net, expect=400, period="fortnight")
    await history(net, expect=400, period="range", fromDate="2026-02-03", toDate="2026-02-01")
    await history(net, expect=400, orderBy="name")
    await history(net, expect=400, debtStatus="OWED")
    # filters
    cxc = await history(net, debtStatus="CXC", **rng)
    assert cxc["mayorizations"] and all(m["debtStatus"] == "CXC" for m in cxc["mayorizations"])
    assert cxc["summary"]["totalDebtAmount"] == round(sum(m["debtAmount"] for m in cxc["mayorizations"]), 2)
    vend = await history(net, ownerType="VENDEDOR", **rng)
    assert vend["pagination"]["total"] == 7 and {m["ownerType"] for m in vend["mayorizations"]} == {"VENDEDOR"}
    only_a = await history(net, ownerId=sc.a["id"], **rng)
    assert {m["ownerId"] for m in only_a["mayorizations"]} == {sc.a["id"]} and only_a["pagination"]["total"] == 3
    target = next(m for m in made if m["ownerId"] == sc.a["id"] and m["debtStatus"] == "CXC")
    await settle(net, target)
    settled = await history(net, isSettled="true", **rng)
    assert [m["id"] for m in settled["mayorizations"]] == [target["id"]]
    assert settled["summary"] == {"totalDebtAmount": target["debtAmount"], "totalSettledAmount": target["debtAmount"], "pendingSettlement": 0.0}
    assert (await history(net, isSettled="false", **rng))["pagination"]["total"] == 9
    after = await history(net, **rng)
    assert after["summary"]["totalSettledAmount"] == target["debtAmount"]
    assert after["summary"]["pendingSettlement"] == round(allr["summary"]["totalDebtAmount"] - target["debtAmount"], 2)


async def test_settle_moves_balance_statement_and_reconcile(net: Net) -> None:
    sc, acc = await _setup(net)
    ventana_acc = acc[sc.ventana["id"]]
    before_st = (await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], month="2026-01"))["data"]
    rec = await calc(net, ventana_acc["id"], "2026-01-31", "2026-01-31")  # CXP 106882: the banca owes the listero
    jan = {"date": "range", "fromDate": "2026-01-01", "toDate": "2026-01-31"}
    cxp = (await net.get("/api/v1/admin/dashboard/cxp", **jan))["data"]["byVentana"]
    item = next(i for i in cxp if i["ventanaId"] == sc.ventana["id"])
    assert item["amount"] == 106882.0 and item["saldoAHoy"] == item["remainingBalance"] == -106882.0
    vend_before = (await net.get("/api/v1/admin/dashboard/cxp", dimension="vendedor", **jan))["data"]["byVentana"]
    out = await settle(net, rec, date="2026-01-31", reference="TRF-9")
    for path in ("/api/v1/admin/dashboard/cxp", "/api/v1/admin/dashboard/cxc"):  # settled: saldo a hoy 0, in neither list
        assert sc.ventana["id"] not in [i["ventanaId"] for i in (await net.get(path, **jan))["data"]["byVentana"]]
    assert (await net.get("/api/v1/admin/dashboard/cxp", dimension="vendedor", **jan))["data"]["byVentana"] == vend_before
    assert out["ledgerEntry"]["valueSigned"] == 106882.0  # COLLECTION: the owner collects, +amount
    assert out["newBalance"] == ventana_acc["balance"] + 106882.0
    after = await accounts(net)
    assert after[sc.ventana["id"]]["balance"] == out["newBalance"]
    assert after[sc.a["id"]]["balance"] == acc[sc.a["id"]]["balance"]  # another level: unchanged
    st = (await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], month="2026-01"))["data"]
    assert st["totals"]["totalPaid"] == before_st["totals"]["totalPaid"] + 106882.0
    assert st["totals"]["remainingBalance"] == 0.0  # the month's only day is closed
    day = st["statements"][0]
    assert day["isSettled"] is True and (st["totals"]["settledDays"], st["totals"]["pendingDays"]) == (1, 0)
    assert st["monthlyAccumulated"]["settledDays"] == 1 and before_st["statements"][0]["isSettled"] is False
    feb = (await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], month="2026-02"))["data"]
    assert [d["isSettled"] for d in feb["statements"]] == [False] and feb["totals"]["settledDays"] == 0
    adj = [m for m in day["movements"] if m["kind"] == "ADJUSTMENT"]
    assert len(adj) == 1 and adj[0]["type"] == "payment" and adj[0]["mayorizationId"] == rec["id"]
    # an ADJUSTMENT is never reversed; the settled record never changes
    r = await net.post("/api/v1/accounts/reverse-payment", {"paymentId": out["ledgerEntry"]["id"], "reason": "x"}, expect=409)
    assert r.json()["error"]["code"] == "ADJUSTMENT_NOT_REVERSIBLE"
    report = await net.reconcile()
    assert report["differences"] == [] and report["ticketDrift"] == []
    assert report["adjustments"] == {"count": 1, "valueSignedCents": 10688200, "broken": []}
    # a SETTLED record whose ADJUSTMENT was taken away behind the API's back is reported
    async with net.build.app.state.engine.begin() as conn:
        await conn.execute(text("UPDATE network_movements SET is_reversed = true WHERE kind = 'ADJUSTMENT'"))
    assert (await net.reconcile())["adjustments"]["broken"] == [rec["id"]]


async def test_two_levels_listero_settles_a_vendedor_record(net: Net) -> None:
    sc, acc = await _setup(net)
    listero = await net.listero(sc.ventana["id"])
    rec = await calc(net, acc[sc.a["id"]]["id"], "2026-01-31", "2026-01-31", headers=listero)  # CXP 88620
    ventana_st = (await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], month="2026-01"))["data"]["totals"]
    out = await settle(net, rec, headers=listero, reference="EF-1")
    assert out["ledgerEntry"]["valueSigned"] == 88620.0 and out["mayorization"]["settledBy"]
    after = await accounts(net)
    assert after[sc.ventana["id"]]["balance"] == acc[sc.ventana["id"]]["balance"]  # the ventana's position with the banca
    assert after[sc.a["id"]]["balance"] == acc[sc.a["id"]]["balance"] + 88620.0 == out["newBalance"]
    assert (await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], month="2026-01"))["data"]["totals"] == ventana_st
    a_st = (await net.statement(dimension="vendedor", vendedorId=sc.a["id"], date="2026-01-31"))["data"]["statements"][0]
    assert a_st["totalPaid"] == 88620.0 and a_st["totalCollected"] == 10000.0 and a_st["isSettled"] is True
    ventana_day = (await net.statement(dimension="ventana", ventanaId=sc.ventana["id"], date="2026-01-31"))["data"]["statements"][0]
    assert ventana_day["isSettled"] is False  # the vendedor's closing is not the ventana's
    assert (await net.reconcile())["differences"] == []


async def test_rbac_per_role(net: Net) -> None:
    sc, acc = await _setup(net)
    listero = await net.listero(sc.ventana["id"])
    other_ventana = await net.ventana(sc.banca["id"])
    other_vendedor = await net.vendedor(other_ventana["id"])
    await net.movement(date="2026-01-31", vendedorId=other_vendedor["id"], amount=5, type="collection")  # opens its account
    acc = await accounts(net)
    rng = {"period": "range", "fromDate": "2026-01-01", "toDate": "2026-02-28"}
    # ADMIN calculates everything
    v_rec = await calc(net, acc[sc.ventana["id"]]["id"], "2026-02-01", "2026-02-01")
    other_rec = await calc(net, acc[other_vendedor["id"]]["id"], "2026-02-01", "2026-02-01")
    # the listero: its ventana's and its vendedores' records; settles only its vendedores'
    own_rec = await calc(net, acc[sc.ventana["id"]]["id"], "2026-01-31", "2026-01-31", headers=listero)
    a_rec = await calc(net, acc[sc.a["id"]]["id"], "2026-02-01", "2026-02-01", headers=listero)
    b_rec = await calc(net, acc[sc.b["id"]]["id"], "2026-01-31", "2026-01-31", headers=listero)
    r = await calc(net, acc[other_vendedor["id"]]["id"], "2026-01-31", "2026-01-31", headers=listero, expect=404)
    assert r["code"] == "ACCOUNT_NOT_FOUND"
    assert (await settle(net, own_rec, headers=listero, expect=403))["code"] == "ROLE_FORBIDDEN"
    assert (await settle(net, other_rec, headers=listero, expect=404, amount=1))["code"] == "MAYORIZATION_NOT_FOUND"
    seen = {m["id"] for m in (await history(net, headers=listero, **rng))["mayorizations"]}
    assert seen == {v_rec["id"], own_rec["id"], a_rec["id"], b_rec["id"]}
    assert (await history(net, headers=listero, ownerId=other_vendedor["id"], **rng, expect=403))["code"] == "OUT_OF_SCOPE"
    assert {m["id"] for m in (await history(net, headers=listero, ownerType="VENDEDOR", **rng))["mayorizations"]} == {a_rec["id"], b_rec["id"]}
    # the vendedor: its own records, read-only
    mine = {m["id"] for m in (await history(net, headers=sc.ha, **rng))["mayorizations"]}
    assert mine == {a_rec["id"]}
    await history(net, headers=sc.ha, ownerId=sc.b["id"], **rng, expect=403)
    assert (await calc(net, acc[sc.a["id"]]["id"], "2026-01-31", "2026-01-31", headers=sc.ha, expect=403))["code"] == "ROLE_FORBIDDEN"
    assert (await settle(net, a_rec, headers=sc.ha, expect=403))["code"] == "ROLE_FORBIDDEN"
    # no token: 401
    assert (await net.client.get(HISTORY)).status_code == 401
    # ADMIN settles the ventana's; the listero its vendedor's
    await settle(net, v_rec)
    await settle(net, b_rec, headers=listero)
    assert await net.count("network_movements WHERE kind = 'ADJUSTMENT'") == 2


async def test_bad_input_changes_nothing(net: Net) -> None:
    sc, acc = await _setup(net)
    rec = await calc(net, acc[sc.a["id"]]["id"], "2026-02-01", "2026-02-01")  # CXC 1840
    snapshot = "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {} t"
    tables = ("network_mayorizations", "network_movements", "network_daily_rollups")
    before = [await net.build.scalar(snapshot.format(t)) for t in tables]
    for params in ({"fromDate": "2026-02-03", "toDate": "2026-02-01"}, {"fromDate": "2026-13-01", "toDate": "2026-02-01"},
                   {"fromDate": "01/02/2026", "toDate": "2026-02-01"}, {"fromDate": "2026-02-01"}, {}):
        r = await net.client.post(CALC.format(acc[sc.a["id"]]["id"]), params=params, headers=net.admin)
        assert r.status_code == 400, (params, r.text)
    assert (await calc(net, "acc_nope", "2026-02-01", "2026-02-01", expect=404))["code"] == "ACCOUNT_NOT_FOUND"
    cases: list[tuple[dict[str, Any], int, str | None]] = [
        ({"settlementType": "REFUND"}, 400, "VALIDATION_ERROR"),
        ({"settlementType": "COLLECTION"}, 400, "SETTLEMENT_TYPE_MISMATCH"),
        ({"amount": 1839.99}, 400, "AMOUNT_MISMATCH"),
        ({"amount": 1000}, 400, "AMOUNT_MISMATCH"),
        ({"amount": 0}, 400, None), ({"amount": -1840}, 400, None), ({"amount": "1840"}, 400, None),
        ({"amount": 10**20}, 400, None),
        ({"date": "2026-02-30"}, 400, "INVALID_DATE"), ({"date": "02/01/2026"}, 400, "INVALID_DATE"),
        ({"reference": ""}, 400, None), ({"reference": "x" * 101}, 400, None),
        ({"mayorizationId": "maj_nope"}, 404, "MAYORIZATION_NOT_FOUND"),
        ({"extra": 1}, 400, None),
    ]
    for over, status, code in cases:
        r = await settle(net, rec, expect=status, **over)
        if code:
            assert r["code"] == code, (over, r)
    r = await net.client.post(SETTLE, json={"mayorizationId": rec["id"]}, headers=net.admin)
    assert r.status_code == 400
    assert [await net.build.scalar(snapshot.format(t)) for t in tables] == before
    out = await settle(net, rec, amount=1840.0)  # 1840 and 1840.0 are the amount
    assert out["mayorization"]["isSettled"] is True


async def test_requestid_replays_the_first_answer(net: Net, client: httpx.AsyncClient) -> None:
    sc, acc = await _setup(net)
    rec = await calc(net, acc[sc.b["id"]]["id"], "2026-01-31", "2026-01-31")
    first = await settle(net, rec, requestId="req_123456")
    again = await settle(net, rec, requestId="req_123456")
    assert again == first
    r = await settle(net, rec, requestId="req_123456", reference="OTHER", expect=422)
    assert r["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await net.count("network_movements WHERE kind = 'ADJUSTMENT'") == 1


async def test_back_office_shows_settlements_read_only(net: Net, app: Any) -> None:
    from tests.security.test_admin import admin_login

    sc, acc = await _setup(net)
    rec = await calc(net, acc[sc.a["id"]]["id"], "2026-02-01", "2026-02-01")
    await settle(net, rec, reference="CHK-777")
    await net.build.user("boss", role="ADMIN")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        await admin_login(c)
        page = await c.get("/admin/mayorization/list")
        assert page.status_code == 200 and rec["id"] in page.text and "CHK-777" in page.text and "SETTLED" in page.text
        assert (await c.get("/admin/mayorization/create")).status_code in (403, 404)
        assert (await c.get(f"/admin/mayorization/edit/{rec['id']}")).status_code in (403, 404)


def test_record_view_has_the_documented_keys() -> None:
    """The hand-written view of the hot paths (calculate, history) keeps MayorizationOut's keys (the OpenAPI shape)."""
    from taquilla.network.mayorizations.schemas import MayorizationOut
    from taquilla.network.mayorizations.service import record_view

    assert set(MayorizationOut.model_fields) == RECORD_KEYS
    row = {k: None for k in ("id", "account_id", "owner_id", "ventana_id", "to_date", "from_date", "settled_date",
                             "settled_amount_cents", "settlement_type", "settlement_ref", "settled_by", "created_at", "updated_at")}
    row |= {"owner_type": "VENTANA", "status": "OPEN", "debt_status": "BALANCE", "debt_amount_cents": 0, "total_sales_cents": 0,
            "total_prizes_cents": 0, "total_commission_cents": 0, "net_operative_cents": 0}
    assert set(record_view(row, "C", "N")) == RECORD_KEYS
