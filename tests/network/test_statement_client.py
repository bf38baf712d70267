"""The statement as the front end reads it: client names on totals and monthlyAccumulated, day
fields, sort, one-day payment history, {payment, statement} answers — and, on generated
sequences, totals = sum of the days and monthlyAccumulated = that month's statement, to the cent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.network.builders import Net, cr

DAY_KEYS = {"id": str, "date": str, "month": str, "bancaName": str, "bancaCode": str, "ventanaName": str, "ventanaCode": str,
            "isSettled": bool, "canEdit": bool, "totalPaymentsCollections": float, "totalSales": float, "balance": float,
            "remainingBalance": float, "listeroCommission": float, "vendedorCommission": float, "ticketCount": int}
TOTAL_KEYS = ("totalSales", "totalPayouts", "totalListeroCommission", "totalVendedorCommission", "totalBalance", "totalPaid",
              "totalCollected", "totalRemainingBalance")
DAY_OF = {"totalSales": "totalSales", "totalPayouts": "totalPayouts", "totalListeroCommission": "listeroCommission",
          "totalVendedorCommission": "vendedorCommission", "totalBalance": "balance", "totalPaid": "totalPaid",
          "totalCollected": "totalCollected", "totalRemainingBalance": "remainingBalance"}


def _d(x: Any) -> Decimal:
    return Decimal(str(x))


def _check(st_: dict[str, Any]) -> None:
    for key in TOTAL_KEYS:
        assert _d(st_["totals"][key]) == sum((_d(d[DAY_OF[key]]) for d in st_["statements"]), Decimal(0)), key
    assert st_["totals"]["pendingDays"] == len(st_["statements"]) and st_["totals"]["settledDays"] == 0


_STRUCTURE: dict[int, dict[str, Any]] = {}


async def _structure(net: Net) -> dict[str, Any]:
    if id(net) not in _STRUCTURE:
        _STRUCTURE.clear()
        lot = await net.loteria(multiplier=90, reventado=False)
        banca = await net.banca(percent=5)
        ventana = await net.ventana(banca["id"], {"percent": 10})
        vend = await net.vendedor(ventana["id"], {"percent": 8})
        _STRUCTURE[id(net)] = {"lot": lot, "banca": banca, "ventana": ventana, "vend": vend}
    return _STRUCTURE[id(net)]


op = st.one_of(
    st.tuples(st.just("sell"), st.integers(0, 2), st.integers(1, 100_000).map(lambda c: c / 100)),
    st.tuples(st.just("movement"), st.booleans(), st.integers(1, 100_000).map(lambda c: c / 100),
              st.sampled_from(["payment", "collection"]), st.sampled_from(["2026-01-05", "2026-01-31", "2026-02-01"])),
)
SORTEOS = [cr(2026, 1, 10, 12, 55), cr(2026, 1, 31, 19, 30), cr(2026, 2, 1, 12, 55)]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=8))
async def test_totals_sum_days_and_month_matches(net: Net, ops: list[tuple[Any, ...]]) -> None:
    x = await _structure(net)
    async with net.build.app.state.engine.begin() as conn:
        await conn.execute(text("TRUNCATE network_jugadas, network_tickets, network_movements, network_daily_rollups, "
                                "network_ticket_counters, sorteos, idempotency_keys CASCADE"))
    net.clock.set(cr(2026, 1, 5, 8))
    sorteos = [await net.sorteo(x["lot"]["id"], at) for at in SORTEOS]
    for o in ops:
        if o[0] == "sell":
            await net.sell(net.admin, sorteos[o[1]]["id"], [("07", o[2])], vendedor_id=x["vend"]["id"], expect=None)
        else:
            target = {"vendedorId": x["vend"]["id"]} if o[1] else {"ventanaId": x["ventana"]["id"]}
            await net.movement(date=o[4], amount=o[2], type=o[3], **target)
    net.clock.set(cr(2026, 2, 2, 9))
    for dimension, extra in (("ventana", {"ventanaId": x["ventana"]["id"]}), ("vendedor", {"vendedorId": x["vend"]["id"]}),
                             ("banca", {})):
        month = (await net.statement(dimension=dimension, month="2026-01", **extra))["data"]
        _check(month)
        part = (await net.statement(dimension=dimension, date="range", fromDate="2026-01-20", toDate="2026-01-31", **extra))["data"]
        _check(part)
        # monthlyAccumulated of any period ending in January = January's statement totals
        for key in (*TOTAL_KEYS, "pendingDays", "settledDays"):
            assert part["monthlyAccumulated"][key] == month["totals"][key], key
        assert part["meta"]["month"] == "2026-01" and part["meta"]["monthStartDate"] == "2026-01-01"


async def test_day_fields_sort_history_and_payment_answer(net: Net) -> None:
    x = await _structure(net)
    net.clock.set(cr(2026, 1, 5, 8))
    s = await net.sorteo(x["lot"]["id"], SORTEOS[0])
    await net.sell(net.admin, s["id"], [("07", 100)], vendedor_id=x["vend"]["id"])
    body = {"date": "2026-01-10", "ventanaId": x["ventana"]["id"], "bancaId": x["banca"]["id"], "amount": 50,
            "type": "collection", "method": "cash", "isFinal": True, "notes": "cierre"}
    r = await net.post("/api/v1/accounts/payment", body)
    assert r["payment"]["isFinal"] is True and r["statement"]["date"] == "2026-01-10"
    assert r["statement"]["totalCollected"] == 50 and r["statement"]["ventanaCode"] == x["ventana"]["code"]
    await net.post("/api/v1/accounts/payment", {**body, "bancaId": "ban_other"}, expect=400)
    await net.movement(date="2026-01-12", ventanaId=x["ventana"]["id"], amount=5, type="payment")
    st_ = (await net.statement(dimension="ventana", ventanaId=x["ventana"]["id"], month="2026-01", sort="desc",
                               scope="ventana"))["data"]
    assert [d["date"] for d in st_["statements"]] == ["2026-01-12", "2026-01-10"]
    for day in st_["statements"]:
        for key, typ in DAY_KEYS.items():
            assert isinstance(day[key], typ) or (typ is float and isinstance(day[key], int)), key
    assert st_["statements"][1]["totalPaymentsCollections"] == 50 and st_["statements"][1]["isSettled"] is False
    history = await net.get("/api/v1/accounts/payment-history", date="2026-01-10")
    assert [m["date"] for m in history["data"]] == ["2026-01-10"] and history["meta"]["total"] == 1
    back = await net.post("/api/v1/accounts/reverse-payment", {"paymentId": r["payment"]["id"], "reason": "error de digitación"},
                          expect=200)
    assert back["payment"]["isReversed"] is True and back["statement"]["totalCollected"] == 0


async def test_by_sorteo_drill_down(net: Net) -> None:
    x = await _structure(net)
    net.clock.set(cr(2026, 1, 5, 8))
    s1 = await net.sorteo(x["lot"]["id"], cr(2026, 1, 10, 12, 55))
    s2 = await net.sorteo(x["lot"]["id"], cr(2026, 1, 10, 19, 30))
    await net.sell(net.admin, s2["id"], [("07", 100)], vendedor_id=x["vend"]["id"])
    await net.sell(net.admin, s1["id"], [("08", 200), ("09", 50)], vendedor_id=x["vend"]["id"])
    rows = (await net.get("/api/v1/accounts/statement/2026-01-10/bySorteo", dimension="vendedor",
                          vendedorId=x["vend"]["id"]))["data"]
    assert [r["sorteoId"] for r in rows] == [s1["id"], s2["id"]]
    assert rows[0]["sales"] == 250 and rows[0]["vendedorCommission"] == 20 and rows[0]["balance"] == 230
    assert rows[1]["sorteoAccumulated"] == 230 + 92 and rows[0]["ticketCount"] == 1
    day = (await net.statement(dimension="vendedor", vendedorId=x["vend"]["id"], date="2026-01-10"))["data"]["statements"][0]
    assert day["balance"] == rows[-1]["sorteoAccumulated"]
