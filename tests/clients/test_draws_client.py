"""The network front end's sorteo and multiplier calls (contract rows 34–36, 38–40, 43), sent exactly
as the client sends them to a live server; every field the client reads is asserted with its type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text

from tests.clients.conftest import META, NUM, OPT, shape
from tests.network.builders import Net

SORTEO = {"id": str, "name": str, "loteriaId": str, "loteria": {"name": str}, "scheduledAt": str, "status": str,
          "winningNumber": (str, OPT), "extraMultiplierX": (*NUM, OPT), "isActive": bool}
SORTEO_DETAIL = {**SORTEO, "extraOutcomeCode": (str, OPT), "extraMultiplierId": (str, OPT)}
MULTIPLIER = {"id": str, "loteriaId": str, "name": str, "valueX": NUM, "kind": str, "isActive": bool,
              "appliesToDate": (str, OPT), "appliesToSorteoId": (str, OPT)}


async def test_sorteos_lifecycle_as_the_client_calls_it(net: Net, http: httpx.AsyncClient) -> None:
    lot = await net.loteria(reventado=True)
    net.clock.set(datetime.now(UTC))
    at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    # row 36 — create with name
    r = await http.post("/sorteos", json={"name": "Tica 12:55", "loteriaId": lot["id"], "scheduledAt": at.isoformat()},
                        headers=net.admin)
    assert r.status_code == 201, r.text
    shape(r.json()["data"], SORTEO_DETAIL)
    sid = r.json()["data"]["id"]
    # row 38 — PATCH open with {}
    r = await http.patch(f"/sorteos/{sid}/open", json={}, headers=net.admin)
    assert r.status_code == 200 and r.json()["data"]["status"] == "OPEN", r.text
    # row 34 — the lists of the admin, the ventana and the sale screen
    for params in ({"page": 1, "pageSize": 20, "loteriaId": lot["id"], "status": "OPEN", "search": "Tica", "date": "range",
                    "fromDate": datetime.now(UTC).date().isoformat(), "toDate": (datetime.now(UTC) + timedelta(days=3)).date().isoformat()},
                   {"status": "OPEN", "pageSize": 100}):
        r = await http.get("/sorteos", params=params, headers=net.admin)
        assert r.status_code == 200, r.text
        shape(r.json(), {"data": [SORTEO], "meta": META})
        assert sid in [s["id"] for s in r.json()["data"]]
    # row 40 — evaluation before scheduledAt → 409 with code and message at the top level
    rev = await net.post("/api/v1/multipliers", {"loteriaId": lot["id"], "name": "Rev x2", "valueX": 2, "kind": "REVENTADO", "isActive": True})
    body = {"winningNumber": "07", "extraMultiplierId": rev["id"]}
    r = await http.patch(f"/sorteos/{sid}/evaluate", json=body, headers=net.admin)
    assert r.status_code == 409 and r.json()["code"] == "SORTEO_NOT_STARTED" and r.json()["message"]
    async with net.build.app.state.sessionmaker() as session:  # the draw time passes
        await session.execute(text("UPDATE sorteos SET scheduled_at = now() - interval '1 minute' WHERE id = :s"), {"s": sid})
        await session.commit()
    r = await http.patch(f"/sorteos/{sid}/evaluate", json=body, headers=net.admin)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["extraMultiplierX"] == 2.0 and r.json()["data"]["extraMultiplierId"] == rev["id"]
    r = await http.patch(f"/sorteos/{sid}/evaluate", json={"winningNumber": "07", "extraMultiplierId": None}, headers=net.admin)
    assert r.status_code == 409
    # row 35 — detail
    r = await http.get(f"/sorteos/{sid}", headers=net.admin)
    shape(r.json()["data"], SORTEO_DETAIL)
    assert r.json()["data"]["winningNumber"] == "07"
    # row 39 — PATCH close with {}
    r = await http.patch(f"/sorteos/{sid}/close", json={}, headers=net.admin)
    assert r.status_code == 200 and r.json()["data"]["status"] == "CLOSED", r.text


async def test_multipliers_as_the_client_reads_them(net: Net, http: httpx.AsyncClient) -> None:
    lot = await net.loteria()
    for name, value, kind in (("Base", 90, "NUMERO"), ("Rev x2", 2, "REVENTADO"), ("Rev x5", 5, "REVENTADO")):
        await net.post("/api/v1/multipliers", {"loteriaId": lot["id"], "name": name, "valueX": value, "kind": kind, "isActive": True})
    vendedor_headers = net.admin
    # row 43 — the evaluate modal's REVENTADO choices and the admin list
    for params in ({"loteriaId": lot["id"], "kind": "REVENTADO", "isActive": "true"},
                   {"page": 1, "pageSize": 20, "search": "Rev"}):
        r = await http.get("/multipliers", params=params, headers=vendedor_headers)
        assert r.status_code == 200, r.text
        shape(r.json(), {"data": [MULTIPLIER], "meta": META})
        assert len(r.json()["data"]) == 2
