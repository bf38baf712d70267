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


async def test_vendedores_table_sorted_paged_and_scoped(net: Net, client: httpx.AsyncClient) -> None:
    """Contract row 73 (``useDashboardVendedores``): one row per vendedor with sales in the period, its own commission."""
    w = await _world(net)
    VEND = DASH + "/vendedores"
    d = (await net.get(VEND, date="month"))["data"]
    rows = {r["vendedorId"]: r for r in d["data"]}
    assert [r["vendedorId"] for r in d["data"]] == [w.c["id"]] + sorted([w.a["id"], w.b["id"]])  # sales desc, then id
    a, b, c = rows[w.a["id"]], rows[w.b["id"]], rows[w.c["id"]]
    assert (a["sales"], a["tickets"], a["winners"], a["avgTicket"], a["winRate"]) == (3000, 2, 0, 1500, 0)
    assert a["commissions"] == 240 and a["ventanaId"] == w.v1["id"] and a["vendedorName"] and a["ventanaName"]
    assert (b["sales"], b["tickets"], b["winners"], b["winRate"]) == (3000, 1, 1, 100)
    assert (c["sales"], c["tickets"], c["winners"], c["commissions"]) == (1500000, 1, 0, 75000)
    gan = {i["key"]: i for i in (await net.get(GAN, dimension="vendedor", date="month"))["data"]["items"]}
    assert all(rows[k]["commissions"] == gan[k]["commissionUser"] and rows[k]["sales"] == gan[k]["sales"] for k in rows)
    assert d["pagination"] == {"page": 1, "pageSize": 20, "total": 3, "totalPages": 1}

    p2 = (await net.get(VEND, date="month", page=2, pageSize=1, sortBy="tickets", sortOrder="asc"))["data"]
    assert p2["pagination"] == {"page": 2, "pageSize": 1, "total": 3, "totalPages": 3}
    assert [r["vendedorId"] for r in p2["data"]] == [sorted([w.b["id"], w.c["id"]])[1]]  # 1, 1, 2 tickets; ties by id
    by_name = (await net.get(VEND, date="month", sortBy="vendedorName", sortOrder="asc"))["data"]["data"]
    assert [r["vendedorName"] for r in by_name] == sorted(r["vendedorName"] for r in by_name)

    lot = (await net.get(VEND, date="month", loteriaId=w.l1["id"]))["data"]["data"]
    assert {r["vendedorId"]: (r["sales"], r["winners"]) for r in lot} == {w.a["id"]: (3000, 0), w.b["id"]: (3000, 1)}
    mine = (await net.get(VEND, headers=w.hl1, date="month"))["data"]["data"]
    assert {r["vendedorId"] for r in mine} == {w.a["id"], w.b["id"]}
    assert (await net.get(VEND, headers=w.ha, expect=403))["code"] == "ROLE_FORBIDDEN"
    assert (await net.get(VEND, headers=w.hl1, expect=403, ventanaId=w.v2["id"]))["code"] == "OUT_OF_SCOPE"

    r = await client.get(VEND, params={"date": "month"}, headers=net.admin)
    assert r.headers["etag"] and (await client.get(VEND, params={"date": "month"}, headers={**net.admin, "If-None-Match": r.headers["etag"]})).status_code == 304
    for bad in ({"sortBy": "profit"}, {"sortOrder": "up"}, {"pageSize": 101}, {"page": 0}, {"page": 9}, {"date": "fortnight"}):
        assert (await net.get(VEND, expect=400, **({"date": "month"} | bad)))["success"] is False, bad


async def test_export_csv_and_xlsx_with_the_dashboard_figures(net: Net, client: httpx.AsyncClient) -> None:
    """Contract row 74 (the "Exportar Dashboard" dialog): a file of the period's sections, downloadable
    without a token at the answered url while it lives; bad format/section → 400, nothing stored."""
    import csv
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    w = await _world(net)
    EXP = DASH + "/export"
    e = (await net.get(EXP, date="month", format="csv"))["data"]
    assert e["format"] == "csv" and e["filename"] == "dashboard_2026-02-01_2026-02-28.csv" and e["expiresAt"]
    assert e["sections"] == ["kpis", "ventanas", "loterias", "vendedores", "finanzas", "exposure"]
    r = await client.get(e["url"])  # no Authorization: the url is the credential
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == f'attachment; filename="{e["filename"]}"'
    blocks: dict[str, list[list[str]]] = {}
    current = None
    for row in list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]:
        if not row:
            current = None
        elif current is None:
            current = row[0]
            blocks[current] = []
        else:
            blocks[current].append(row)
    kpis = {k: (p, q) for k, p, q in blocks["kpis"][1:]}
    assert Decimal(kpis["totalSales"][0]) == 1506000 and Decimal(kpis["totalSales"][1]) == 6000
    dash = (await net.get(DASH, date="month"))["data"]
    head, *rows = blocks["ventanas"]
    assert {r[head.index("ventanaId")]: Decimal(r[head.index("saldoAHoy")]) for r in rows} == \
        {v["ventanaId"]: Decimal(str(v["saldoAHoy"])) for v in dash["byVentana"]}
    head, *rows = blocks["vendedores"]
    assert [r[head.index("vendedorId")] for r in rows][0] == w.c["id"] and len(rows) == 3
    head, *rows = blocks["finanzas"]
    cxc = (await net.get(CXC, date="month"))["data"]["byVentana"]
    assert [(r[head.index("ventanaId")], Decimal(r[head.index("amount")])) for r in rows if r[0] == "CXC"] == \
        [(i["ventanaId"], Decimal(str(i["amount"]))) for i in cxc]
    assert "saldoAHoyMeta.monthRemainingBalance" in head

    x = (await net.get(EXP, headers=w.hl1, date="month", sections="vendedores,kpis"))["data"]  # the default format: xlsx
    assert x["format"] == "xlsx" and x["sections"] == ["kpis", "vendedores"]
    book = load_workbook(io.BytesIO((await client.get(x["url"])).content))
    assert book.sheetnames == ["kpis", "vendedores"]
    sheet = list(book["vendedores"].values)
    assert {row[sheet[0].index("vendedorId")] for row in sheet[1:]} == {w.a["id"], w.b["id"]}  # the listero's own

    assert (await client.get(DASH + "/export/" + "x" * 32)).status_code == 404
    for bad in ({"format": "pdf"}, {"sections": "kpis,bogus"}, {"sections": ","}, {"date": "fortnight"}):
        assert (await net.get(EXP, expect=400, **bad))["success"] is False, bad
    assert (await net.get(EXP, headers=w.ha, expect=403))["code"] == "ROLE_FORBIDDEN"


async def test_ganancia_month_to_date(net: Net) -> None:
    """Contract row 71: ganancia from the 1st of the month to today, the month described in ``meta``."""
    w = await _world(net)  # today is 2026-02-10 (CR)
    m = (await net.get(GAN + "/month-to-date", dimension="ventana"))["data"]
    r = (await net.get(GAN, dimension="ventana", date="range", fromDate="2026-02-01", toDate="2026-02-10"))["data"]
    assert m["items"] == r["items"] and m["global"] == r["global"] and m["global"]["sales"] == 1506000
    assert (m["meta"]["fromDate"], m["meta"]["toDate"], m["meta"]["monthName"]) == ("2026-02-01", "2026-02-10", "febrero 2026")
    assert m["meta"]["timezone"] == "America/Costa_Rica" and m["meta"]["description"]
    mine = (await net.get(GAN + "/month-to-date", headers=w.hl1, dimension="vendedor"))["data"]
    assert {i["key"] for i in mine["items"]} == {w.a["id"], w.b["id"]}
    assert (await net.get(GAN + "/month-to-date", expect=400, dimension="sorteo"))["code"] == "INVALID_DIMENSION"


async def test_exposure_of_the_pending_sorteos(net: Net) -> None:
    """Contract row 72: per number, sales and potential payout (amount × frozen multiplier) of the period's
    sorteos not evaluated yet; cancelled tickets and evaluated sorteos do not count."""
    w = await _world(net)  # pending today: A 33×1000 on s_today (l1, ×90)
    hb = await net.login(w.b["username"])
    await net.sell(hb, w.s_today["id"], [("33", 500), ("07", 200)])
    gone = await net.sell(hb, w.s_today["id"], [("07", 9000)])
    await net.patch(f"/api/v1/tickets/{gone['id']}/cancel", headers=hb)
    e = (await net.get(DASH + "/exposure", date="today"))["data"]
    assert [(i["number"], i["betType"], i["sales"], i["potentialPayout"], i["ratio"], i["ticketCount"]) for i in e["topNumbers"]] == [
        ("33", "NUMERO", 1500, 135000, 90, 2), ("07", "NUMERO", 200, 18000, 90, 1)]
    assert [(lot["loteriaId"], lot["totalSales"], lot["totalPotentialPayout"]) for lot in e["byLoteria"]] == [(w.l1["id"], 1700, 153000)]
    assert len(e["heatmap"]) == 100 and e["heatmap"][33] == {"number": "33", "sales": 1500, "potentialPayout": 135000}
    assert sum(c["sales"] for c in e["heatmap"]) == 1700
    one = (await net.get(DASH + "/exposure", date="today", top=1))["data"]["topNumbers"]
    assert [i["number"] for i in one] == ["33"]
    assert (await net.get(DASH + "/exposure", date="month"))["data"]["topNumbers"][0]["sales"] == 1500  # February: evaluated ones out
    assert (await net.get(DASH + "/exposure", headers=w.hl1, date="today"))["data"]["byLoteria"][0]["totalSales"] == 1700
    assert (await net.get(DASH + "/exposure", date="today", betType="REVENTADO"))["data"]["topNumbers"] == []
    for bad in ({"top": 0}, {"top": 101}, {"betType": "PARLAY"}):
        assert (await net.get(DASH + "/exposure", expect=400, **bad))["success"] is False
    assert (await net.get(DASH + "/exposure", headers=w.ha, expect=403))["code"] == "ROLE_FORBIDDEN"
