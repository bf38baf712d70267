"""Issue 14, Invariants: random sequences of operations of the three contexts through the API.

A hypothesis state machine drives a live server (a real uvicorn process on the test
database): lottery sales and cancellations, banca↔ventana and ventana↔vendedor movements,
mayorization calculation and settlement, box-office sales and cancellations on a 6-place
section, director assignments and payments. After every step it checks:

* the network's rollup equals the one recomputed from the facts (``network reconcile``);
* every account's balance equals its statement, on both levels (a ventana with the banca, a
  vendedor with its ventana);
* a settled mayorization never changes;
* no section has sold more places than it has;
* the director's ledger totals equal the sum of its entries.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from taquilla.core.periods import CR_TZ
from taquilla.core.settings import Settings
from taquilla.network.rollup import EXPECTED_ROLLUPS_SQL, ROLLUP_FIELDS
from tests.live import free_port, run_cli, server_env, wait_ready

PASSWORD = "invariant-password-1"
_COLS = ", ".join(ROLLUP_FIELDS)
DRIFT_SQL = f"""
WITH e AS (SELECT business_date, ventana_id, vendedor_id, {_COLS} FROM ({EXPECTED_ROLLUPS_SQL}) x),
     s AS (SELECT business_date, ventana_id, vendedor_id, {_COLS} FROM network_daily_rollups
            WHERE {' OR '.join(f'{f} <> 0' for f in ROLLUP_FIELDS)})
SELECT (SELECT count(*) FROM (SELECT * FROM e EXCEPT SELECT * FROM s) a)
     + (SELECT count(*) FROM (SELECT * FROM s EXCEPT SELECT * FROM e) b)
"""
"""Rows where the stored rollup and the facts disagree (all-zero stored rows count as absent)."""

OVERSOLD_SQL = """
SELECT count(*) FROM (
  SELECT d.location_section_id FROM ticket_details d JOIN location_sections s ON s.id = d.location_section_id
   WHERE NOT d.cancelled GROUP BY d.location_section_id, d.event_id, s.capacity HAVING count(*) > s.capacity) o
"""

LEDGER_SQL = """
SELECT COALESCE(SUM(CASE WHEN entry_type = 'payment' THEN -amount_cents ELSE amount_cents END), 0)
  FROM director_ledger_entries WHERE organizer_id = 'org_inv' AND currency = 'mxn'
"""


class World:
    """The live server, its users and the ids the machine works on."""

    def __init__(self, base: str, database_url: str) -> None:
        self.base, self.database_url = base, database_url
        self.http = httpx.Client(base_url=base, timeout=30)
        self.h: dict[str, dict[str, str]] = {}
        self.ids: dict[str, Any] = {}

    def call(self, method: str, path: str, who: str = "admin", **kw: Any) -> httpx.Response:
        r = self.http.request(method, path, headers=self.h[who], **kw)
        assert r.status_code < 500, f"{method} {path}: {r.status_code} {r.text}"
        return r

    def ok(self, method: str, path: str, who: str = "admin", **kw: Any) -> Any:
        r = self.call(method, path, who, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()["data"] if "data" in r.json() else r.json()

    def sql(self, query: str) -> Any:
        async def run() -> Any:
            conn = await asyncpg.connect(self.database_url)
            try:
                return await conn.fetchval(query)
            finally:
                await conn.close()

        return asyncio.run(run())


def _login(http: httpx.Client, username: str) -> dict[str, str]:
    r = http.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}


def _build(w: World, env: dict[str, str]) -> None:
    """One banca, one ventana with its listero and two vendedores, an open sorteo tomorrow, a 6-place
    section on sale, an organizer."""
    run_cli(env, "users", "create", "inv_admin", "--role", "ADMIN", "--password", PASSWORD)
    w.h["admin"] = _login(w.http, "inv_admin")
    banca = w.ok("POST", "/api/v1/bancas", json={"code": "INV", "name": "Inv", "commissionPolicy": {"percent": 5}})
    ventana = w.ok("POST", "/api/v1/ventanas", json={"bancaId": banca["id"], "code": "INV-1", "name": "Inv 1",
                                                     "commissionPolicy": {"percent": 10}})
    w.ids["ventana"] = ventana["id"]
    w.ok("POST", "/api/v1/users", json={"username": "inv_listero", "password": PASSWORD, "role": "VENTANA", "ventanaId": ventana["id"]})
    w.h["listero"] = _login(w.http, "inv_listero")
    w.ids["vendedores"] = []
    for n in (1, 2):
        v = w.ok("POST", "/api/v1/vendedores", json={"username": f"inv_v{n}", "password": PASSWORD, "name": f"V{n}",
                                                     "code": f"INV-V{n}", "ventanaId": ventana["id"], "commissionPolicy": {"percent": 8}})
        w.ids["vendedores"].append(v["id"])
        w.h[f"v{n}"] = _login(w.http, f"inv_v{n}")
    loteria = w.ok("POST", "/api/v1/loterias", json={"name": "Inv Lotto", "baseMultiplierX": 90, "drawTimes": ["12:00"]})
    at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    sorteo = w.ok("POST", "/api/v1/sorteos", json={"loteriaId": loteria["id"], "scheduledAt": at.isoformat()})
    w.ok("PATCH", f"/api/v1/sorteos/{sorteo['id']}/open")
    w.ids["sorteo"] = sorteo["id"]
    w.ids["days"] = (datetime.now(CR_TZ).date() - timedelta(days=1), at.astimezone(CR_TZ).date() + timedelta(days=1))
    loc = w.ok("POST", "/api/v1/boxoffice/locations", json={"name": "Sala Inv"})
    section = w.ok("POST", "/api/v1/boxoffice/location-sections", json={"locationId": loc["id"], "name": "General", "capacity": 6})
    pres = w.ok("POST", "/api/v1/boxoffice/presentations", json={"locationId": loc["id"], "title": "Inv"})
    zone = w.ok("POST", "/api/v1/boxoffice/presentation-sections", json={"presentationId": pres["id"], "name": "G", "price": 10, "currency": "crc"})
    item = w.ok("POST", "/api/v1/boxoffice/presentation-section-items", json={"presentationSectionId": zone["id"], "locationSectionId": section["id"]})
    event = w.ok("POST", "/api/v1/boxoffice/events", json={"presentationId": pres["id"], "startAt": (at + timedelta(days=30)).isoformat(), "status": "on_sale"})
    w.ids["line"] = {"presentationSectionId": zone["id"], "presentationSectionItemId": item["id"]}
    w.ids["event"] = event["id"]
    w.ok("POST", "/director/organizers", json={"id": "org_inv", "name": "Org Inv"})


@pytest.fixture(scope="module")
def world(settings: Settings) -> Iterator[World]:
    env = server_env(settings)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "taquilla.main:create_app", "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], env=env)
    try:
        w = World(f"http://127.0.0.1:{port}", settings.database_url.replace("postgresql+asyncpg://", "postgresql://"))
        wait_ready(w.base)
        _build(w, env)
        yield w
        w.http.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


AMOUNTS = st.sampled_from([50, 100, 250, 1000, 5000])


class ThreeContexts(RuleBasedStateMachine):
    """Operations of the box office, the director and the network, and the invariants between them."""

    w: World
    lottery = Bundle("lottery")
    boxoffice = Bundle("boxoffice")

    @initialize()
    def start(self) -> None:
        self.settled: dict[str, dict[str, Any]] = {}

    # ---- network ---------------------------------------------------------------------------------

    @rule(target=lottery, who=st.sampled_from(["v1", "v2"]), number=st.integers(0, 99), amount=AMOUNTS)
    def sell(self, who: str, number: int, amount: int) -> str:
        body = {"sorteoId": self.w.ids["sorteo"], "jugadas": [{"number": f"{number:02d}", "amount": amount, "type": "NUMERO"}]}
        return str(self.w.ok("POST", "/api/v1/tickets", who, json=body)["id"])

    @rule(ticket=consumes(lottery))
    def cancel(self, ticket: str) -> None:
        self.w.ok("PATCH", f"/api/v1/tickets/{ticket}/cancel")

    @rule(level=st.sampled_from(["ventana", "v0", "v1"]), kind=st.sampled_from(["collection", "payment"]), amount=AMOUNTS)
    def movement(self, level: str, kind: str, amount: int) -> None:
        today = datetime.now(CR_TZ).date().isoformat()
        body: dict[str, Any] = {"date": today, "amount": amount, "type": kind, "method": "cash"}
        if level == "ventana":
            self.w.ok("POST", "/api/v1/accounts/payment", json={**body, "ventanaId": self.w.ids["ventana"]})
        else:  # the listero with its own vendedor
            body["vendedorId"] = self.w.ids["vendedores"][int(level[1])]
            self.w.ok("POST", "/api/v1/accounts/payment", "listero", json=body)

    @rule(owner=st.sampled_from(["ventana", "v0", "v1"]), days_back=st.integers(0, 1))
    def settle(self, owner: str, days_back: int) -> None:
        owner_id = self.w.ids["ventana"] if owner == "ventana" else self.w.ids["vendedores"][int(owner[1])]
        account = self.w.ok("GET", "/api/v1/accounts", params={"ownerId": owner_id})
        if not account:
            return
        start = self.w.ids["days"][0] + timedelta(days=days_back)
        period = {"fromDate": start.isoformat(), "toDate": self.w.ids["days"][1].isoformat()}
        r = self.w.call("POST", f"/api/v1/accounts/{account[0]['id']}/mayorizations/calculate", params=period)
        if r.status_code == 409:  # this period is settled already: never recalculated
            return
        record = r.json()["data"]
        if record["debtStatus"] == "BALANCE":
            return
        kind = "PAYMENT" if record["debtStatus"] == "CXC" else "COLLECTION"
        who = "admin" if owner == "ventana" else "listero"
        out = self.w.ok("POST", "/api/v1/accounts/mayorizations/settle", who, json={
            "mayorizationId": record["id"], "amount": record["debtAmount"], "settlementType": kind,
            "date": datetime.now(CR_TZ).date().isoformat(), "reference": "hyp"})
        self.settled[record["id"]] = out["mayorization"]

    # ---- box office and director -----------------------------------------------------------------

    @rule(target=boxoffice, places=st.integers(1, 3))
    def buy(self, places: int) -> str:
        r = self.w.call("POST", "/api/v1/boxoffice/tickets", json={
            "eventId": self.w.ids["event"], "customerDocument": "1-1111-1111", "customerName": "Hyp",
            "ticketDetails": [self.w.ids["line"]] * places})
        assert r.status_code in (201, 409), r.text  # 409: not that many places left
        return str(r.json()["data"]["id"]) if r.status_code == 201 else ""

    @rule(ticket=consumes(boxoffice))
    def refund(self, ticket: str) -> None:
        if ticket:
            self.w.ok("POST", f"/api/v1/boxoffice/tickets/{ticket}/cancel", json={})

    @rule(tickets=st.integers(1, 20), price=AMOUNTS, kind=st.sampled_from(["prepaid", "loan"]))
    def assign(self, tickets: int, price: int, kind: str) -> None:
        self.w.ok("POST", "/director/assign", json={"organizerId": "org_inv", "eventId": self.w.ids["event"], "type": kind,
                                                    "tickets": tickets, "price": price, "currency": "mxn"})

    @rule(amount=AMOUNTS)
    def pay(self, amount: int) -> None:
        self.w.ok("POST", "/director/payments", json={"organizerId": "org_inv", "amount": amount, "currency": "mxn"})

    # ---- invariants --------------------------------------------------------------------------------

    @invariant()
    def rollup_equals_facts(self) -> None:
        assert self.w.sql(DRIFT_SQL) == 0

    @invariant()
    def balances_equal_statements_on_both_levels(self) -> None:
        start, end = self.w.ids["days"]
        period = {"date": "range", "fromDate": start.isoformat(), "toDate": end.isoformat()}
        # this world's accounts only: earlier tests of the session may have left theirs in the database
        owners = [self.w.ids["ventana"], *self.w.ids["vendedores"]]
        for account in (a for owner in owners for a in self.w.ok("GET", "/api/v1/accounts", params={"ownerId": owner})):
            dimension = "vendedor" if account["ownerType"] == "VENDEDOR" else "ventana"
            who = {"vendedorId" if dimension == "vendedor" else "ventanaId": account["ownerId"]}
            st_ = self.w.ok("GET", "/api/v1/accounts/statement", params={**period, "dimension": dimension, **who})
            assert st_["totals"]["remainingBalance"] == account["balance"], (account, st_["totals"])

    @invariant()
    def settled_mayorizations_never_change(self) -> None:
        if not self.settled:
            return
        start, end = self.w.ids["days"]
        r = self.w.ok("GET", "/api/v1/accounts/mayorizations/history", params={
            "period": "range", "fromDate": start.isoformat(), "toDate": end.isoformat(), "isSettled": "true", "pageSize": 100})
        now = {m["id"]: m for m in r["mayorizations"]}
        for maj_id, then in self.settled.items():
            assert {k: now[maj_id].get(k) for k in then} == then

    @invariant()
    def no_section_oversold(self) -> None:
        assert self.w.sql(OVERSOLD_SQL) == 0

    @invariant()
    def director_totals_equal_entries(self) -> None:
        totals = self.w.ok("GET", "/director/organizers/org_inv/ledger")["totals"]
        mxn = {t["currency"]: t["balanceCents"] for t in totals["byCurrency"]}.get("mxn", 0)
        assert mxn == self.w.sql(LEDGER_SQL)


def test_random_operations_keep_every_invariant(world: World) -> None:
    ThreeContexts.w = world
    run_state_machine_as_test(ThreeContexts, settings=settings(
        max_examples=8, stateful_step_count=12, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck)))
