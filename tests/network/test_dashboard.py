"""The network's dashboards (``/api/v1/admin/dashboard``, ``/timeseries``, ``/cxc``, ``/cxp``, ``/ganancia``):
seed 001's validations (saldoAHoy per entity over the reference month), every item equal to the
statement of the same entity and period, the movements of each level, ETag/304, RBAC and bad input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.network.builders import Net, cr

DASH = "/api/v1/admin/dashboard"
CXC, CXP, GAN, SERIES = DASH + "/cxc", DASH + "/cxp", DASH + "/ganancia", DASH + "/timeseries"


@dataclass
class World:
    v1: dict[str, Any]
    v2: dict[str, Any]
    a: dict[str, Any]
    b: dict[str, Any]
    c: dict[str, Any]
    ha: dict[str, str]
    hc: dict[str, str]
    hl1: dict[str, str]
    l1: dict[str, Any]
    l2: dict[str, Any]
    s_today: dict[str, Any]


async def _world(net: Net) -> World:
    """V1 (listero 10 %; A 8 %, B inherits) and V2 (listero 12 %; C 5 %). Today is 2026-02-10 (CR).

    January: A 05×1000 and C 10×5000 on 01-20, drawn 05 (A wins 90,000). February 5: A 05×2000,
    B 17×3000 (L1, drawn 17: B wins 270,000), C 22×1,500,000 (L2, drawn 99). Movements: banca↔V2
    collection 1,000 (02-06), banca↔V1 payment 5,000 (02-07), V1↔A collection 700 (02-08). Today:
    A 33×1000 on today's sorteo and 44×100 on a sorteo of 2026-03-05.
    """
    l1, l2 = await net.loteria(multiplier=90, reventado=False), await net.loteria(multiplier=80, reventado=False)
    banca = await net.banca(percent=5)
    v1, v2 = await net.ventana(banca["id"], {"percent": 10}), await net.ventana(banca["id"], {"percent": 12})
    a, b, c = await net.vendedor(v1["id"], {"percent": 8}), await net.vendedor(v1["id"]), await net.vendedor(v2["id"], {"percent": 5})
    ha, hb, hc = [await net.login(x["username"]) for x in (a, b, c)]
    net.clock.set(cr(2026, 1, 20, 9))
    s_jan = await net.sorteo(l1["id"], cr(2026, 1, 20, 19, 30))
    await net.sell(ha, s_jan["id"], [("05", 1000)])
    await net.sell(hc, s_jan["id"], [("10", 5000)])
    net.clock.set(cr(2026, 1, 20, 19, 31))
    await net.evaluate(s_jan["id"], "05")
    net.clock.set(cr(2026, 2, 5, 9))
    s_feb, s_feb2 = await net.sorteo(l1["id"], cr(2026, 2, 5, 19, 30)), await net.sorteo(l2["id"], cr(2026, 2, 5, 16, 30))
    await net.sell(ha, s_feb["id"], [("05", 2000)])
    await net.sell(hb, s_feb["id"], [("17", 3000)])
    await net.sell(hc, s_feb2["id"], [("22", 1500000)])
    net.clock.set(cr(2026, 2, 5, 19, 31))
    await net.evaluate(s_feb["id"], "17")
    await net.evaluate(s_feb2["id"], "99")
    await net.movement(date="2026-02-06", ventanaId=v2["id"], amount=1000, type="collection")
    await net.movement(date="2026-02-07", ventanaId=v1["id"], amount=5000, type="payment")
    hl1 = await net.listero(v1["id"])
    await net.movement(headers=hl1, date="2026-02-08", vendedorId=a["id"], amount=700, type="collection")
    net.clock.set(cr(2026, 2, 10, 9))
    s_today, s_mar = await net.sorteo(l1["id"], cr(2026, 2, 10, 19, 30)), await net.sorteo(l1["id"], cr(2026, 3, 5, 12, 55))
    await net.sell(ha, s_today["id"], [("33", 1000)])
    await net.sell(ha, s_mar["id"], [("44", 100)])
    net.clock.set(cr(2026, 2, 10, 12))
    return World(v1, v2, a, b, c, ha, hc, hl1, l1, l2, s_today)


async def _items(net: Net, dimension: str = "ventana", headers: dict[str, str] | None = None, **params: Any) -> dict[str, dict[str, Any]]:
    """The cxc and cxp items of one request, by entity id (vendedor id for dimension=vendedor)."""
    out = {}
    for path, sign in ((CXC, 1), (CXP, -1)):
        data = (await net.get(path, headers=headers, dimension=dimension, **params))["data"]
        assert data["totalAmount"] == sum(i["amount"] for i in data["byVentana"])
        for i in data["byVentana"]:
            assert sign * i["remainingBalance"] > 0 and i["amount"] == abs(i["remainingBalance"])
            out[i["vendedorId"] if dimension == "vendedor" else i["ventanaId"]] = i
    return out


def _entity(dimension: str, entity_id: str) -> dict[str, str]:
    return {"dimension": dimension, ("vendedorId" if dimension == "vendedor" else "ventanaId"): entity_id}


PERIODS: list[dict[str, str]] = [
    {"date": "today"}, {"date": "month"}, {"date": "year"}, {"date": "week"},
    {"date": "range", "fromDate": "2026-02-01", "toDate": "2026-02-10"},
    {"date": "range", "fromDate": "2026-01-15", "toDate": "2026-02-03"},
    {"date": "range", "fromDate": "2026-01-01", "toDate": "2026-01-31"},
    {"date": "range", "fromDate": "2026-03-01", "toDate": "2026-03-31"},
]


async def test_every_item_equals_the_statement_of_its_entity_and_period(net: Net) -> None:
    w = await _world(net)
    seen = 0
    for dimension in ("ventana", "vendedor"):
        for period in PERIODS:
            items = await _items(net, dimension, **period)
            for entity_id, item in items.items():
                st = (await net.statement(**_entity(dimension, entity_id), **period))["data"]
                t = st["totals"]
                assert (item["totalSales"], item["totalPayouts"], item["totalListeroCommission"], item["totalVendedorCommission"],
                        item["totalCollected"], item["totalPaid"], item["remainingBalance"], item["balance"]) == (
                    t["totalSales"], t["totalPayouts"], t["listeroCommission"], t["vendedorCommission"],
                    t["totalCollected"], t["totalPaid"], t["remainingBalance"], t["balance"]), (dimension, period, entity_id)
                month = "2026-01" if period.get("toDate") == "2026-01-31" else "2026-02"  # toDate's month; future → current
                ms = (await net.statement(**_entity(dimension, entity_id), month=month))["data"]["totals"]
                meta = item["saldoAHoyMeta"]
                assert item["saldoAHoy"] == meta["monthRemainingBalance"] == ms["remainingBalance"], (dimension, period, entity_id)
                assert (meta["monthSales"], meta["monthPayouts"], meta["monthBalance"], meta["monthCollected"], meta["monthPaid"]) == (
                    ms["totalSales"], ms["totalPayouts"], ms["balance"], ms["totalCollected"], ms["totalPaid"])
                assert meta["monthRemainingBalance"] == meta["monthBalance"] - meta["monthCollected"] + meta["monthPaid"]
                seen += 1
    assert seen >= 20
    # a period wholly in the future (March, only A's sale for 03-05) takes the current month
    march = await _items(net, "ventana", date="range", fromDate="2026-03-01", toDate="2026-03-31")
    assert list(march) == [w.v1["id"]] and march[w.v1["id"]]["totalSales"] == 100
    feb = (await net.statement(dimension="ventana", ventanaId=w.v1["id"], month="2026-02"))["data"]["totals"]
    assert march[w.v1["id"]]["saldoAHoy"] == feb["remainingBalance"]


async def test_saldo_a_hoy_does_not_depend_on_the_period_and_differs_per_ventana(net: Net) -> None:
    w = await _world(net)
    for dimension, ids in (("ventana", (w.v1["id"], w.v2["id"])), ("vendedor", (w.a["id"], w.c["id"]))):
        saldos: dict[str, set[float]] = {i: set() for i in ids}
        for period in ({"date": "today"}, {"date": "month"}, {"date": "year"},
                       {"date": "range", "fromDate": "2026-02-01", "toDate": "2026-02-10"},
                       {"date": "range", "fromDate": "2026-01-15", "toDate": "2026-02-20"}):
            items = await _items(net, dimension, **period)
            for i in ids:
                if i in items:
                    saldos[i].add(items[i]["saldoAHoy"])
        assert all(len(s) == 1 for s in saldos.values()), saldos
        assert saldos[ids[0]] != saldos[ids[1]]
    # a range across two months takes toDate's month: January here, not February
    jan = await _items(net, "ventana", date="range", fromDate="2025-12-20", toDate="2026-01-31")
    feb = await _items(net, "ventana", date="month")
    v1_jan = (await net.statement(dimension="ventana", ventanaId=w.v1["id"], month="2026-01"))["data"]["totals"]
    assert jan[w.v1["id"]]["saldoAHoy"] == v1_jan["remainingBalance"] != feb[w.v1["id"]]["saldoAHoy"]
    meta = (await net.get(CXC, date="range", fromDate="2026-03-01", toDate="2026-04-30"))["data"]["meta"]
    assert meta["month"] == "2026-02" and meta["range"] == {"from": "2026-03-01", "to": "2026-04-30"}


async def test_sales_and_movements_move_saldo_a_hoy_by_their_amount_at_their_level(net: Net) -> None:
    w = await _world(net)

    async def saldo(dimension: str, entity_id: str) -> float:
        return (await _items(net, dimension, date="month"))[entity_id]["saldoAHoy"]

    before = await saldo("ventana", w.v2["id"])
    ticket = await net.sell(w.hc, w.s_today["id"], [("50", 100000)])
    assert ticket["listeroCommissionAmount"] == 12000
    after_sale = await saldo("ventana", w.v2["id"])
    assert after_sale == before + 100000 - ticket["listeroCommissionAmount"]
    await net.movement(date="2026-02-10", ventanaId=w.v2["id"], amount=30000, type="collection")
    assert await saldo("ventana", w.v2["id"]) == after_sale - 30000
    await net.movement(date="2026-02-09", ventanaId=w.v2["id"], amount=20000, type="payment")
    after_movements = await saldo("ventana", w.v2["id"])
    assert after_movements == after_sale - 10000
    vendedor_before = await saldo("vendedor", w.c["id"])
    await net.movement(date="2026-02-10", vendedorId=w.c["id"], amount=5000, type="collection")
    assert await saldo("ventana", w.v2["id"]) == after_movements  # a ventana↔vendedor movement: not the ventana's
    assert await saldo("vendedor", w.c["id"]) == vendedor_before - 5000
    # a movement of another month leaves this month's saldoAHoy alone
    await net.movement(date="2026-01-10", ventanaId=w.v2["id"], amount=777, type="collection")
    assert await saldo("ventana", w.v2["id"]) == after_movements


async def test_etag_304_and_a_sale_makes_a_new_etag_with_new_figures(net: Net, client: httpx.AsyncClient) -> None:
    w = await _world(net)
    urls = [(CXC, {"date": "month", "dimension": "vendedor"}), (CXP, {"date": "month"}), (GAN, {"date": "month"}),
            (DASH, {"date": "month"}), (SERIES, {"date": "month", "compare": "true"}),
            ("/api/v1/ventas/summary", {"date": "month"}), ("/api/v1/ventas/breakdown", {"date": "month"}),
            ("/api/v1/ventas/timeseries", {"date": "month"})]
    first = {}
    for path, params in urls:
        r = await client.get(path, params=params, headers=net.admin)
        assert r.status_code == 200 and r.headers["x-cache"] == "miss", r.text
        etag = r.headers["etag"]
        if path.startswith(DASH):
            assert r.json()["data"]["meta"]["etag"] == etag
        again = await client.get(path, params=params, headers=net.admin)
        assert again.headers["x-cache"] == "hit" and again.headers["etag"] == etag and again.json()["data"] == r.json()["data"]
        nm = await client.get(path, params=params, headers={**net.admin, "If-None-Match": etag})
        assert nm.status_code == 304 and nm.content == b"" and nm.headers["etag"] == etag
        first[path] = (etag, r.json()["data"])
    await net.sell(w.hc, w.s_today["id"], [("50", 2500)])
    for path, params in urls:
        old_etag, old_data = first[path]
        r = await client.get(path, params=params, headers={**net.admin, "If-None-Match": old_etag})
        assert r.status_code == 200 and r.headers["etag"] != old_etag and r.headers["x-cache"] == "miss", path
        assert r.json()["data"] != old_data, path
    kpis = (await net.get(DASH, date="month"))["data"]["kpis"]
    assert kpis["totalSales"] == first[DASH][1]["kpis"]["totalSales"] + 2500
    # the ETag depends on the caller's scope and the parameters
    e1 = (await client.get(CXC, params={"date": "month"}, headers=net.admin)).headers["etag"]
    e2 = (await client.get(CXC, params={"date": "month"}, headers=w.hl1)).headers["etag"]
    e3 = (await client.get(CXC, params={"date": "today"}, headers=net.admin)).headers["etag"]
    assert len({e1, e2, e3}) == 3


async def test_ganancia_dashboard_and_timeseries_figures(net: Net) -> None:
    w = await _world(net)
    month = {"date": "month"}
    g = (await net.get(GAN, dimension="ventana", **month))["data"]
    stmts = {v: (await net.statement(dimension="ventana", ventanaId=v, **month))["data"]["totals"] for v in (w.v1["id"], w.v2["id"])}
    for item in g["items"]:
        t = stmts[item["key"]]
        assert item["sales"] == t["totalSales"] and item["payout"] == t["totalPayouts"] and item["commissions"] == t["listeroCommission"]
        assert item["netProfit"] == t["totalSales"] - t["totalPayouts"] - t["listeroCommission"]
    assert g["global"]["sales"] == sum(i["sales"] for i in g["items"]) == 1000 + 2000 + 3000 + 1500000
    assert g["global"]["netProfit"] == sum(i["netProfit"] for i in g["items"])
    lot = (await net.get(GAN, dimension="loteria", **month))["data"]
    assert {i["key"]: i["sales"] for i in lot["items"]} == {w.l1["id"]: 6000, w.l2["id"]: 1500000}
    assert lot["global"]["netProfit"] == g["global"]["netProfit"]
    ven = (await net.get(GAN, dimension="vendedor", **month))["data"]
    assert {i["key"]: i["sales"] for i in ven["items"]} == {w.a["id"]: 3000, w.b["id"]: 3000, w.c["id"]: 1500000}
    glob = (await net.get(GAN, dimension="global", **month))["data"]
    assert glob["items"] == [] and glob["global"] == g["global"]
    v2_margin = (1500000 - 180000) / 1500000 * 100
    assert [i["margin"] for i in g["items"] if i["key"] == w.v2["id"]] == [round(v2_margin, 2)]

    d = (await net.get(DASH, **month))["data"]
    k = d["kpis"]
    assert (k["totalSales"], k["totalTickets"], k["totalWinners"]) == (1506000, 4, 1)
    assert k["totalCommissions"] == g["global"]["commissions"] and k["margin"] == g["global"]["margin"]
    assert k["winRate"] == 25.0
    assert k["previousPeriod"]["totalSales"] == 6000 and k["previousPeriod"]["totalWinners"] == 1  # Jan 11 – Jan 31 (28 days back? no: 28 days)
    assert d["cxc"]["count"] == 1 and d["cxp"]["count"] == 1
    alerts = [a for a in d["alerts"] if a["type"] == "HIGH_CXC"]
    assert [a["entity"]["id"] for a in alerts] == [w.v2["id"]] and alerts[0]["threshold"] == 1000000
    assert {r["ventanaId"] for r in d["byVentana"]} == {w.v1["id"], w.v2["id"]}
    assert d["meta"]["range"] == {"from": "2026-02-01", "to": "2026-02-28"} and d["meta"]["etag"]

    s = (await net.get(SERIES, granularity="day", date="range", fromDate="2026-02-04", toDate="2026-02-06", compare="true"))["data"]
    assert [(p["timestamp"][:10], p["sales"], p["tickets"], p["winners"], p["payout"]) for p in s["data"]] == [
        ("2026-02-04", 0, 0, 0, 0), ("2026-02-05", 1505000, 3, 1, 270000), ("2026-02-06", 0, 0, 0, 0)]
    assert s["granularity"] == "day" and len(s["comparison"]) == 3
    wk = (await net.get(SERIES, granularity="week", **month))["data"]["data"]
    assert sum(p["sales"] for p in wk) == 1506000
    hr = (await net.get(SERIES, granularity="hour", date="today"))["data"]["data"]
    assert sum(p["sales"] for p in hr) == 1000  # sold today on today's sorteo (the March sale counts on 03-05)


async def test_loteria_filter_takes_the_figures_of_its_tickets(net: Net) -> None:
    w = await _world(net)
    one = await _items(net, "ventana", date="month", loteriaId=w.l2["id"])
    assert list(one) == [w.v2["id"]] and one[w.v2["id"]]["totalSales"] == 1500000
    assert one[w.v2["id"]]["totalCollected"] == 0 and one[w.v2["id"]]["remainingBalance"] == one[w.v2["id"]]["balance"]
    both = (await net.get(DASH, date="month", loteriaId=f"{w.l1['id']},{w.l2['id']}"))["data"]["kpis"]
    assert both["totalSales"] == 1506000 and both["totalWinners"] == 1


async def test_rbac(net: Net, client: httpx.AsyncClient) -> None:
    w = await _world(net)
    items = await _items(net, "ventana", headers=w.hl1, date="month")
    assert list(items) == [w.v1["id"]]
    items = await _items(net, "vendedor", headers=w.hl1, date="month")
    assert set(items) <= {w.a["id"], w.b["id"]} and items
    d = (await net.get(DASH, headers=w.hl1, date="month"))["data"]
    assert d["kpis"]["totalSales"] == 6000 and {r["ventanaId"] for r in d["byVentana"]} == {w.v1["id"]}
    g = (await net.get(GAN, headers=w.hl1, dimension="vendedor", date="month"))["data"]
    assert {i["key"] for i in g["items"]} == {w.a["id"], w.b["id"]}
    for path in (CXC, CXP, GAN, DASH, SERIES):
        r = await net.get(path, headers=w.hl1, expect=403, ventanaId=w.v2["id"])
        assert r["code"] == "OUT_OF_SCOPE"
        r = await net.get(path, headers=w.ha, expect=403)
        assert r["code"] == "ROLE_FORBIDDEN"
        await net.get(path, headers={}, expect=401)
    s = (await net.get("/api/v1/ventas/summary", headers=w.ha, date="month"))["data"]
    assert s["ventasTotal"] == 3000  # a VENDEDOR: its own figures on /ventas/*


async def test_bad_input(net: Net) -> None:
    w = await _world(net)
    before = await net.count("network_daily_rollups")
    cases = [
        (CXC, {"date": "fortnight"}), (CXC, {"dimension": "banca"}), (CXP, {"date": "range"}),
        (CXC, {"date": "range", "fromDate": "2026-02-10", "toDate": "2026-02-01"}),
        (CXC, {"date": "range", "fromDate": "10/02/2026", "toDate": "2026-02-11"}),
        (CXC, {"ventanaId": "bad id!"}), (CXC, {"loteriaId": "ok,bad id"}), (GAN, {"dimension": "sorteo"}),
        (SERIES, {"granularity": "minute"}), (SERIES, {"compare": "maybe"}), (DASH, {"date": "range", "fromDate": "2026-01-01"}),
        (DASH, {"ventanaId": "x" * 65}),
    ]
    for path, params in cases:
        r = await net.get(path, expect=400, **params)
        assert r["success"] is False and r["code"] and r["message"], (path, params, r)
    for path in (CXC, GAN, DASH, SERIES):
        assert (await net.get(path, expect=404, ventanaId="ven_nobody"))["code"] == "VENTANA_NOT_FOUND"
        assert (await net.get(path, expect=404, loteriaId=f"{w.l1['id']},lot_nobody"))["code"] == "LOTERIA_NOT_FOUND"
    assert await net.count("network_daily_rollups") == before
