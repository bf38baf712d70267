"""The network front end's admin dashboard (contract rows 66–70), sent exactly as ``hooks/useDashboard.ts``
sends it to a live server: ``apiClient.get(path, params)`` with ``date``/``fromDate``/``toDate``,
``ventanaId``, ``loteriaId`` joined with commas, ``betType`` (when not "all"), plus ``granularity``/
``compare``, ``aging`` or ``dimension``. The client unwraps ``data`` when the body has no top-level
``meta`` and then reads ``meta.etag`` from it; every field the screens and types read is asserted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from taquilla.core.periods import cr_date_of
from tests.clients.conftest import NUM, OPT, shape
from tests.network.builders import Net

META = {"range": {"from": str, "to": str}, "queryExecutionTime": NUM, "totalQueries": int, "etag": str}
KPI = {"totalSales": NUM, "totalTickets": int, "totalWinners": int, "totalCommissions": NUM, "winRate": NUM, "margin": NUM}
ALERT = {"id": str, "type": str, "severity": str, "message": str, "suggestedAction": str,
         "entity": ({"type": str, "id": str, "name": str}, OPT), "value": NUM, "threshold": NUM, "timestamp": str}
POINT = {"timestamp": str, "sales": NUM, "commissions": NUM, "tickets": int, "winners": int, "payout": NUM}
SALDO_META = {"monthSales": NUM, "monthPayouts": NUM, "monthBalance": NUM, "monthCollected": NUM, "monthPaid": NUM,
              "monthRemainingBalance": NUM}
ACCOUNT_ITEM = {"ventanaId": str, "ventanaName": str, "ventanaCode": str, "totalSales": NUM, "totalPayouts": NUM,
                "totalListeroCommission": NUM, "totalVendedorCommission": NUM, "totalPaid": NUM, "totalPaidOut": NUM,
                "totalCollected": NUM, "totalPaidToCustomer": NUM, "amount": NUM, "remainingBalance": NUM, "isActive": bool,
                "saldoAHoy": NUM, "saldoAHoyMeta": SALDO_META}
VENDEDOR_ITEM = {**ACCOUNT_ITEM, "vendedorId": str, "vendedorName": str, "vendedorCode": str}
VENDEDOR_ROW = {"vendedorId": str, "vendedorName": str, "vendedorCode": str, "ventanaName": str, "sales": NUM, "commissions": NUM,
                "tickets": int, "winners": int, "avgTicket": NUM, "winRate": NUM}
GANANCIA_ITEM = {"dimension": str, "key": str, "name": str, "sales": NUM, "payout": NUM, "commissions": NUM, "netProfit": NUM,
                 "margin": NUM}
GLOBAL = {"sales": NUM, "payout": NUM, "commissions": NUM, "netProfit": NUM, "margin": NUM}


def unwrap(r: httpx.Response) -> Any:
    """What ``apiClient.request`` returns: the whole body with ``data`` and ``meta``, else ``data``."""
    assert r.status_code == 200, r.text
    body = r.json()
    return body if "meta" in body else body["data"]


async def test_admin_dashboard_as_the_client_calls_it(net: Net, http: httpx.AsyncClient) -> None:
    lot = await net.loteria()
    banca = await net.banca()
    ventana = await net.ventana(banca["id"], {"percent": 10})
    v = await net.vendedor(ventana["id"], {"percent": 5})
    hv, hl = await net.login(v["username"]), await net.listero(ventana["id"])
    now = datetime.now(UTC)
    net.clock.set(now)
    s = await net.sorteo(lot["id"], now + timedelta(days=2))
    await net.sell(hv, s["id"], [("05", 1000), ("17", 500)])
    today = cr_date_of(now)
    period = {"date": "range", "fromDate": today.isoformat(), "toDate": (today + timedelta(days=3)).isoformat()}
    filters = {**period, "ventanaId": ventana["id"], "loteriaId": lot["id"], "betType": "REVENTADO"}

    # row 66: useDashboard(filters) — ADMIN and VENTANA (the screen sends VENDEDOR away)
    for headers, params in ((net.admin, filters), (net.admin, {"date": "today"}), (hl, {"date": "month"}), (hl, period)):
        r = await http.get("/admin/dashboard", params=params, headers=headers)
        d = unwrap(r)
        shape(d, {"kpis": {**KPI, "previousPeriod": KPI}, "alerts": [ALERT], "meta": META})
        assert d["meta"]["etag"] == r.headers["etag"]
    d = unwrap(await http.get("/admin/dashboard", params=filters, headers=net.admin))
    assert d["kpis"]["totalSales"] == 1500 and d["kpis"]["totalTickets"] == 1
    assert d["meta"]["range"] == {"from": period["fromDate"], "to": period["toDate"]}
    r = await http.get("/admin/dashboard", params={"date": "today"}, headers=hv)
    assert r.status_code == 403 and r.json()["code"] == "ROLE_FORBIDDEN"

    # row 67: useDashboardTimeSeries({...filters, granularity: 'day', compare: false})
    for compare in ("false", "true"):
        r = await http.get("/admin/dashboard/timeseries", params={**filters, "granularity": "day", "compare": compare},
                           headers=net.admin)
        t = unwrap(r)
        shape(t, {"data": [POINT], "granularity": str, "meta": META})
        assert t["granularity"] == "day" and len(t["data"]) == 4 and sum(p["sales"] for p in t["data"]) == 1500
        assert ("comparison" in t) == (compare == "true")
        if compare == "true":
            shape(t["comparison"], [POINT])

    # rows 68/69: useDashboardCxC / useDashboardCxP ({...filters, aging}) and the later dimension=vendedor
    for path in ("/admin/dashboard/cxc", "/admin/dashboard/cxp"):
        for params in ({**filters, "aging": "true"}, {**period, "dimension": "ventana"}, {"date": "month"}):
            c = unwrap(await http.get(path, params=params, headers=net.admin))
            shape(c, {"totalAmount": NUM, "total": NUM, "byVentana": [ACCOUNT_ITEM], "meta": META})
        c = unwrap(await http.get(path, params={**period, "dimension": "vendedor"}, headers=hl))
        shape(c, {"totalAmount": NUM, "byVentana": [VENDEDOR_ITEM], "meta": META})
        assert "byVendedor" not in c  # DOMAIN.md: byVentana[] for both dimensions (one copy of the list)
    c = unwrap(await http.get("/admin/dashboard/cxc", params=filters, headers=net.admin))
    assert [i["ventanaId"] for i in c["byVentana"]] == [ventana["id"]]
    assert c["byVentana"][0]["totalSales"] == 1500 and c["byVentana"][0]["amount"] == 1500 - 150

    # row 70: useDashboardGanancia({...filters, dimension})
    for dimension in ("ventana", "loteria", "vendedor", "global"):
        g = unwrap(await http.get("/admin/dashboard/ganancia", params={**filters, "dimension": dimension}, headers=net.admin))
        shape(g, {"dimension": str, "items": [GANANCIA_ITEM], "global": GLOBAL, "meta": META})
        assert g["dimension"] == dimension and g["global"]["sales"] == 1500
        assert all(i["dimension"] == dimension for i in g["items"]) and (g["items"] == []) == (dimension == "global")

    # row 73: useDashboardVendedores({...filters, page: 1, pageSize: 20, sortBy, sortOrder})
    for params in ({**filters, "page": 1, "pageSize": 20}, {**period, "page": 1, "pageSize": 20, "sortBy": "winRate", "sortOrder": "asc"}):
        v = unwrap(await http.get("/admin/dashboard/vendedores", params=params, headers=net.admin))
        shape(v, {"data": [VENDEDOR_ROW], "pagination": {"page": int, "pageSize": int, "total": int, "totalPages": int}, "meta": META})
        assert v["pagination"]["total"] == len(v["data"]) == 1 and v["data"][0]["sales"] == 1500

    # row 72: useDashboardExposure({...filters, top: filters.top || 20})
    for params in ({**filters, "top": 20}, {"date": "today", "top": 20}):
        x = unwrap(await http.get("/admin/dashboard/exposure", params=params, headers=net.admin))
        shape(x, {"topNumbers": list, "byLoteria": list, "heatmap": [{"number": str, "sales": NUM, "potentialPayout": NUM}], "meta": META})
        assert len(x["heatmap"]) == 100
        for i in x["topNumbers"]:
            shape(i, {"number": str, "betType": str, "sales": NUM, "potentialPayout": NUM, "ratio": NUM, "ticketCount": int})

    # row 74: exportDashboard(filters, format) — the dialog's default format xlsx, no sections; then window.open(url)
    for fmt in ("xlsx", "csv"):
        e = unwrap(await http.get("/admin/dashboard/export", params={**filters, "format": fmt}, headers=net.admin))
        shape(e, {"url": str, "filename": str, "format": str, "expiresAt": str})
        assert e["format"] == fmt and e["filename"].endswith("." + fmt)
        file = await http.get(e["url"].removeprefix("/api/v1"))  # a browser window: no Authorization header
        assert file.status_code == 200 and file.content

    # ETag: the same request with the stored etag answers 304 (the client's fetchWithETag header)
    r = await http.get("/admin/dashboard/cxc", params=filters, headers=net.admin)
    nm = await http.get("/admin/dashboard/cxc", params=filters, headers={**net.admin, "If-None-Match": r.headers["etag"]})
    assert nm.status_code == 304 and nm.content == b""
