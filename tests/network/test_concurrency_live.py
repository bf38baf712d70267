"""Concurrent first facts of an entity, fired as real parallel requests at two live API processes.

The first movement of an entity created outside the API creates its account, and the first
fact of a day creates its rollup row (and, for a sale, the day's ticket counter): requests
that do it at the same instant must all succeed, never a 500 from a unique-key race.
With ``ON CONFLICT DO NOTHING`` taken out of ``ledger.repository.insert_account`` the first
test fails (some 500s); the last test shows the underlying race on two plain connections.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from taquilla.core.infra import to_driver_url
from taquilla.core.settings import Settings
from tests.live import live_servers
from tests.network.builders import Net

N = 48
LIVE_ENV = {"DB_POOL_SIZE": "6", "DB_MAX_OVERFLOW": "0"}  # a small pool: the test database server is shared


async def _warm(http: httpx.AsyncClient, urls: list[str], headers: dict[str, str]) -> None:
    """Open database connections in every process first, so the burst below really runs in parallel."""
    await asyncio.gather(*(http.get(f"{u}/api/v1/loterias", headers=headers) for u in urls for _ in range(12)))


async def test_parallel_first_movements_of_an_entity_without_account(net: Net, settings: Settings) -> None:
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    v = await net.vendedor(ventana["id"])
    # an entity created outside the API (bulk load, import): no account yet
    conn = await asyncpg.connect(to_driver_url(settings.database_url))
    try:
        await conn.execute("DELETE FROM network_accounts WHERE owner_id = ANY($1::text[])", [v["id"], ventana["id"]])
    finally:
        await conn.close()
    bodies = [{"date": "2026-03-03", "amount": 10 + i, "type": "collection", "method": "cash",
               **({"vendedorId": v["id"]} if i % 4 < 2 else {"ventanaId": ventana["id"]})} for i in range(N)]
    with live_servers(settings, count=2, extra_env=LIVE_ENV) as urls:
        async with httpx.AsyncClient(timeout=60) as http:
            await _warm(http, urls, net.admin)
            replies = await asyncio.gather(
                *(http.post(f"{urls[i % 2]}/api/v1/accounts/payment", json=b, headers=net.admin) for i, b in enumerate(bodies))
            )
    assert [r.status_code for r in replies] == [201] * N, [r.text for r in replies if r.status_code != 201]
    payments = [r.json()["data"]["payment"] for r in replies]  # {payment, statement}
    accounts = {(p["vendedorId"] or p["ventanaId"]): p["accountId"] for p in payments}
    assert await net.build.scalar("SELECT count(*) FROM network_accounts WHERE owner_id IN (:a, :b)", a=v["id"], b=ventana["id"]) == 2
    assert len(set(accounts.values())) == 2 and await net.count("network_movements") == N
    assert await net.build.scalar("SELECT sum(collected_cents) FROM network_daily_rollups") == sum(b["amount"] for b in bodies) * 100
    assert (await net.reconcile())["differences"] == []


async def test_parallel_first_sales_of_a_day(net: Net, settings: Settings) -> None:
    lot = await net.loteria()
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    v = await net.vendedor(ventana["id"])
    net.clock.set(datetime.now(UTC))  # the live processes use the real clock
    s = await net.sorteo(lot["id"], datetime.now(UTC) + timedelta(days=3))
    body = {"sorteoId": s["id"], "vendedorId": v["id"], "jugadas": [{"number": "07", "amount": 5}]}
    with live_servers(settings, count=2, extra_env=LIVE_ENV) as urls:
        async with httpx.AsyncClient(timeout=60) as http:
            await _warm(http, urls, net.admin)
            replies = await asyncio.gather(
                *(http.post(f"{urls[i % 2]}/api/v1/tickets", json=body, headers=net.admin) for i in range(N))
            )
    assert [r.status_code for r in replies] == [201] * N, [r.text for r in replies if r.status_code != 201]
    numbers = sorted(r.json()["data"]["ticketNumber"] for r in replies)
    assert len(set(numbers)) == N and numbers[0] >= 1
    assert await net.build.scalar("SELECT ticket_count FROM network_daily_rollups WHERE vendedor_id = :v", v=v["id"]) == N
    assert (await net.reconcile())["differences"] == []


async def test_without_the_guard_the_account_race_does_happen(settings: Settings) -> None:
    """What the unguarded code did (look up, then a plain INSERT) fails when two first movements
    interleave: the check that ``open_account`` replaces with ``ON CONFLICT DO NOTHING`` is racy."""
    dsn = to_driver_url(settings.database_url)
    a, b = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    insert = "INSERT INTO network_accounts (id, owner_type, owner_id, ventana_id) VALUES ($1, 'VENTANA', 'ven_race', 'ven_race')"
    try:
        await a.execute("INSERT INTO bancas (id, code, name) VALUES ('ban_race', 'BR', 'B')")
        await a.execute("INSERT INTO ventanas (id, banca_id, code, name) VALUES ('ven_race', 'ban_race', 'VR', 'V')")
        ta, tb = a.transaction(), b.transaction()
        await ta.start(), await tb.start()
        lookup = "SELECT id FROM network_accounts WHERE owner_type = 'VENTANA' AND owner_id = 'ven_race'"
        assert await a.fetchval(lookup) is None and await b.fetchval(lookup) is None  # both see no account
        await a.execute(insert, "acc_race_a")
        second = asyncio.create_task(b.execute(insert, "acc_race_b"))  # waits for a's row
        await asyncio.sleep(0.2)
        await ta.commit()
        with pytest.raises(asyncpg.UniqueViolationError):
            await second
        await tb.rollback()
    finally:
        await a.execute("DELETE FROM network_accounts WHERE owner_id = 'ven_race'")
        await a.execute("DELETE FROM ventanas WHERE id = 'ven_race'")
        await a.execute("DELETE FROM bancas WHERE id = 'ban_race'")
        await a.close()
        await b.close()
