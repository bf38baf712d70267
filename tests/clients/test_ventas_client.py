"""The network front end's sales home screens (contract rows 62–64), sent exactly as the client
sends them to a live server; every field the client reads is asserted present with its type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from taquilla.core.periods import cr_date_of
from tests.clients.conftest import NUM, OPT, shape
from tests.network.builders import Net

SUMMARY = {"ventasTotal": NUM, "ticketsCount": int, "jugadasCount": int, "payoutTotal": NUM, "neto": NUM,
           "lastTicketAt": (str, OPT)}
ITEM = {"key": str, "name": str, "ventasTotal": NUM, "ticketsCount": int, "payoutTotal": NUM, "neto": NUM}
POINT = {"ts": str, "ventasTotal": NUM, "ticketsCount": int}


async def test_sales_home_screens_as_the_client_calls_them(net: Net, http: httpx.AsyncClient) -> None:
    lot = await net.loteria()
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    v = await net.vendedor(ventana["id"])
    hv, hl = await net.login(v["username"]), await net.listero(ventana["id"])
    now = datetime.now(UTC)
    net.clock.set(now)
    s = await net.sorteo(lot["id"], now + timedelta(days=2))
    await net.sell(hv, s["id"], [("05", 1000), ("17", 500)])
    today = cr_date_of(now)
    period = {"date": "range", "fromDate": today.isoformat(), "toDate": (today + timedelta(days=3)).isoformat()}

    # row 62: every role's home
    for headers, scope in ((net.admin, "all"), (hl, "mine"), (hv, "mine")):
        params = {"scope": scope, **period, "ventanaId": ventana["id"], "loteriaId": lot["id"], "sorteoId": s["id"]}
        if headers is hv:
            params["vendedorId"] = v["id"]
        r = await http.get("/ventas/summary", params=params, headers=headers)
        assert r.status_code == 200, r.text
        shape(r.json()["data"], SUMMARY)
        assert r.json()["data"]["ticketsCount"] == 1 and r.json()["data"]["jugadasCount"] == 2
        assert isinstance(r.json()["data"]["lastTicketAt"], str)
    r = await http.get("/ventas/summary", params={"scope": "mine", "date": "today"}, headers=hv)
    assert r.status_code == 200, r.text
    shape(r.json()["data"], SUMMARY)

    # row 63: admin home by ventana (today/yesterday), ventana home by vendedor, reports
    for headers, dim in ((net.admin, "ventana"), (hl, "vendedor"), (net.admin, "loteria"), (net.admin, "sorteo"),
                         (net.admin, "numero")):
        params = {"dimension": dim, "top": 10, "scope": "all" if headers is net.admin else "mine", **period}
        r = await http.get("/ventas/breakdown", params=params, headers=headers)
        assert r.status_code == 200, r.text
        shape(r.json(), {"data": [ITEM]})
        assert r.json()["data"], dim
    for date in ("today", "yesterday"):
        r = await http.get("/ventas/breakdown", params={"dimension": "ventana", "top": 50, "scope": "all", "date": date},
                           headers=net.admin)
        assert r.status_code == 200, r.text
        shape(r.json(), {"data": [ITEM]})

    # row 64: admin home's 7-day chart, reports
    start = (today - timedelta(days=6)).isoformat()
    for gran in ("day", "week", "hour"):
        r = await http.get("/ventas/timeseries", params={"granularity": gran, "date": "range", "fromDate": start,
                                                          "toDate": period["toDate"], "dimension": "ventana"}, headers=net.admin)
        assert r.status_code == 200, r.text
        shape(r.json(), {"data": [POINT]})
        assert sum(p["ticketsCount"] for p in r.json()["data"]) >= 1
    r = await http.get("/ventas/timeseries", params={"granularity": "day", "date": "week"}, headers=hl)
    assert r.status_code == 200, r.text
    shape(r.json(), {"data": [POINT]})
    assert len(r.json()["data"]) == 7

    r = await http.get("/ventas/breakdown", params={"dimension": "planet"}, headers=net.admin)
    assert r.status_code == 400 and r.json()["code"], r.text
