"""Director writes fired in parallel at two live API processes sharing one database and Redis."""

from __future__ import annotations

import asyncio
import time

import httpx

from taquilla.core.settings import Settings
from tests.builders import Builders
from tests.live import live_servers


async def test_parallel_retries_with_one_key_write_once(settings: Settings, build: Builders, app, client: httpx.AsyncClient) -> None:
    await build.organizer("org_demo")
    await build.user("admin", role="ADMIN")
    headers = await build.login(client, "admin")
    body = {"organizerId": "org_demo", "amount": 99.99, "currency": "mxn"}
    with live_servers(settings, count=2) as urls:
        async with httpx.AsyncClient(timeout=30) as http:
            replies = await asyncio.gather(
                *(
                    http.post(f"{urls[i % 2]}/director/payments", json=body, headers={**headers, "Idempotency-Key": "same-key"})
                    for i in range(24)
                )
            )
            statuses = sorted({r.status_code for r in replies})
            assert set(statuses) <= {201, 409}, [r.text for r in replies if r.status_code not in (201, 409)]
            created = [r.json() for r in replies if r.status_code == 201]
            assert created and all(c["data"]["entry"]["id"] == created[0]["data"]["entry"]["id"] for c in created)
            assert await build.scalar("SELECT count(*) FROM director_ledger_entries") == 1
            assert await build.scalar("SELECT sum(amount_cents) FROM director_ledger_entries") == 9999

            # and the overview served by either process shows the write within 2 s
            started = time.monotonic()
            while True:
                ov = (await http.get(f"{urls[1]}/director/overview", headers=headers)).json()["data"]
                if ov["creditos"]:
                    break
                assert time.monotonic() - started < 2.0
                await asyncio.sleep(0.05)
            assert ov["creditos"][0]["creditoCents"] == 9999 and ov["deudaAbierta"] == []
            assert ov["totals"]["creditoCents"] == [{"currency": "mxn", "amountCents": 9999, "organizers": 1}]
