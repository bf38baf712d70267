"""Issue 14, Crash safety: acknowledged writes survive a SIGKILL, retried ones are written once.

One ``taquilla serve --demo`` on its own data directory (its own embedded PostgreSQL and
Valkey, so that the database server itself can be killed). Each round runs writers of every
context in parallel — box-office sales, lottery sales, banca↔ventana movements, mayorization
settlements, director payments, each request with its own ``Idempotency-Key`` — and kills, mid-run:

1. the API process (SIGKILL), then starts ``serve`` again;
2. the PostgreSQL postmaster (SIGKILL), then restarts ``serve`` (PostgreSQL recovers).

After each round: every request answered 2xx is in the database; every unanswered one,
retried with its key, ends 2xx (or the same refusal) and the tables grew by exactly one row
per key that ended 2xx — nothing twice; ``taquilla network reconcile`` finds no drift; the
director's ledger totals equal the sum of its entries.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from taquilla.core.infra import with_database
from taquilla.core.periods import CR_TZ
from tests.live import free_port
from tests.test_cli import TAQUILLA, _env, _wait_ready

COUNTS = {
    "boxoffice": "SELECT count(*) FROM tickets",
    "lottery": "SELECT count(*) FROM network_tickets",
    "movement": "SELECT count(*) FROM network_movements WHERE kind = 'MOVEMENT'",
    "settlement": "SELECT count(*) FROM network_movements WHERE kind = 'ADJUSTMENT'",
    "director": "SELECT count(*) FROM director_ledger_entries WHERE entry_type = 'payment'",
}
TABLES = {"boxoffice": "tickets", "lottery": "network_tickets", "movement": "network_movements",
          "settlement": "network_movements", "director": "director_ledger_entries"}


class Service:
    """``taquilla serve --demo`` on ``data_dir`` (embedded servers), restartable."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir, self.port = data_dir, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = _env(TAQUILLA_DATA_DIR=str(self.data_dir))
        self.proc = subprocess.Popen([TAQUILLA, "serve", "--demo", "--port", str(self.port)], env=env)
        _wait_ready(self.base, self.proc, timeout=240)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def postgres(self) -> dict[str, Any]:
        """``{"url", "pid"}`` of the embedded PostgreSQL that ``serve`` published (url of the app's database)."""
        entry = json.loads((self.data_dir / "embedded.json").read_text())["postgres"]
        return {**entry, "url": with_database(entry["url"], "taquilla")}

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([TAQUILLA, *args], env=_env(TAQUILLA_DATA_DIR=str(self.data_dir)),
                              capture_output=True, text=True, timeout=300, check=False)


class Writers:
    """Parallel writers of the four contexts; every request and its outcome is kept by key."""

    def __init__(self, base: str, admin: dict[str, str], vendedor: dict[str, str], sorteo_id: str, event_id: str,
                 accounts: list[str], first_day: int) -> None:
        self.base, self.admin, self.vendedor, self.sorteo_id, self.event_id = base, admin, vendedor, sorteo_id, event_id
        self.accounts, self.first_day, self.periods = accounts, first_day, iter(range(10**6))
        self.requests: dict[str, tuple[str, str, dict[str, Any], dict[str, str]]] = {}
        self.answers: dict[str, tuple[int, Any]] = {}  # key → (status, data) for the answered ones

    async def settle_request(self, http: httpx.AsyncClient, key: str) -> tuple[str, dict[str, Any], dict[str, str]] | None:
        """Calculate the mayorization of a vendedor for one past day (a different account-day each
        time), then the settle request of its debt (None when it is BALANCE)."""
        n = next(self.periods)
        day = datetime.now(CR_TZ).date() - timedelta(days=self.first_day + n // len(self.accounts))
        r = await http.post(f"{self.base}/api/v1/accounts/{self.accounts[n % len(self.accounts)]}/mayorizations/calculate",
                            params={"fromDate": day.isoformat(), "toDate": day.isoformat()}, headers=self.admin)
        if r.status_code != 201 or r.json()["data"]["debtStatus"] == "BALANCE":
            return None  # refused (e.g. no database at that moment) or nothing to settle
        record = r.json()["data"]
        return "/api/v1/accounts/mayorizations/settle", {
            "mayorizationId": record["id"], "amount": record["debtAmount"], "reference": key, "requestId": key,
            "settlementType": "PAYMENT" if record["debtStatus"] == "CXC" else "COLLECTION",
            "date": datetime.now(CR_TZ).date().isoformat()}, self.admin

    def request(self, kind: str, key: str, n: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        today = datetime.now(CR_TZ).date().isoformat()
        if kind == "boxoffice":
            line = {"presentationSectionId": "zone_general", "presentationSectionItemId": "item_general_galeria"}
            return "/api/v1/boxoffice/tickets", {"eventId": self.event_id, "customerDocument": "1-1111-1111",
                                                 "customerName": "Crash Test", "ticketDetails": [line]}, {}
        if kind == "lottery":
            return "/api/v1/tickets", {"sorteoId": self.sorteo_id, "jugadas": [
                {"number": f"{n % 90 + 10:02d}", "amount": 100, "type": "NUMERO"}]}, self.vendedor
        if kind == "movement":
            return "/api/v1/accounts/payment", {"date": today, "ventanaId": "ven_demo_2", "amount": 10,
                                                "type": "payment", "method": "cash"}, self.admin
        return "/director/payments", {"organizerId": "org_demo", "amount": 10, "currency": "mxn"}, self.admin

    async def send(self, http: httpx.AsyncClient, key: str) -> tuple[int, Any]:
        kind, path, body, headers = self.requests[key]
        r = await http.post(self.base + path, json=body, headers={**headers, "Idempotency-Key": key})
        data = r.json().get("data") if r.headers.get("content-type", "").startswith("application/json") else None
        return r.status_code, data

    async def run(self, round_: str, stop: asyncio.Event) -> None:
        async def writer(kind: str, w: int) -> None:
            async with httpx.AsyncClient(timeout=10) as http:
                n = 0
                while not stop.is_set():
                    key = f"crash-{round_}-{kind}-{w}-{n}"
                    n += 1
                    try:
                        if kind == "settlement":
                            prepared = await self.settle_request(http, key)
                            if prepared is None:
                                continue
                        else:
                            prepared = self.request(kind, key, n)
                    except httpx.HTTPError:
                        await asyncio.sleep(0.05)
                        continue
                    self.requests[key] = (kind, *prepared)
                    try:
                        self.answers[key] = await self.send(http, key)
                    except httpx.HTTPError:
                        await asyncio.sleep(0.05)  # no answer: in doubt, retried after the restart

        await asyncio.gather(*(writer(kind, w) for kind in COUNTS for w in range(3)))


def _id(kind: str, data: Any) -> str:
    """The id of the row a 2xx answer wrote (a movement answers {payment, statement}; a director payment
    {entry, …}; a settlement {mayorization, ledgerEntry, newBalance})."""
    return {"movement": lambda: data["payment"]["id"], "director": lambda: data["entry"]["id"],
            "settlement": lambda: data["ledgerEntry"]["id"]}.get(kind, lambda: data["id"])()


async def _check_round(service: Service, writers: Writers, before: dict[str, int]) -> None:
    acked = {k: v for k, v in writers.answers.items() if 200 <= v[0] < 300}
    sample = {writers.requests[k][0]: v for k, v in writers.answers.items()}
    assert {writers.requests[k][0] for k in acked} == set(COUNTS), f"a writer never got going before the kill: {sample}"
    conn = await asyncpg.connect(service.postgres()["url"])
    try:
        for key, (_, data) in acked.items():  # every acknowledged write is there
            kind = writers.requests[key][0]
            assert await conn.fetchval(f"SELECT count(*) FROM {TABLES[kind]} WHERE id = $1", _id(kind, data)) == 1, key
        final = dict(acked)
        async with httpx.AsyncClient(timeout=30) as http:
            for key in writers.requests:
                if key not in acked:  # unanswered or refused by the outage: retry with the same key
                    status, data = await writers.send(http, key)
                    assert status < 500, (key, status, data)
                    if 200 <= status < 300:
                        final[key] = (status, data)
                        again = await writers.send(http, key)
                        assert again[0] == status and _id(writers.requests[key][0], again[1]) == _id(writers.requests[key][0], data)
        for kind, sql in COUNTS.items():
            written = sum(1 for k in final if writers.requests[k][0] == kind)
            assert await conn.fetchval(sql) - before[kind] == written, kind  # one row per key, none twice
        ledger = await conn.fetchval(
            "SELECT COALESCE(SUM(CASE WHEN entry_type = 'payment' THEN -amount_cents ELSE amount_cents END), 0) "
            "FROM director_ledger_entries WHERE organizer_id = 'org_demo' AND currency = 'mxn'")
    finally:
        await conn.close()
    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.get(service.base + "/director/organizers/org_demo/ledger", headers=writers.admin)
    by_currency = {t["currency"]: t for t in r.json()["data"]["totals"]["byCurrency"]}
    assert by_currency["mxn"]["balanceCents"] == ledger  # the director's totals = the sum of its entries
    reconcile = service.command("network", "reconcile")
    assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr


async def _counts(service: Service) -> dict[str, int]:
    conn = await asyncpg.connect(service.postgres()["url"])
    try:
        return {kind: int(await conn.fetchval(sql)) for kind, sql in COUNTS.items()}
    finally:
        await conn.close()


async def _login(base: str, username: str, password: str) -> dict[str, str]:
    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.post(base + "/api/v1/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}


async def _open_sorteo(base: str, admin: dict[str, str], hour: int) -> str:
    """A sorteo of the demo's first lotería tomorrow at ``hour`` (CR), opened for sale."""
    at = datetime.combine(datetime.now(CR_TZ).date() + timedelta(days=1), datetime.min.time(), tzinfo=CR_TZ) + timedelta(hours=hour)
    async with httpx.AsyncClient(timeout=30) as http:
        loteria = (await http.get(base + "/api/v1/loterias", headers=admin)).json()["data"][0]["id"]
        r = await http.post(base + "/api/v1/sorteos", json={"loteriaId": loteria, "scheduledAt": at.astimezone(UTC).isoformat()}, headers=admin)
        assert r.status_code == 201, r.text
        sorteo = r.json()["data"]["id"]
        assert (await http.patch(f"{base}/api/v1/sorteos/{sorteo}/open", headers=admin)).status_code == 200
    return sorteo


async def _round(service: Service, round_: str, event_id: str, hour: int, first_day: int, kill: Any) -> None:
    admin = await _login(service.base, "admin", "taquilla-admin")
    vendedor = await _login(service.base, "vendedor4", "taquilla-vendedor")
    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.get(service.base + "/api/v1/accounts", params={"ownerType": "VENDEDOR", "pageSize": 100}, headers=admin)
    accounts = [a["id"] for a in r.json()["data"]]
    writers = Writers(service.base, admin, vendedor, await _open_sorteo(service.base, admin, hour), event_id, accounts, first_day)
    before = await _counts(service)
    stop = asyncio.Event()
    running = asyncio.create_task(writers.run(round_, stop))
    while len({writers.requests[k][0] for k, v in writers.answers.items() if v[0] < 300}) < len(COUNTS):
        await asyncio.sleep(0.5)  # every context has written at least once
    await asyncio.sleep(2)
    await asyncio.to_thread(kill)
    await asyncio.sleep(1)
    stop.set()
    await running
    await asyncio.to_thread(service.start)
    await _check_round(service, writers, before)


async def test_acknowledged_writes_survive_sigkill_of_api_and_of_postgres(tmp_path_factory: pytest.TempPathFactory) -> None:
    service = Service(tmp_path_factory.mktemp("crash"))
    await asyncio.to_thread(service.start)
    try:
        await _round(service, "api", "evt_traviata_1", 10, 1, lambda: service.stop(signal.SIGKILL))

        def kill_postgres() -> None:
            os.kill(service.postgres()["pid"], signal.SIGKILL)  # the postmaster: PostgreSQL crashes
            time.sleep(1)
            service.stop()  # the API notices no database; a restart brings PostgreSQL back through recovery

        await _round(service, "postgres", "evt_traviata_2", 11, 15, kill_postgres)
    finally:
        if service.proc is not None and service.proc.poll() is None:
            service.stop()
