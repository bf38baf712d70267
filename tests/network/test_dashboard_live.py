"""The dashboards' cache with two live API processes sharing one database and one Redis.

A dashboard answer cached by one process must never be served after a fact under it changed
through the other process: the cache key carries the rollup revisions (``network.versioned``),
and every fact change bumps its rollup row's revision in the write's own transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from taquilla.core.periods import cr_date_of
from taquilla.core.settings import Settings
from tests.live import live_servers
from tests.network.builders import Net

CXC = "/api/v1/admin/dashboard/cxc"
LIVE_ENV = {"DB_POOL_SIZE": "4", "DB_MAX_OVERFLOW": "0"}


async def test_a_write_through_one_process_invalidates_the_other_processes_cached_answer(net: Net, settings: Settings) -> None:
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    today = cr_date_of(datetime.now(UTC)).isoformat()
    params = {"date": "month", "ventanaId": ventana["id"]}
    with live_servers(settings, count=2, extra_env=LIVE_ENV) as (a, b):
        async with httpx.AsyncClient(timeout=60) as http:

            async def cxc(url: str, etag: str | None = None) -> httpx.Response:
                headers = {**net.admin, **({"If-None-Match": etag} if etag else {})}
                return await http.get(url + CXC, params=params, headers=headers)

            async def pay(url: str, amount: int) -> None:  # banca pays the ventana: its CxC grows by the amount
                body = {"date": today, "ventanaId": ventana["id"], "amount": amount, "type": "payment", "method": "cash"}
                r = await http.post(url + "/api/v1/accounts/payment", json=body, headers=net.admin)
                assert r.status_code == 201, r.text

            await pay(a, 1000)
            first = await cxc(b)
            assert first.status_code == 200 and first.headers["x-cache"] == "miss", first.text
            assert first.json()["data"]["totalAmount"] == 1000
            cached = await cxc(b)  # cached by B, and visible to A through the shared Redis
            assert cached.headers["x-cache"] == "hit" and cached.headers["etag"] == first.headers["etag"]
            assert (await cxc(a)).headers["x-cache"] == "hit"
            assert (await cxc(a, first.headers["etag"])).status_code == 304

            await pay(a, 250)  # through A; B's cached answer is now stale
            after = await cxc(b, first.headers["etag"])
            assert after.status_code == 200 and after.headers["x-cache"] == "miss", after.text
            assert after.headers["etag"] != first.headers["etag"]
            assert after.json()["data"]["totalAmount"] == first.json()["data"]["totalAmount"] + 250
            assert (await cxc(a, after.headers["etag"])).status_code == 304
