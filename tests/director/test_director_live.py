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


RECOMPUTED = """
SELECT organizer_id, currency, sum(tickets), sum(tickets_equivalent),
       COALESCE(sum(amount_cents) FILTER (WHERE entry_type <> 'payment'), 0),
       COALESCE(sum(amount_cents) FILTER (WHERE entry_type = 'payment'), 0)
  FROM director_ledger_entries GROUP BY organizer_id, currency ORDER BY organizer_id, currency
"""
KEPT = ("SELECT organizer_id, currency, tickets, tickets_equivalent, assigned_cents, payments_cents "
        "FROM director_balances ORDER BY organizer_id, currency")


async def _rows(build: Builders, sql: str) -> list[tuple]:
    async with build.app.state.engine.connect() as c:
        return [tuple(int(v) if not isinstance(v, str) else v for v in r) for r in (await c.exec_driver_sql(sql)).all()]


async def test_running_balances_equal_the_ledger_under_parallel_writes(settings: Settings, build: Builders, client: httpx.AsyncClient) -> None:
    """``director_balances`` (kept by a trigger, read by every write's answer and the ledger page) equals the
    ledger's sums after 96 parallel assignments and payments on two live processes (3 organizers × 2
    currencies, half with an ``Idempotency-Key``: a transaction; half without: the statement alone), and
    after the ledger is changed behind the API's back (an UPDATE, a DELETE, a currency's every entry deleted)."""
    for org in ("org_a", "org_b", "org_c"):
        await build.organizer(org)
    await build.event("ev_std", type="standard")
    await build.event("ev_prem", type="premium")
    await build.user("admin", role="ADMIN")
    headers = await build.login(client, "admin")

    def request(i: int) -> tuple[str, dict, dict]:
        org, cur = ("org_a", "org_b", "org_c")[i % 3], ("mxn", "usd")[i // 3 % 2]
        h = {**headers, "Idempotency-Key": f"k-{i}"} if i % 2 else headers
        if i % 4 < 2:
            return "/director/assign", {"organizerId": org, "eventId": ("ev_std", "ev_prem")[i % 5 == 0], "type": ("loan", "prepaid")[i % 7 == 0],
                                        "tickets": i + 1, "price": 1.25, "currency": cur}, h  # fmt: skip
        return "/director/payments", {"organizerId": org, "amount": 0.5 + i, "currency": cur}, h

    with live_servers(settings, count=2) as urls:
        async with httpx.AsyncClient(timeout=60) as http:
            replies = await asyncio.gather(*(http.post(urls[i % 2] + request(i)[0], json=request(i)[1], headers=request(i)[2])
                                             for i in range(96)))  # fmt: skip
    assert [r.status_code for r in replies] == [201] * 96, [r.text for r in replies if r.status_code != 201][:3]
    assert await build.scalar("SELECT count(*) FROM director_ledger_entries") == 96
    recomputed = await _rows(build, RECOMPUTED)
    assert len(recomputed) == 6 and await _rows(build, KEPT) == recomputed

    # every answer is the ledger as its statement saw it plus itself: never below its own entry, and the
    # sequential write after the burst answers exactly the ledger's sums
    last = await client.post("/director/payments", json={"organizerId": "org_a", "amount": 1, "currency": "mxn"}, headers=headers)
    assert last.status_code == 201
    mine = {b["currency"]: b for b in last.json()["data"]["balances"]}
    ledger = {r[1]: r for r in await _rows(build, RECOMPUTED) if r[0] == "org_a"}
    assert {c: (b["assignedAmountCents"], b["paymentsCents"]) for c, b in mine.items()} == {c: (r[4], r[5]) for c, r in ledger.items()}
    page = (await client.get("/director/organizers/org_a/ledger", headers=headers)).json()["data"]["totals"]
    assert {b["currency"]: b["paymentsCents"] for b in page["byCurrency"]} == {c: r[5] for c, r in ledger.items()}

    async with build.app.state.engine.begin() as c:  # behind the API's back: the trigger still follows
        await c.exec_driver_sql("UPDATE director_ledger_entries SET amount_cents = amount_cents + 7, currency = 'usd' "
                                "WHERE id = (SELECT min(id) FROM director_ledger_entries WHERE organizer_id = 'org_b' AND currency = 'mxn')")
        await c.exec_driver_sql("DELETE FROM director_ledger_entries WHERE id = (SELECT max(id) FROM director_ledger_entries WHERE organizer_id = 'org_c')")
    assert await _rows(build, KEPT) == await _rows(build, RECOMPUTED)
    async with build.app.state.engine.begin() as c:  # a currency's last entry gone: its balance row goes too
        await c.exec_driver_sql("DELETE FROM director_ledger_entries WHERE organizer_id = 'org_c' AND currency = 'usd'")
    assert await _rows(build, KEPT) == await _rows(build, RECOMPUTED) and len(await _rows(build, KEPT)) == 5
