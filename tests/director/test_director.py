"""Director (seed 000): assignments, payments, ledger, debt, idempotency, overview, KPI views, RBAC."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import text

from taquilla.director.kpis import refresh_views
from tests.builders import Builders

ASSIGN = {"organizerId": "org_demo", "eventId": "ev_demo", "type": "prepaid", "tickets": 100, "price": 3.5}


@pytest.fixture
async def demo(build: Builders) -> None:
    await build.organizer("org_demo")
    await build.event("ev_demo", type="standard")
    await build.event("ev_premium", type="premium")


async def ledger_rows(build: Builders) -> int:
    return int(await build.scalar("SELECT count(*) FROM director_ledger_entries"))


async def test_assign_computes_cents_and_equivalent_tickets(client: httpx.AsyncClient, admin_headers: dict, demo: None) -> None:
    r = await client.post("/director/assign", json=ASSIGN, headers=admin_headers)
    assert r.status_code == 201, r.text
    entry = r.json()["data"]["entry"]
    assert (entry["unitPriceCents"], entry["amountCents"], entry["ticketsEquivalent"]) == (350, 35000, 100)
    assert entry["entryType"] == "assign_prepaid" and entry["currency"] == "mxn"
    assert r.json()["data"]["balanceCents"] == 35000
    assert r.json()["requestId"] == r.headers["x-request-id"]


async def test_premium_event_counts_factor_equivalent_tickets(client: httpx.AsyncClient, admin_headers: dict, demo: None, app) -> None:
    body = {**ASSIGN, "eventId": "ev_premium", "type": "loan", "tickets": 7, "price": 10.005}
    r = await client.post("/director/assign", json=body, headers=admin_headers)
    assert r.status_code == 201, r.text
    entry = r.json()["data"]["entry"]
    assert entry["ticketsEquivalent"] == 7 * app.state.settings.ticket_premium_factor == 14
    assert entry["unitPriceCents"] == 1001  # 10.005 → ROUND_HALF_UP
    assert entry["amountCents"] == 7007 and entry["entryType"] == "assign_loan"


async def test_ledger_totals_cover_whole_ledger_beyond_one_page(client: httpx.AsyncClient, admin_headers: dict, demo: None) -> None:
    for i in range(23):
        r = await client.post("/director/assign", json={**ASSIGN, "tickets": i + 1, "price": 1}, headers=admin_headers)
        assert r.status_code == 201
    r = await client.post("/director/payments", json={"organizerId": "org_demo", "amount": 50.25, "currency": "MXN"}, headers=admin_headers)
    assert r.status_code == 201
    page = await client.get("/director/organizers/org_demo/ledger?pageSize=10", headers=admin_headers)
    data = page.json()["data"]
    assert len(data["entries"]) == 10
    assert data["entries"][0]["entryType"] == "payment"  # newest first
    assigned = sum(range(1, 24)) * 100
    assert data["totals"]["ticketsEquivalent"] == sum(range(1, 24))
    assert data["totals"]["assignedAmountCents"] == assigned
    assert data["totals"]["paymentsCents"] == 5025
    assert data["totals"]["balanceCents"] == assigned - 5025
    assert page.json()["meta"] == {"page": 1, "pageSize": 10, "total": 24, "totalPages": 3, "hasNextPage": True, "hasPrevPage": False}
    last = await client.get("/director/organizers/org_demo/ledger?pageSize=10&page=3", headers=admin_headers)
    assert len(last.json()["data"]["entries"]) == 4
    assert last.json()["data"]["totals"] == data["totals"]
    ids = [e["id"] for p in (1, 2, 3) for e in (await client.get(f"/director/organizers/org_demo/ledger?pageSize=10&page={p}", headers=admin_headers)).json()["data"]["entries"]]
    assert len(set(ids)) == 24
    beyond = await client.get("/director/organizers/org_demo/ledger?pageSize=10&page=4", headers=admin_headers)
    assert beyond.status_code == 400 and beyond.json()["error"]["code"] == "PAGE_OUT_OF_RANGE"
    only_payments = await client.get("/director/organizers/org_demo/ledger?entryType=payment", headers=admin_headers)
    assert [e["entryType"] for e in only_payments.json()["data"]["entries"]] == ["payment"]


async def test_debt_is_per_currency_and_overpayment_leaves_credit(client: httpx.AsyncClient, admin_headers: dict, demo: None) -> None:
    await client.post("/director/assign", json={**ASSIGN, "currency": "usd", "price": 2, "tickets": 10}, headers=admin_headers)
    await client.post("/director/assign", json=ASSIGN, headers=admin_headers)
    r = await client.post("/director/payments", json={"organizerId": "org_demo", "amount": 1500, "currency": "mxn"}, headers=admin_headers)
    assert r.status_code == 201
    assert r.json()["data"]["balanceCents"] == 35000 - 150000  # overpayment recorded, credit shown
    data = (await client.get("/director/organizers/org_demo/ledger", headers=admin_headers)).json()["data"]
    by = {b["currency"]: b for b in data["totals"]["byCurrency"]}
    assert by["mxn"] == {"currency": "mxn", "assignedAmountCents": 35000, "paymentsCents": 150000, "balanceCents": -115000}
    assert by["usd"] == {"currency": "usd", "assignedAmountCents": 2000, "paymentsCents": 0, "balanceCents": 2000}
    assert data["totals"]["balanceCents"] is None  # no single-currency sum across currencies


BAD_INPUTS = [
    ("/director/assign", {**ASSIGN, "organizerId": 123}, 400),
    ("/director/assign", {k: v for k, v in ASSIGN.items() if k != "organizerId"}, 400),
    ("/director/assign", {**ASSIGN, "organizerId": "org_nope"}, 404),
    ("/director/assign", {**ASSIGN, "eventId": "ev_nope"}, 404),
    ("/director/assign", {**ASSIGN, "type": "gift"}, 400),
    ("/director/assign", {**ASSIGN, "tickets": 0}, 400),
    ("/director/assign", {**ASSIGN, "tickets": -5}, 400),
    ("/director/assign", {**ASSIGN, "tickets": 1.5}, 400),
    ("/director/assign", {**ASSIGN, "tickets": "10"}, 400),
    ("/director/assign", {**ASSIGN, "price": -1}, 400),
    ("/director/assign", {**ASSIGN, "price": "3.5"}, 400),
    ("/director/assign", {**ASSIGN, "price": True}, 400),
    ("/director/assign", {**ASSIGN, "currency": "xyz"}, 400),
    ("/director/payments", {"organizerId": "org_demo", "amount": 0, "currency": "mxn"}, 400),
    ("/director/payments", {"organizerId": "org_demo", "amount": -10, "currency": "mxn"}, 400),
    ("/director/payments", {"organizerId": "org_demo", "amount": "ten", "currency": "mxn"}, 400),
    ("/director/payments", {"organizerId": "org_demo", "amount": 10, "currency": "pesos"}, 400),
    ("/director/payments", {"organizerId": "org_nope", "amount": 10, "currency": "mxn"}, 404),
    # bounds (DOMAIN.md "Errors"): checked before anything is written
    ("/director/assign", {**ASSIGN, "tickets": 10_000_000, "price": 10_000_000_000}, "AMOUNT_TOO_LARGE"),
    ("/director/assign", {**ASSIGN, "tickets": 1_000_000, "price": 10_000_000_000}, "AMOUNT_TOO_LARGE"),
    ("/director/assign", {**ASSIGN, "tickets": 1_000_001, "price": 1}, "AMOUNT_TOO_LARGE"),
    ("/director/assign", {**ASSIGN, "tickets": 10**30, "price": 1}, "AMOUNT_TOO_LARGE"),
    ("/director/assign", {**ASSIGN, "price": 10**15}, 400),
    ("/director/assign", {**ASSIGN, "price": 0.004}, "AMOUNT_ROUNDS_TO_ZERO"),
    ("/director/assign", {**ASSIGN, "organizerId": "org_nope", "tickets": 10_000_000, "price": 10_000_000_000}, "AMOUNT_TOO_LARGE"),
    ("/director/payments", {"organizerId": "org_demo", "amount": 0.004, "currency": "mxn"}, "AMOUNT_ROUNDS_TO_ZERO"),
    ("/director/payments", {"organizerId": "org_demo", "amount": 10**15, "currency": "mxn"}, 400),
]


@pytest.mark.parametrize(("path", "body", "status"), BAD_INPUTS)
async def test_bad_input_is_4xx_and_writes_nothing(
    client: httpx.AsyncClient, admin_headers: dict, demo: None, build: Builders, path: str, body: dict, status: int | str
) -> None:
    r = await client.post(path, json=body, headers=admin_headers)
    assert r.status_code == (400 if isinstance(status, str) else status), r.text
    err = r.json()
    if isinstance(status, str):
        assert err["code"] == err["error"]["code"] == status
    assert err["success"] is False and err["error"]["code"] and err["error"]["message"] and err["requestId"]
    assert await ledger_rows(build) == 0


async def test_malformed_json_and_bad_query_write_nothing(client: httpx.AsyncClient, admin_headers: dict, demo: None, build: Builders) -> None:
    r = await client.post("/director/assign", content=b'{"organizerId": "org_demo",', headers={**admin_headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "MALFORMED_JSON"
    for q in ("page=0", "pageSize=1000", "page=abc", "entryType=gift", "fromDate=2026-13-01", "fromDate=2026-02-02&toDate=2026-01-01"):
        r = await client.get(f"/director/organizers/org_demo/ledger?{q}", headers=admin_headers)
        assert r.status_code == 400, (q, r.text)
    assert await ledger_rows(build) == 0


async def test_idempotent_replay_and_key_reuse(client: httpx.AsyncClient, admin_headers: dict, demo: None, build: Builders) -> None:
    headers = {**admin_headers, "Idempotency-Key": "pay-001"}
    body = {"organizerId": "org_demo", "amount": 10, "currency": "mxn"}
    first = await client.post("/director/payments", json=body, headers=headers)
    again = await client.post("/director/payments", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert await ledger_rows(build) == 1
    other = await client.post("/director/payments", json={**body, "amount": 11}, headers=headers)
    assert other.status_code == 422 and other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await ledger_rows(build) == 1


async def test_key_in_flight_is_409(client: httpx.AsyncClient, admin_headers: dict, demo: None, build: Builders, app) -> None:
    me = (await client.get("/api/v1/auth/me", headers=admin_headers)).json()["data"]["id"]
    async with app.state.engine.connect() as holder:  # simulates the first request still holding the key
        await holder.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 0))"), {"k": me + "\x1f" + "k-1"})
        r = await client.post(
            "/director/payments",
            json={"organizerId": "org_demo", "amount": 10, "currency": "mxn"},
            headers={**admin_headers, "Idempotency-Key": "k-1"},
        )
        await holder.execute(text("SELECT pg_advisory_unlock_all()"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "IDEMPOTENCY_IN_FLIGHT"
    assert await ledger_rows(build) == 0


async def test_overview_is_cached_and_shows_a_write_within_two_seconds(client: httpx.AsyncClient, admin_headers: dict, demo: None) -> None:
    first = await client.get("/director/overview", headers=admin_headers)
    assert first.status_code == 200 and first.headers["x-cache"] == "miss"
    assert (await client.get("/director/overview", headers=admin_headers)).headers["x-cache"] == "hit"
    await client.post("/director/assign", json={**ASSIGN, "eventId": "ev_premium"}, headers=admin_headers)
    started = time.monotonic()
    while True:
        data = (await client.get("/director/overview", headers=admin_headers)).json()["data"]
        if data["topOrganizadores"]:
            break
        assert time.monotonic() - started < 2.0, "overview did not show the write within 2 s"
        await asyncio.sleep(0.05)
    assert data["topOrganizadores"][0] == {"organizerId": "org_demo", "organizerName": "Org Demo", "ticketsEquivalentes": 200, "ranking": 1}
    assert data["deudaAbierta"][0]["deudaCents"] == 35000
    assert data["refreshedAt"] is not None


async def test_views_refresh_matches_the_ledger(client: httpx.AsyncClient, admin_headers: dict, build: Builders, app) -> None:
    for org in ("org_a", "org_b"):
        await build.organizer(org, name=org.upper())
    await build.event("ev_s")
    await build.event("ev_p", type="premium")
    for org, ev, n in (("org_a", "ev_s", 5), ("org_a", "ev_p", 3), ("org_b", "ev_s", 20)):
        await client.post("/director/assign", json={**ASSIGN, "organizerId": org, "eventId": ev, "tickets": n, "price": 1}, headers=admin_headers)
    await client.post("/director/payments", json={"organizerId": "org_b", "amount": 5, "currency": "mxn"}, headers=admin_headers)
    await refresh_views(app.state.sessionmaker, app.state.redis)
    async with app.state.engine.connect() as conn:
        delivered = {(r[0], r[1]): r[2] for r in await conn.execute(text("SELECT organizer_id, event_id, tickets_equivalentes FROM mv_kpi_tickets_entregados"))}
        debt = {r[0]: r[1] for r in await conn.execute(text("SELECT organizer_id, deuda_cents FROM mv_kpi_deuda_abierta"))}
        top = [tuple(r) for r in await conn.execute(text("SELECT organizer_id, tickets_equivalentes, ranking FROM mv_kpi_top_organizadores ORDER BY ranking"))]
    assert delivered == {("org_a", "ev_s"): 5, ("org_a", "ev_p"): 6, ("org_b", "ev_s"): 20}
    assert debt == {"org_a": 800, "org_b": 1500}
    assert top == [("org_b", 20, 1), ("org_a", 11, 2)]


async def test_refresh_script_runs_concurrently(app) -> None:
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "docs/db/migrations/refresh_kpis.sql"
    sql = "\n".join(line for line in script.read_text().splitlines() if not line.strip().startswith("--"))
    statements = [s.strip() for s in sql.split(";") if s.strip()]
    assert len(statements) == 3 and all("CONCURRENTLY" in s for s in statements)
    async with app.state.engine.begin() as conn:
        for s in statements:
            await conn.execute(text(s))


async def test_organizer_reads_only_its_own_ledger(client: httpx.AsyncClient, admin_headers: dict, demo: None, build: Builders) -> None:
    await build.organizer("org_other")
    await build.user("org_user", role="ORGANIZER", organizer_id="org_demo")
    headers = await build.login(client, "org_user")
    assert (await client.get("/director/organizers/org_demo/ledger", headers=headers)).status_code == 200
    assert (await client.get("/director/organizers/org_other/ledger", headers=headers)).status_code == 403
    assert (await client.post("/director/assign", json=ASSIGN, headers=headers)).status_code == 403
    assert (await client.post("/director/payments", json={"organizerId": "org_demo", "amount": 1, "currency": "mxn"}, headers=headers)).status_code == 403
    assert (await client.get("/director/overview", headers=headers)).status_code == 403
    assert (await client.get("/director/organizers/org_demo/ledger")).status_code == 401
    assert await ledger_rows(build) == 0


async def test_organizer_crud(client: httpx.AsyncClient, admin_headers: dict) -> None:
    r = await client.post("/director/organizers", json={"id": "org_new", "name": "Nuevo"}, headers=admin_headers)
    assert r.status_code == 201 and r.json()["data"]["id"] == "org_new"
    dup = await client.post("/director/organizers", json={"id": "org_new", "name": "Otro"}, headers=admin_headers)
    assert dup.status_code == 409
    gen = await client.post("/director/organizers", json={"name": "Sin id"}, headers=admin_headers)
    assert gen.json()["data"]["id"].startswith("org_")
    listing = await client.get("/director/organizers", headers=admin_headers)
    assert listing.json()["meta"]["total"] == 2
