"""Director KPIs: the views and the overview's totals against values computed by hand, and amount bounds."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from taquilla.core.money import MAX_CENTS, MAX_COUNT
from taquilla.director.kpis import refresh_views
from tests.builders import Builders

ORGS = [f"org_{i:02d}" for i in range(14)]


async def _post(client: httpx.AsyncClient, headers: dict, path: str, body: dict) -> dict:
    r = await client.post(path, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def test_overview_totals_cover_every_organizer_and_keep_credits_apart(
    client: httpx.AsyncClient, admin_headers: dict, build: Builders, app
) -> None:
    """14 organizers (more than the 10 listed), debts and credits in two currencies."""
    for org in ORGS:
        await build.organizer(org, name=org.upper())
    await build.event("ev_s")
    await build.event("ev_p", type="premium")
    # Ledger written through the API; the same figures computed by hand beside it.
    balance: dict[tuple[str, str], int] = {}
    assigned: dict[tuple[str, str], int] = {}
    paid: dict[tuple[str, str], int] = {}
    equivalent: dict[str, int] = {}
    raw_tickets = 0

    async def assign(org: str, ev: str, tickets: int, price: float, currency: str, cents: int, eq: int) -> None:
        nonlocal raw_tickets
        body = {"organizerId": org, "eventId": ev, "type": "loan", "tickets": tickets, "price": price, "currency": currency}
        await _post(client, admin_headers, "/director/assign", body)
        balance[(org, currency)] = balance.get((org, currency), 0) + cents
        assigned[(org, currency)] = assigned.get((org, currency), 0) + cents
        paid.setdefault((org, currency), 0)
        equivalent[org] = equivalent.get(org, 0) + eq
        raw_tickets += tickets

    async def pay(org: str, amount: float, currency: str, cents: int) -> None:
        await _post(client, admin_headers, "/director/payments", {"organizerId": org, "amount": amount, "currency": currency})
        balance[(org, currency)] = balance.get((org, currency), 0) - cents
        paid[(org, currency)] = paid.get((org, currency), 0) + cents
        assigned.setdefault((org, currency), 0)

    for i, org in enumerate(ORGS):
        await assign(org, "ev_s", i + 1, 1, "mxn", (i + 1) * 100, i + 1)
        if i % 2 == 0:
            await assign(org, "ev_p", 1, 2.5, "mxn", 250, 2)
    for org in ORGS[:3]:
        await pay(org, 1000, "mxn", 100_000)  # overpayments: credits of 100000 − what they owe
    await pay(ORGS[3], 4, "mxn", 400)  # org_03 owes exactly 400: settled, neither debt nor credit
    await assign(ORGS[5], "ev_s", 3, 10, "usd", 3000, 3)
    await pay(ORGS[6], 50, "usd", 5000)  # a credit in usd without any usd allotment

    await refresh_views(app.state.sessionmaker, app.state.redis)

    # The views, row by row, against the hand-computed ledger.
    async with app.state.engine.connect() as conn:
        debt_view = {
            (r.organizer_id, r.currency): (int(r.assigned_amount_cents), int(r.payments_cents), int(r.deuda_cents))
            for r in await conn.execute(text("SELECT * FROM mv_kpi_deuda_abierta"))
        }
        top_view = {r.organizer_id: (int(r.tickets_equivalentes), r.ranking) for r in await conn.execute(text("SELECT * FROM mv_kpi_top_organizadores"))}
    assert debt_view == {k: (assigned[k], paid[k], balance[k]) for k in balance}
    assert {k: v[0] for k, v in top_view.items()} == equivalent
    assert top_view["org_12"] == (15, 1) and top_view["org_13"] == (14, 2)

    r = await client.get("/director/overview", headers=admin_headers)
    assert r.status_code == 200 and r.headers["x-cache"] == "miss"
    data = r.json()["data"]
    totals = data["totals"]

    # Totals cover all 14 organizers, though only 10 are listed.
    assert len(data["topOrganizadores"]) == 10
    assert totals["organizers"] == 14
    assert totals["ticketsEquivalentes"] == sum(equivalent.values()) == 105 + 7 * 2 + 3
    assert totals["tickets"] == raw_tickets == 105 + 7 + 3

    def per_currency(sign: int) -> list[dict]:
        out: dict[str, dict] = {}
        for (_, cur), b in balance.items():
            if b * sign > 0:
                t = out.setdefault(cur, {"currency": cur, "amountCents": 0, "organizers": 0})
                t["amountCents"] += b * sign
                t["organizers"] += 1
        return [out[c] for c in sorted(out)]

    # Open debt: positive balances only; credits apart, never netted against another organizer's debt.
    assert totals["deudaAbiertaCents"] == per_currency(+1)
    assert totals["creditoCents"] == per_currency(-1)
    mxn_debt = sum(b for (_, c), b in balance.items() if c == "mxn" and b > 0)
    mxn_net = sum(b for (_, c), b in balance.items() if c == "mxn")
    assert mxn_net < mxn_debt  # netting the credits in would have hidden 10 organizers' debt
    assert totals["creditoCents"] == [
        {"currency": "mxn", "amountCents": (100_000 - 350) + (100_000 - 200) + (100_000 - 550), "organizers": 3},
        {"currency": "usd", "amountCents": 5000, "organizers": 1},
    ]
    assert totals["deudaAbiertaCents"] == [
        {"currency": "mxn", "amountCents": mxn_debt, "organizers": 10},
        {"currency": "usd", "amountCents": 3000, "organizers": 1},
    ]

    # The lists: debts > 0 largest first, credits as positive cents, the settled organizer in neither.
    debts = [(d["organizerId"], d["currency"], d["deudaCents"]) for d in data["deudaAbierta"]]
    assert debts == sorted(
        [(o, c, b) for (o, c), b in balance.items() if b > 0], key=lambda t: (-t[2], t[0], t[1])
    )
    assert {(c["organizerId"], c["currency"]): c["creditoCents"] for c in data["creditos"]} == {
        (o, c): -b for (o, c), b in balance.items() if b < 0
    }
    assert all(d["organizerId"] != "org_03" for d in data["deudaAbierta"] + data["creditos"])
    assert data["refreshedAt"] is not None


async def test_views_sum_beyond_bigint_without_breaking_the_refresh(
    client: httpx.AsyncClient, admin_headers: dict, build: Builders, app
) -> None:
    """1,000 allotments of the largest storable amount add up past BIGINT (9.2e18): the views sum in numeric."""
    await build.organizer("org_big")
    await build.event("ev_big")
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO director_ledger_entries (id, organizer_id, event_id, entry_type, tickets, tickets_equivalent, unit_price_cents, amount_cents, currency)"
                " SELECT 'entry_big' || g, 'org_big', 'ev_big', 'assign_loan', 1, 1, :c, :c, 'mxn' FROM generate_series(1, 1000) g"
            ),
            {"c": MAX_CENTS},
        )
    await refresh_views(app.state.sessionmaker, app.state.redis)
    data = (await client.get("/director/overview", headers=admin_headers)).json()["data"]
    assert data["totals"]["deudaAbiertaCents"] == [{"currency": "mxn", "amountCents": 1000 * MAX_CENTS, "organizers": 1}]
    assert data["deudaAbierta"][0]["deudaCents"] == 1000 * MAX_CENTS
    ledger = (await client.get("/director/organizers/org_big/ledger", headers=admin_headers)).json()["data"]
    assert ledger["totals"]["balanceCents"] == 1000 * MAX_CENTS


async def test_bounds_accept_the_limits_themselves(client: httpx.AsyncClient, admin_headers: dict, build: Builders) -> None:
    await build.organizer("org_demo")
    await build.event("ev_demo")
    base = {"organizerId": "org_demo", "eventId": "ev_demo", "type": "prepaid"}
    top = await _post(client, admin_headers, "/director/assign", {**base, "tickets": MAX_COUNT, "price": MAX_CENTS // MAX_COUNT / 100})
    assert top["entry"]["amountCents"] == MAX_CENTS and top["entry"]["tickets"] == MAX_COUNT
    free = await _post(client, admin_headers, "/director/assign", {**base, "tickets": 5, "price": 0})
    assert (free["entry"]["unitPriceCents"], free["entry"]["amountCents"]) == (0, 0)
    half_cent = await _post(client, admin_headers, "/director/assign", {**base, "tickets": 2, "price": 0.005})
    assert half_cent["entry"]["unitPriceCents"] == 1  # ROUND_HALF_UP
    cent = await _post(client, admin_headers, "/director/payments", {"organizerId": "org_demo", "amount": 0.005, "currency": "mxn"})
    assert cent["entry"]["amountCents"] == 1
