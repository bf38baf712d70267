"""Property: after any short sequence of sales, evaluations, movements, mayorization calculations and
settlements, ``network reconcile`` is clean (rollup = facts, every SETTLED record has its live
ADJUSTMENT) and every account's balance equals the remaining balance of its statement."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.network.builders import Net, cr

SORTEO_TIMES = [cr(2026, 1, 31, 23, 45), cr(2026, 2, 1, 12, 55)]
PERIODS = [("2026-01-31", "2026-01-31"), ("2026-02-01", "2026-02-01"), ("2026-01-31", "2026-02-01")]
RESET = ("network_mayorizations, network_prize_payments, network_jugadas, network_tickets, network_movements, "
         "network_daily_rollups, network_ticket_counters, sorteos, idempotency_keys")

cents = st.integers(1, 300_000).map(lambda c: c / 100)
op = st.one_of(
    st.tuples(st.just("sell"), st.integers(0, 1), st.integers(0, 1), st.lists(st.tuples(st.sampled_from(["00", "01"]), cents), min_size=1, max_size=2)),
    st.tuples(st.just("evaluate"), st.integers(0, 1), st.sampled_from(["00", "01", "02"])),
    st.tuples(st.just("movement"), st.integers(0, 2), cents, st.sampled_from(["payment", "collection"]), st.sampled_from(["2026-01-31", "2026-02-01"])),
    st.tuples(st.just("calculate"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("settle"), st.integers(0, 10)),
)

_STRUCTURE: dict[int, dict[str, Any]] = {}


async def _structure(net: Net) -> dict[str, Any]:
    """Built once per test (the examples share the fixtures); facts and records are reset per example."""
    if id(net) not in _STRUCTURE:
        _STRUCTURE.clear()
        lot = await net.loteria(multiplier=90)
        banca = await net.banca(percent=5)
        ventana = await net.ventana(banca["id"], {"percent": 10})
        vendedores = [await net.vendedor(ventana["id"], {"percent": 8}), await net.vendedor(ventana["id"])]
        targets = [{"ventanaId": ventana["id"]}, {"vendedorId": vendedores[0]["id"]}, {"vendedorId": vendedores[1]["id"]}]
        for t in targets:  # open every account
            await net.movement(date="2026-01-01", amount=1, type="payment", **t)
        owners = [(ventana["id"], "ventana"), (vendedores[0]["id"], "vendedor"), (vendedores[1]["id"], "vendedor")]
        accounts = {a["ownerId"]: a["id"] for a in (await net.get("/api/v1/accounts"))["data"]}
        _STRUCTURE[id(net)] = {"lot": lot, "vendedores": vendedores, "targets": targets, "owners": owners, "accounts": accounts}
    return _STRUCTURE[id(net)]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=7))
async def test_mayorizations_keep_reconcile_clean_and_balances_equal_statements(net: Net, ops: list[tuple[Any, ...]]) -> None:
    x = await _structure(net)
    async with net.build.app.state.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {RESET} CASCADE"))
    net.clock.set(cr(2026, 1, 31, 8))
    sorteos = [await net.sorteo(x["lot"]["id"], at) for at in SORTEO_TIMES]
    records: list[str] = []
    for o in ops:
        if o[0] == "sell":
            net.clock.set(cr(2026, 1, 31, 8))
            await net.sell(net.admin, sorteos[o[2]]["id"], list(o[3]), vendedor_id=x["vendedores"][o[1]]["id"], expect=None)
        elif o[0] == "evaluate":
            net.clock.set(cr(2026, 2, 1, 18))
            await net.evaluate(sorteos[o[1]]["id"], o[2], expect=None)
        elif o[0] == "movement":
            await net.movement(expect=None, date=o[4], amount=o[2], type=o[3], **x["targets"][o[1]])
        elif o[0] == "calculate":
            owner = x["owners"][o[1]][0]
            start, end = PERIODS[o[2]]
            r = await net.client.post(f"/api/v1/accounts/{x['accounts'][owner]}/mayorizations/calculate",
                                      params={"fromDate": start, "toDate": end}, headers=net.admin)
            assert r.status_code in (201, 409), r.text
            if r.status_code == 201 and r.json()["data"]["id"] not in records:
                records.append(r.json()["data"]["id"])
        elif o[0] == "settle" and records:
            rid = records[o[1] % len(records)]
            rec = next(m for m in (await net.get("/api/v1/accounts/mayorizations/history", period="year", pageSize=100))["mayorizations"]
                       if m["id"] == rid)
            body = {"mayorizationId": rid, "amount": rec["debtAmount"] or 1, "date": rec["toDate"], "reference": "R",
                    "settlementType": "PAYMENT" if rec["debtStatus"] == "CXC" else "COLLECTION"}
            r = await net.client.post("/api/v1/accounts/mayorizations/settle", json=body, headers=net.admin)
            expected = 409 if rec["isSettled"] else 400 if rec["debtStatus"] == "BALANCE" else 201
            assert r.status_code == expected, r.text
    report = await net.reconcile()
    assert report["differences"] == [] and report["ticketDrift"] == [] and report["adjustments"]["broken"] == [], report
    settled = await net.count("network_mayorizations WHERE status = 'SETTLED'")
    assert report["adjustments"]["count"] == settled
    balances = {a["ownerId"]: a["balance"] for a in (await net.get("/api/v1/accounts"))["data"]}
    for owner, dimension in x["owners"]:
        ident = {"vendedorId": owner} if dimension == "vendedor" else {"ventanaId": owner}
        totals = (await net.statement(dimension=dimension, date="range", fromDate="2026-01-01", toDate="2026-12-31", **ident))["data"]["totals"]
        assert balances[owner] == totals["remainingBalance"], (owner, balances, totals)
