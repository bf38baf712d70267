"""The sales home screens (``/api/v1/ventas/summary|breakdown|timeseries``): hand-computed figures
for a few sales across two ventanas, each role's scope (403 outside it) and bad input (400)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.network.builders import Net, cr

SUMMARY = "/api/v1/ventas/summary"
BREAKDOWN = "/api/v1/ventas/breakdown"
SERIES = "/api/v1/ventas/timeseries"


@dataclass
class World:
    v1: dict[str, Any]
    v2: dict[str, Any]
    a: dict[str, Any]
    b: dict[str, Any]
    c: dict[str, Any]
    ha: dict[str, str]
    hl1: dict[str, str]
    s1: dict[str, Any]
    lot: dict[str, Any]


async def _world(net: Net) -> World:
    """V1 (vendedores A, B) and V2 (vendedor C); S1 on 2026-01-15 19:30 CR, S2 on 2026-01-16 12:55 CR.

    Sold on 01-15 10:00 CR — A on S1: 05×1000 + 17×500 = 1500; B on S1: 05×200; C on S1: 33×3000;
    A on S2: 05×400 (business date 01-16); C on S1: 17×100, cancelled.
    S1 drawn 05 (×90): A wins 90000, B 18000. Today (01-15): sales 4700, 3 tickets, 4 jugadas,
    payouts 108000, neto −103300.
    """
    lot = await net.loteria(multiplier=90, reventado=False)
    banca = await net.banca()
    v1, v2 = await net.ventana(banca["id"]), await net.ventana(banca["id"])
    a, b, c = await net.vendedor(v1["id"]), await net.vendedor(v1["id"]), await net.vendedor(v2["id"])
    ha, hb, hc = [await net.login(x["username"]) for x in (a, b, c)]
    net.clock.set(cr(2026, 1, 15, 9))
    s1 = await net.sorteo(lot["id"], cr(2026, 1, 15, 19, 30))
    s2 = await net.sorteo(lot["id"], cr(2026, 1, 16, 12, 55))
    net.clock.set(cr(2026, 1, 15, 10))
    await net.sell(ha, s1["id"], [("05", 1000), ("17", 500)])
    await net.sell(hb, s1["id"], [("05", 200)])
    await net.sell(hc, s1["id"], [("33", 3000)])
    await net.sell(ha, s2["id"], [("05", 400)])
    gone = await net.sell(hc, s1["id"], [("17", 100)])
    await net.patch(f"/api/v1/tickets/{gone['id']}/cancel", headers=hc)
    net.clock.set(cr(2026, 1, 15, 19, 31))
    await net.evaluate(s1["id"], "05")
    net.clock.set(cr(2026, 1, 15, 20))
    return World(v1, v2, a, b, c, ha, await net.listero(v1["id"]), s1, lot)


async def test_summary_breakdown_and_series_figures(net: Net) -> None:
    w = await _world(net)
    s = (await net.get(SUMMARY, scope="all", date="today"))["data"]
    assert s["ventasTotal"] == 4700 and s["ticketsCount"] == 3 and s["jugadasCount"] == 4
    assert s["payoutTotal"] == 108000 and s["neto"] == -103300 and s["lastTicketAt"] is not None
    s = (await net.get(SUMMARY, date="range", fromDate="2026-01-15", toDate="2026-01-16"))["data"]
    assert (s["ventasTotal"], s["ticketsCount"], s["jugadasCount"], s["payoutTotal"]) == (5100, 4, 5, 108000)
    s = (await net.get(SUMMARY, date="yesterday"))["data"]
    assert (s["ventasTotal"], s["ticketsCount"], s["jugadasCount"], s["lastTicketAt"]) == (0, 0, 0, None)
    s = (await net.get(SUMMARY, date="today", ventanaId=w.v2["id"], loteriaId=w.lot["id"], sorteoId=w.s1["id"]))["data"]
    assert (s["ventasTotal"], s["ticketsCount"], s["payoutTotal"], s["neto"]) == (3000, 1, 0, 3000)

    rows = (await net.get(BREAKDOWN, dimension="ventana", date="today"))["data"]
    assert [(r["key"], r["name"], r["ventasTotal"], r["ticketsCount"], r["payoutTotal"], r["neto"]) for r in rows] == [
        (w.v2["id"], w.v2["name"], 3000, 1, 0, 3000), (w.v1["id"], w.v1["name"], 1700, 2, 108000, -106300)]
    rows = (await net.get(BREAKDOWN, dimension="vendedor", date="week"))["data"]
    assert [(r["key"], r["ventasTotal"], r["ticketsCount"]) for r in rows] == [
        (w.c["id"], 3000, 1), (w.a["id"], 1900, 2), (w.b["id"], 200, 1)]
    rows = (await net.get(BREAKDOWN, dimension="numero", top=2, date="today"))["data"]
    assert [(r["key"], r["name"], r["ventasTotal"], r["ticketsCount"], r["payoutTotal"]) for r in rows] == [
        ("33", "33", 3000, 1, 0), ("05", "05", 1200, 2, 108000)]
    rows = (await net.get(BREAKDOWN, dimension="loteria", date="week"))["data"]
    assert [(r["key"], r["name"], r["ventasTotal"]) for r in rows] == [(w.lot["id"], w.lot["name"], 5100)]
    rows = (await net.get(BREAKDOWN, dimension="sorteo", date="week"))["data"]
    assert (rows[0]["key"], rows[0]["ventasTotal"], rows[0]["ticketsCount"]) == (w.s1["id"], 4700, 3)
    assert len(rows) == 2 and all(isinstance(r["name"], str) and r["name"] for r in rows)

    pts = (await net.get(SERIES, granularity="day", date="range", fromDate="2026-01-14", toDate="2026-01-16"))["data"]
    assert [(p["ts"][:19], p["ventasTotal"], p["ticketsCount"]) for p in pts] == [
        ("2026-01-14T06:00:00", 0, 0), ("2026-01-15T06:00:00", 4700, 3), ("2026-01-16T06:00:00", 400, 1)]
    pts = (await net.get(SERIES, granularity="week", date="week"))["data"]
    assert [(p["ts"][:19], p["ventasTotal"], p["ticketsCount"]) for p in pts] == [("2026-01-12T06:00:00", 5100, 4)]
    pts = (await net.get(SERIES, granularity="hour", date="today"))["data"]
    assert sum(p["ticketsCount"] for p in pts) == 3 and sum(p["ventasTotal"] for p in pts) == 4700


async def test_each_role_sees_its_scope(net: Net) -> None:
    w = await _world(net)
    # listero of V1: its ventana, both vendedores
    s = (await net.get(SUMMARY, headers=w.hl1, scope="mine", date="today"))["data"]
    assert (s["ventasTotal"], s["ticketsCount"], s["payoutTotal"]) == (1700, 2, 108000)
    s = (await net.get(SUMMARY, headers=w.hl1, scope="all", date="today", vendedorId=w.b["id"]))["data"]
    assert (s["ventasTotal"], s["ticketsCount"]) == (200, 1)
    rows = (await net.get(BREAKDOWN, headers=w.hl1, dimension="ventana", date="today"))["data"]
    assert [(r["key"], r["ventasTotal"]) for r in rows] == [(w.v1["id"], 1700)]
    for params in ({"ventanaId": w.v2["id"]}, {"vendedorId": w.c["id"]}, {"vendedorId": "nobody"}):
        for path in (SUMMARY, BREAKDOWN, SERIES):
            r = await net.get(path, headers=w.hl1, expect=403, date="today", **params)
            assert r["code"] == "OUT_OF_SCOPE"
    # vendedor A: itself only
    s = (await net.get(SUMMARY, headers=w.ha, scope="all", date="week"))["data"]
    assert (s["ventasTotal"], s["ticketsCount"], s["jugadasCount"]) == (1900, 2, 3)
    rows = (await net.get(BREAKDOWN, headers=w.ha, dimension="vendedor", date="week"))["data"]
    assert [(r["key"], r["ventasTotal"]) for r in rows] == [(w.a["id"], 1900)]
    pts = (await net.get(SERIES, headers=w.ha, granularity="day", date="today"))["data"]
    assert [(p["ventasTotal"], p["ticketsCount"]) for p in pts] == [(1500, 1)]
    for params in ({"vendedorId": w.b["id"]}, {"ventanaId": w.v2["id"]}):
        await net.get(SUMMARY, headers=w.ha, expect=403, date="today", **params)
    await net.get(SUMMARY, headers={}, expect=401)


async def test_bad_input_is_400(net: Net) -> None:
    before = await net.count("network_daily_rollups")
    cases = [
        (SUMMARY, {"date": "fortnight"}), (SUMMARY, {"date": "range"}), (SUMMARY, {"date": "range", "fromDate": "2026-01-15"}),
        (SUMMARY, {"date": "range", "fromDate": "2026-01-16", "toDate": "2026-01-15"}),
        (SUMMARY, {"date": "range", "fromDate": "15/01/2026", "toDate": "2026-01-15"}),
        (SUMMARY, {"ventanaId": "bad id!"}), (SUMMARY, {"sorteoId": "x" * 65}), (SUMMARY, {"scope": "everything"}),
        (BREAKDOWN, {"dimension": "banca"}), (BREAKDOWN, {"top": 0}), (BREAKDOWN, {"top": 51}), (BREAKDOWN, {"top": "ten"}),
        (SERIES, {"granularity": "minute"}), (SERIES, {"loteriaId": "a b"}),
    ]
    for path, params in cases:
        r = await net.get(path, expect=400, **params)
        assert r["success"] is False and r["code"] and r["requestId"], (path, params, r)
    assert await net.count("network_daily_rollups") == before
