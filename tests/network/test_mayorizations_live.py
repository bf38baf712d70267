"""Mayorizations against two live API processes: seed 002's "Testing the Flow" over HTTP, 20
simultaneous settles of one record (exactly one 201, the others 409 "Majorization is already
settled") and a retried ``requestId`` (the first 201 again, one ADJUSTMENT in the database).

Without the ``FOR UPDATE`` in ``mayorizations.repository.record_for_update`` the concurrent test
fails: several requests read the record OPEN and each writes an ADJUSTMENT (the partial unique
index on ``network_movements.mayorization_id`` then turns all but one into a 409 CONFLICT, not the
domain's answer).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from taquilla.core.periods import cr_date_of
from taquilla.core.settings import Settings
from tests.live import live_servers
from tests.network.builders import Net

LIVE_ENV = {"DB_POOL_SIZE": "12", "DB_MAX_OVERFLOW": "0"}
N = 20


async def _warm(http: httpx.AsyncClient, urls: list[str], headers: dict[str, str]) -> None:
    await asyncio.gather(*(http.get(f"{u}/api/v1/loterias", headers=headers) for u in urls for _ in range(12)))


async def test_seed_002_flow_concurrent_settles_and_request_id(net: Net, settings: Settings) -> None:
    lot = await net.loteria(multiplier=90)
    banca = await net.banca(percent=5)
    ventana = await net.ventana(banca["id"], {"percent": 10})
    v = await net.vendedor(ventana["id"], {"percent": 8})
    hv = await net.login(v["username"])
    net.clock.set(datetime.now(UTC))  # the live processes use the real clock
    at = datetime.now(UTC) + timedelta(days=1)
    s = await net.sorteo(lot["id"], at)
    await net.sell(hv, s["id"], [("07", 1000), ("08", 500)])  # sales 1500, listero 150, vendedor 120
    day = cr_date_of(at).isoformat()
    accounts = {a["ownerId"]: a["id"] for a in (await net.get("/api/v1/accounts"))["data"]}
    with live_servers(settings, count=2, extra_env=LIVE_ENV) as urls:
        async with httpx.AsyncClient(timeout=60) as http:
            await _warm(http, urls, net.admin)
            # 1. calculate
            r = await http.post(f"{urls[0]}/api/v1/accounts/{accounts[ventana['id']]}/mayorizations/calculate",
                                params={"fromDate": day, "toDate": day}, headers=net.admin)
            assert r.status_code == 201, r.text
            rec = r.json()["data"]
            assert rec["id"].startswith("maj_") and (rec["netOperative"], rec["debtStatus"], rec["debtAmount"]) == (1350.0, "CXC", 1350.0)
            # 2. history (the other process) shows the record with its id
            r = await http.get(f"{urls[1]}/api/v1/accounts/mayorizations/history",
                               params={"period": "range", "fromDate": day, "toDate": day}, headers=net.admin)
            assert r.status_code == 200 and [m["id"] for m in r.json()["mayorizations"]] == [rec["id"]]
            # 3. settle: 20 at once, split over both processes
            body = {"mayorizationId": rec["id"], "amount": 1350, "settlementType": "PAYMENT", "date": day, "reference": "CHK-001"}
            replies = await asyncio.gather(*(http.post(f"{urls[i % 2]}/api/v1/accounts/mayorizations/settle", json=body,
                                                       headers=net.admin) for i in range(N)))
            statuses = sorted(x.status_code for x in replies)
            assert statuses == [201] + [409] * (N - 1), [x.text for x in replies if x.status_code not in (201, 409)]
            assert {x.json()["message"] for x in replies if x.status_code == 409} == {"Majorization is already settled"}
            won = next(x.json()["data"] for x in replies if x.status_code == 201)
            assert won["mayorization"]["isSettled"] is True and won["ledgerEntry"]["valueSigned"] == -1350.0
            # a retried request with the same requestId answers the first 201 again (either process)
            r = await http.post(f"{urls[0]}/api/v1/accounts/{accounts[v['id']]}/mayorizations/calculate",
                                params={"fromDate": day, "toDate": day}, headers=net.admin)
            vrec = r.json()["data"]
            assert (vrec["netOperative"], vrec["debtStatus"]) == (1380.0, "CXC")
            keyed = {"mayorizationId": vrec["id"], "amount": 1380, "settlementType": "PAYMENT", "date": day,
                     "reference": "EF-7", "requestId": "req_123456"}
            burst = await asyncio.gather(*(http.post(f"{urls[i % 2]}/api/v1/accounts/mayorizations/settle", json=keyed,
                                                     headers=net.admin) for i in range(6)))
            assert {x.status_code for x in burst} <= {201, 409} and 201 in {x.status_code for x in burst}
            first = next(x.json() for x in burst if x.status_code == 201)
            for u in urls:
                again = await http.post(f"{u}/api/v1/accounts/mayorizations/settle", json=keyed, headers=net.admin)
                assert again.status_code == 201 and again.json()["data"] == first["data"]
    assert await net.count("network_movements WHERE kind = 'ADJUSTMENT'") == 2
    assert await net.count(f"network_movements WHERE mayorization_id = '{vrec['id']}'") == 1
    report = await net.reconcile()
    assert report["differences"] == [] and report["adjustments"]["broken"] == [] and report["adjustments"]["count"] == 2
    acc = {a["ownerId"]: a["balance"] for a in (await net.get("/api/v1/accounts"))["data"]}
    assert acc[ventana["id"]] == 0.0 and acc[v["id"]] == 0.0  # both levels settled in full
