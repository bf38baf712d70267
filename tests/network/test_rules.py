"""Multipliers and restrictions (issue 10): the catalogue, the NUMERO multiplier frozen at sale,
the most specific restriction winning, refusals naming rule and number, and the per-number
``maxTotal`` holding under 20 parallel sales at a live server."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from taquilla.core.settings import Settings
from tests.live import live_servers
from tests.network.builders import Net, cr


async def _setup(net: Net) -> dict[str, Any]:
    lot = await net.loteria(multiplier=90)
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    v = await net.vendedor(ventana["id"])
    net.clock.set(cr(2026, 1, 15, 10))
    s = await net.sorteo(lot["id"], cr(2026, 1, 15, 12, 55))
    return {"lot": lot, "banca": banca, "ventana": ventana, "v": v, "hv": await net.login(v["username"]), "s": s}


async def test_multipliers_catalogue_and_the_frozen_numero_multiplier(net: Net) -> None:
    x = await _setup(net)
    before = await net.sell(x["hv"], x["s"]["id"], [("01", 10)])
    assert before["jugadas"][0]["multiplierX"] == 90.0  # no NUMERO multiplier: the lotería's base
    m = await net.post("/api/v1/multipliers", {"loteriaId": x["lot"]["id"], "name": "Base 85", "valueX": 85, "kind": "NUMERO", "isActive": True})
    rev = await net.post("/api/v1/multipliers", {"loteriaId": x["lot"]["id"], "name": "Rev x4", "valueX": 4, "kind": "REVENTADO", "isActive": True})
    assert (await net.sell(x["hv"], x["s"]["id"], [("02", 10)]))["jugadas"][0]["multiplierX"] == 85.0
    listed = await net.get("/api/v1/multipliers", headers=x["hv"], loteriaId=x["lot"]["id"], kind="REVENTADO", isActive="true")
    assert [i["id"] for i in listed["data"]] == [rev["id"]] and listed["meta"]["total"] == 1
    assert (await net.get("/api/v1/multipliers", search="base 8"))["data"][0]["id"] == m["id"]
    patched = await net.patch(f"/api/v1/multipliers/{m['id']}", {"valueX": 80})
    assert patched["valueX"] == 80.0
    r = await net.client.request("DELETE", f"/api/v1/multipliers/{m['id']}", json={"isActive": False}, headers=net.admin)
    assert r.status_code == 200 and r.json()["data"]["isActive"] is False
    assert (await net.sell(x["hv"], x["s"]["id"], [("03", 10)]))["jugadas"][0]["multiplierX"] == 90.0
    assert (await net.get(f"/api/v1/tickets/{before['id']}"))["data"]["jugadas"][0]["multiplierX"] == 90.0
    await net.post("/api/v1/multipliers", {"loteriaId": x["lot"]["id"], "name": "x", "valueX": 2, "kind": "NUMERO"}, headers=x["hv"], expect=403)
    # evaluation with a REVENTADO multiplier of another lotería → 404
    other = await net.loteria()
    bad = await net.post("/api/v1/multipliers", {"loteriaId": other["id"], "name": "Rev", "valueX": 2, "kind": "REVENTADO"})
    net.clock.set(cr(2026, 1, 15, 13))
    r = await net.patch(f"/api/v1/sorteos/{x['s']['id']}/evaluate", {"winningNumber": "01", "extraMultiplierId": bad["id"]}, expect=404)
    assert r.json()["code"] == "MULTIPLIER_NOT_FOUND"


async def test_restrictions_crud_and_the_most_specific_rule_wins(net: Net) -> None:
    x = await _setup(net)
    by_banca = await net.post("/api/v1/restrictions", {"bancaId": x["banca"]["id"], "maxAmount": 20})
    by_ventana = await net.post("/api/v1/restrictions", {"ventanaId": x["ventana"]["id"], "maxAmount": 50})
    r = await net.sell(x["hv"], x["s"]["id"], [("05", 60)], expect=409)
    assert r.json()["code"] == "RESTRICTION_AMOUNT_EXCEEDED" and r.json()["error"]["details"]["ruleId"] == by_ventana["id"]
    assert by_ventana["id"] in r.json()["message"] and "05" in r.json()["message"]
    await net.sell(x["hv"], x["s"]["id"], [("05", 40)])  # the ventana's 50 beats the banca's 20
    by_user = await net.post("/api/v1/restrictions", {"userId": x["v"]["id"], "maxAmount": 100})
    await net.sell(x["hv"], x["s"]["id"], [("05", 80)])  # the user's 100 beats the ventana's 50
    on_number = await net.post("/api/v1/restrictions", {"userId": x["v"]["id"], "number": "07", "maxAmount": 5, "maxTotal": 8})
    r = await net.sell(x["hv"], x["s"]["id"], [("07", 6)], expect=409)
    assert r.json()["error"]["details"] == {"ruleId": on_number["id"], "number": "07", "maxAmount": 5.0}
    await net.sell(x["hv"], x["s"]["id"], [("07", 5)])
    r = await net.sell(x["hv"], x["s"]["id"], [("07", 5)], expect=409)
    assert r.json()["code"] == "RESTRICTION_TOTAL_EXCEEDED" and r.json()["error"]["details"]["available"] == 3.0
    # the list with the client's filters, delete (deactivate) and restore
    listed = await net.get("/api/v1/restrictions", userId=x["v"]["id"], hasAmount="true", isActive="true")
    assert {i["id"] for i in listed["data"]} == {by_user["id"], on_number["id"]}
    assert on_number["priority"] > by_user["priority"] > by_ventana["priority"] > by_banca["priority"]
    mine = await net.get("/api/v1/restrictions", headers=x["hv"])
    assert mine["meta"]["total"] == 4
    r = await net.client.delete(f"/api/v1/restrictions/{on_number['id']}", headers=net.admin)
    assert r.status_code == 200 and r.json()["data"]["isActive"] is False
    await net.sell(x["hv"], x["s"]["id"], [("07", 50)])
    await net.patch(f"/api/v1/restrictions/{on_number['id']}/restore", {})
    await net.sell(x["hv"], x["s"]["id"], [("07", 50)], expect=409)
    patched = await net.patch(f"/api/v1/restrictions/{by_user['id']}", {"maxAmount": None, "salesCutoffMinutes": 180})
    assert patched["maxAmount"] is None and patched["salesCutoffMinutes"] == 180
    r = await net.sell(x["hv"], x["s"]["id"], [("09", 1)], expect=409)  # 10:00 is within 180 minutes of 12:55
    assert r.json()["code"] == "SALES_CLOSED" and r.json()["error"]["details"]["ruleId"] == by_user["id"]
    # bad rules
    for body, code in (({"maxAmount": 5}, "RESTRICTION_SCOPE"), ({"bancaId": x["banca"]["id"], "ventanaId": x["ventana"]["id"], "maxAmount": 5}, "RESTRICTION_SCOPE"),
                       ({"bancaId": x["banca"]["id"]}, "RESTRICTION_EMPTY")):
        assert (await net.post("/api/v1/restrictions", body, expect=400)).json()["code"] == code
    await net.post("/api/v1/restrictions", {"ventanaId": "ven_missing", "maxAmount": 5}, expect=404)
    await net.post("/api/v1/restrictions", {"bancaId": x["banca"]["id"], "maxAmount": 5}, headers=x["hv"], expect=403)
    assert (await net.reconcile())["differences"] == []


async def test_twenty_parallel_sales_at_a_max_total_of_ten_sell_exactly_ten(net: Net, settings: Settings) -> None:
    lot = await net.loteria()
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    v = await net.vendedor(ventana["id"])
    net.clock.set(datetime.now(UTC))  # the live processes use the real clock
    s = await net.sorteo(lot["id"], datetime.now(UTC) + timedelta(days=3))
    await net.post("/api/v1/restrictions", {"ventanaId": ventana["id"], "number": "42", "maxTotal": 10})
    body = {"loteriaId": lot["id"], "sorteoId": s["id"], "vendedorId": v["id"], "ventanaId": ventana["id"],
            "jugadas": [{"type": "NUMERO", "number": "42", "amount": 1}]}
    with live_servers(settings, count=2, extra_env={"DB_POOL_SIZE": "6", "DB_MAX_OVERFLOW": "0"}) as urls:
        async with httpx.AsyncClient(timeout=60) as http:
            await asyncio.gather(*(http.get(f"{u}/api/v1/loterias", headers=net.admin) for u in urls for _ in range(8)))
            replies = await asyncio.gather(
                *(http.post(f"{urls[i % 2]}/api/v1/tickets", json=body, headers=net.admin) for i in range(20))
            )
    codes = sorted(r.status_code for r in replies)
    assert codes == [201] * 10 + [409] * 10, [r.text for r in replies if r.status_code not in (201, 409)]
    assert {r.json()["code"] for r in replies if r.status_code == 409} == {"RESTRICTION_TOTAL_EXCEEDED"}
    assert await net.build.scalar("SELECT sum(amount_cents) FROM network_jugadas WHERE sorteo_id = :s", s=s["id"]) == 1000
    assert (await net.reconcile())["differences"] == []
    assert await _counters(net, s["id"], "42") == {(0, ""): 1000, (1, banca["id"]): 1000, (2, ventana["id"]): 1000, (3, v["id"]): 1000}


async def test_without_the_number_locks_the_total_race_does_happen(net: Net, settings: Settings) -> None:
    """Two sales that read the sold total before either commits both fit a ``maxTotal`` of 10 and together sell
    11: what the row locks of ``network_number_sales`` taken by ``SELL_SQL`` prevent (with them, the second
    sale's write waits for the first's commit and returns the sum including it: then the service refuses)."""
    import asyncpg

    from taquilla.core.infra import to_driver_url
    from taquilla.network.sales.number_sums import SOLD_PER_NUMBER_SQL
    from taquilla.network.sales.repository import INSERT_SALE_SQL

    x = await _setup(net)
    await net.sell(x["hv"], x["s"]["id"], [("42", 9)])
    a = await asyncpg.connect(to_driver_url(settings.database_url))
    b = await asyncpg.connect(to_driver_url(settings.database_url))
    try:
        sold = []
        for conn in (a, b):
            await conn.execute("BEGIN")
            rows = await conn.fetch(SOLD_PER_NUMBER_SQL, x["s"]["id"], ["42"], x["v"]["id"], x["ventana"]["id"], x["banca"]["id"])
            sold.append(rows[0][3])  # the ventana's cents on 42
        assert sold == [900, 900]  # both see room for 1.00 under a maxTotal of 10.00
        for i, conn in enumerate((a, b)):
            await conn.fetchrow(INSERT_SALE_SQL, f"tkt_race{i}", 0, date.fromisoformat(x["s"]["businessDate"]),
                                x["s"]["id"], x["lot"]["id"], x["ventana"]["id"], x["v"]["id"], 100, 0, 0, "race",
                                [f"jug_race{i}"], ["42"], ["NUMERO"], [100], [90], [0], [0], [0], [0])
            await conn.execute("COMMIT")
    finally:
        await a.close()
        await b.close()
    assert await net.build.scalar("SELECT sum(amount_cents) FROM network_jugadas WHERE number = '42'") == 1100


async def _fetch(net: Net, sql: str, *args: Any) -> list[Any]:
    from taquilla.core.db import driver_connection

    async with net.build.app.state.sessionmaker() as session:
        rows = await (await driver_connection(session)).fetch(sql, *args)
        await session.rollback()
    return rows


_COUNTERS_SQL = """
SELECT level, owner_id, amount_cents FROM network_number_sales WHERE sorteo_id = $1 AND number = $2
 UNION ALL
SELECT 0, '', SUM(amount_cents) FROM network_number_sales WHERE sorteo_id = $1 AND number = $2 AND level = 2
 UNION ALL
SELECT 1, v.banca_id, SUM(x.amount_cents) FROM network_number_sales x JOIN ventanas v ON v.id = x.owner_id
 WHERE x.sorteo_id = $1 AND x.number = $2 AND x.level = 2 GROUP BY v.banca_id
"""


async def _counters(net: Net, sorteo_id: str, number: str) -> dict[tuple[int, str], int]:
    """The vendedores' and ventanas' rows of ``number`` (levels 3, 2) with the sums the sale derives from the
    ventanas' rows (in all, per banca: levels 0, 1), as ``{(level, owner): cents}`` without zeros."""
    rows = await _fetch(net, _COUNTERS_SQL, sorteo_id, number)
    return {(int(r[0]), r[1]): int(r[2]) for r in rows if r[2]}  # a fully cancelled number keeps rows at 0


async def _facts(net: Net, x: dict[str, Any], number: str) -> dict[tuple[int, str], int]:
    from taquilla.network.sales.number_sums import SOLD_PER_NUMBER_SQL

    rows = await _fetch(net, SOLD_PER_NUMBER_SQL, x["s"]["id"], [number], x["v"]["id"], x["ventana"]["id"], x["banca"]["id"])
    if not rows:
        return {}
    r = rows[0]
    return {k: v for k, v in {(0, ""): int(r[1]), (1, x["banca"]["id"]): int(r[4]), (2, x["ventana"]["id"]): int(r[3]), (3, x["v"]["id"]): int(r[2])}.items() if v}


async def test_a_cancellation_gives_its_cents_back_to_the_number_and_the_sums_equal_the_facts(net: Net) -> None:
    """``network_number_sales`` after sales, a refusal and a cancellation holds what the facts sum (all four
    levels), and the cancelled cents are available again under the ``maxTotal``."""
    x = await _setup(net)
    rule = await net.post("/api/v1/restrictions", {"ventanaId": x["ventana"]["id"], "number": "42", "maxTotal": 10})
    first = await net.sell(x["hv"], x["s"]["id"], [("42", 6), ("42", 2), ("17", 5)])
    await net.sell(x["hv"], x["s"]["id"], [("42", 2)])
    r = await net.sell(x["hv"], x["s"]["id"], [("42", 0.01), ("18", 1)], expect=409)
    assert r.json()["code"] == "RESTRICTION_TOTAL_EXCEEDED"
    assert r.json()["error"]["details"] == {"ruleId": rule["id"], "number": "42", "available": 0.0}
    assert await _counters(net, x["s"]["id"], "18") == {}  # the refused sale left nothing behind
    assert await _counters(net, x["s"]["id"], "42") == await _facts(net, x, "42") == {
        (0, ""): 1000, (1, x["banca"]["id"]): 1000, (2, x["ventana"]["id"]): 1000, (3, x["v"]["id"]): 1000}
    await net.patch(f"/api/v1/tickets/{first['id']}/cancel")
    assert await _counters(net, x["s"]["id"], "42") == await _facts(net, x, "42")
    assert (await _counters(net, x["s"]["id"], "42"))[(2, x["ventana"]["id"])] == 200
    assert await _counters(net, x["s"]["id"], "17") == await _facts(net, x, "17")
    await net.sell(x["hv"], x["s"]["id"], [("42", 8)])  # the cancelled 8.00 is available again
    await net.sell(x["hv"], x["s"]["id"], [("42", 0.01)], expect=409)
    assert (await net.reconcile())["differences"] == []


async def test_reconcile_finds_and_repairs_drift_of_the_per_number_sums(net: Net) -> None:
    """Per-number sums changed behind the API (a row altered, a row deleted) are what ``reconcile`` lists under
    ``numberSums`` (expected = the facts); ``apply`` rewrites them and the limits read the facts' sums again."""
    from sqlalchemy import text

    from taquilla.network.ledger.reconcile import reconcile

    x = await _setup(net)
    await net.post("/api/v1/restrictions", {"ventanaId": x["ventana"]["id"], "number": "42", "maxTotal": 10})
    await net.sell(x["hv"], x["s"]["id"], [("42", 6), ("17", 5)])
    assert (await net.reconcile())["numberSums"] == []
    async with net.build.app.state.sessionmaker() as session:
        await session.execute(text("UPDATE network_number_sales SET amount_cents = 100 WHERE number = '42' AND level = 2"))
        await session.execute(text("DELETE FROM network_number_sales WHERE number = '17' AND level = 3"))
        await session.commit()
    await net.sell(x["hv"], x["s"]["id"], [("42", 8)])  # the altered row lets 14.00 through a maxTotal of 10
    report = await net.reconcile()
    assert report["differences"] == [] and report["numberSums"] == [
        {"sorteoId": x["s"]["id"], "number": "17", "level": 3, "ownerId": x["v"]["id"], "expected": 500, "stored": 0},
        {"sorteoId": x["s"]["id"], "number": "42", "level": 2, "ownerId": x["ventana"]["id"], "expected": 1400, "stored": 900},
    ]
    async with net.build.app.state.sessionmaker() as session:
        assert (await reconcile(session, apply=True))["applied"] is True
        await session.commit()
    assert (await net.reconcile())["numberSums"] == []
    for number in ("42", "17"):
        assert await _counters(net, x["s"]["id"], number) == await _facts(net, x, number)
    r = await net.sell(x["hv"], x["s"]["id"], [("42", 0.01)], expect=409)  # the facts' 14.00 is over the limit again
    assert r.json()["code"] == "RESTRICTION_TOTAL_EXCEEDED"


async def test_the_sale_write_waits_for_a_concurrent_sale_of_the_number_and_sees_its_cents(net: Net, settings: Settings) -> None:
    """The guard: ``SELL_SQL`` of a second sale of the same number by the same ventana blocks on the first's row locks until it commits,
    then returns the sum including the first sale (1200 > a maxTotal of 1000: the service would refuse)."""
    import asyncpg

    from taquilla.core.infra import to_driver_url
    from taquilla.network.sales.repository import SELL_SQL

    x = await _setup(net)
    day = date.fromisoformat(x["s"]["businessDate"])
    a = await asyncpg.connect(to_driver_url(settings.database_url))
    b = await asyncpg.connect(to_driver_url(settings.database_url))

    def args(i: int) -> list[Any]:
        return [f"tkt_guard{i}", 0, day, x["s"]["id"], x["lot"]["id"], x["ventana"]["id"], x["v"]["id"], 600, 0, 0, "guard",
                [f"jug_guard{i}"], ["43"], ["NUMERO"], [600], [90], [0], [0], [0], [0], x["banca"]["id"], False]

    try:
        await a.execute("BEGIN")
        first = await a.fetchrow(SELL_SQL, *args(0))
        assert dict(zip(first[5], first[6], strict=True))[2] == 600
        await b.execute("BEGIN")
        second = asyncio.create_task(b.fetchrow(SELL_SQL, *args(1)))
        await asyncio.sleep(0.5)
        assert not second.done()  # queued on the number's rows
        await a.execute("COMMIT")
        row = await asyncio.wait_for(second, 10)
        assert dict(zip(row[5], row[6], strict=True)) == {2: 1200, 3: 1200}
        await b.execute("ROLLBACK")
    finally:
        await a.close()
        await b.close()


async def test_only_the_sales_a_shared_limit_binds_queue_on_its_lock_and_they_see_each_other(net: Net, settings: Settings) -> None:
    """Two ventanas of one banca sell number 44 in open transactions. Without a limit over both ventanas the
    second sale's statements never wait for the first (no shared row or lock). Under a banca ``maxTotal`` on 44
    the second sale's context statement queues on the first's shared limit lock until it commits, and its write
    derives the banca's and the overall sum with the first sale's cents (1200, what the service checks)."""
    import asyncpg

    from taquilla.core.infra import to_driver_url
    from taquilla.network.sales.repository import SALE_CONTEXT_SQL, SELL_SQL

    x = await _setup(net)
    ventana2 = await net.ventana(x["banca"]["id"])
    v2 = await net.vendedor(ventana2["id"])
    day = date.fromisoformat(x["s"]["businessDate"])
    sellers = [(x["ventana"]["id"], x["v"]["id"]), (ventana2["id"], v2["id"])]
    a = await asyncpg.connect(to_driver_url(settings.database_url))
    b = await asyncpg.connect(to_driver_url(settings.database_url))

    def args(i: int, shared: bool) -> list[Any]:
        ventana, vendedor = sellers[i % 2]
        return [f"tkt_shared{i}", 0, day, x["s"]["id"], x["lot"]["id"], ventana, vendedor, 600, 0, 0, "shared",
                [f"jug_shared{i}"], ["44"], ["NUMERO"], [600], [90], [0], [0], [0], [0], x["banca"]["id"], shared]

    async def sale(conn: asyncpg.Connection, i: int) -> tuple[int, Any]:
        ctx = await conn.fetchrow(SALE_CONTEXT_SQL, sellers[i % 2][1], x["s"]["id"], ["44"])
        return ctx[-1], await conn.fetchrow(SELL_SQL, *args(i, ctx[-1] > 0))

    try:
        for conn in (a, b):
            await conn.execute("BEGIN")
        locks, _ = await sale(a, 0)
        locks2, row = await asyncio.wait_for(sale(b, 1), 5)  # does not wait for a
        assert (locks, locks2) == (0, 0) and dict(zip(row[5], row[6], strict=True)) == {2: 600, 3: 600}
        for conn in (a, b):
            await conn.execute("ROLLBACK")

        await net.post("/api/v1/restrictions", {"bancaId": x["banca"]["id"], "number": "44", "maxTotal": 10})
        for conn in (a, b):
            await conn.execute("BEGIN")
        locks, _ = await sale(a, 2)
        second = asyncio.create_task(sale(b, 3))
        await asyncio.sleep(0.5)
        assert locks == 1 and not second.done()  # queued on the banca's lock of 44
        await a.execute("COMMIT")
        locks2, row = await asyncio.wait_for(second, 10)
        assert locks2 == 1 and dict(zip(row[5], row[6], strict=True)) == {2: 600, 3: 600}
        assert (list(row[7]), list(row[8]), list(row[9])) == (["44"], [600], [600])  # the other ventana's cents
        await b.execute("ROLLBACK")
    finally:
        await a.close()
        await b.close()


async def test_limits_over_several_ventanas_hold_under_parallel_sales_at_two_live_processes(net: Net, settings: Settings) -> None:
    """The lotería's per-number limit (10.00) and a banca ``maxTotal`` (6.00 on 43) bind the sales of two ventanas,
    whose rows are apart: 20 parallel sales of 1.00 on each number from both ventanas at two live processes sell
    exactly 10.00 on 42 and 6.00 on 43; the stored rows and the derived sums equal the facts."""
    lot = await net.loteria(maxAmountPerNumber=10)
    banca = await net.banca()
    ventanas = [await net.ventana(banca["id"]) for _ in range(2)]
    vendedores = [await net.vendedor(v["id"]) for v in ventanas]
    net.clock.set(datetime.now(UTC))  # the live processes use the real clock
    s = await net.sorteo(lot["id"], datetime.now(UTC) + timedelta(days=3))
    await net.post("/api/v1/restrictions", {"bancaId": banca["id"], "number": "43", "maxTotal": 6})

    def body(i: int, number: str) -> dict[str, Any]:
        return {"loteriaId": lot["id"], "sorteoId": s["id"], "vendedorId": vendedores[i % 2]["id"],
                "jugadas": [{"type": "NUMERO", "number": number, "amount": 1}]}

    with live_servers(settings, count=2, extra_env={"DB_POOL_SIZE": "6", "DB_MAX_OVERFLOW": "0"}) as urls:
        async with httpx.AsyncClient(timeout=60) as http:
            await asyncio.gather(*(http.get(f"{u}/api/v1/loterias", headers=net.admin) for u in urls for _ in range(8)))
            replies = await asyncio.gather(*(
                http.post(f"{urls[i % 2]}/api/v1/tickets", json=body(i // 2, number), headers=net.admin)
                for i in range(40) for number in ("42", "43")
            ))
    by_code: dict[str, int] = {}
    for r in replies:
        assert r.status_code in (201, 409), r.text
        key = "201" if r.status_code == 201 else r.json()["code"]
        by_code[key] = by_code.get(key, 0) + 1
    assert by_code == {"201": 16, "NUMBER_LIMIT_EXCEEDED": 30, "RESTRICTION_TOTAL_EXCEEDED": 34}
    sold = {r[0]: int(r[1]) for r in await _fetch(
        net, "SELECT number, SUM(amount_cents) FROM network_jugadas WHERE sorteo_id = $1 GROUP BY number", s["id"])}
    assert sold == {"42": 1000, "43": 600}
    for number in ("42", "43"):
        counters = await _counters(net, s["id"], number)
        assert counters[(0, "")] == counters[(1, banca["id"])] == sold[number]
        assert sum(counters.get((2, v["id"]), 0) for v in ventanas) == sold[number]
    assert (await net.reconcile())["differences"] == []
