"""Issue 14, Fuzzing: schemathesis against the service's own OpenAPI document, every operation, as each role.

A live server (a real uvicorn process on the test database) is fuzzed with a bounded number
of generated cases per operation (``FUZZ_EXAMPLES``, default 3; the longer run is
``FUZZ_EXAMPLES=50``). Every case is sent as ADMIN, ORGANIZER, VENTANA (listero) and VENDEDOR
and checked for: no 5xx, a response that conforms to the documented schema, and no stack
trace or secret in the body. At the end the server's log is scanned for the same leaks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from taquilla.core.settings import Settings
from tests.live import free_port, run_cli, server_env, wait_ready

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
PASSWORD = "fuzz-password-123"
LEAKS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "asyncpg.exceptions")


class Fuzzed:
    """The live server under fuzz: base URL, headers per role, its log file and the secrets it must never show."""

    def __init__(self, base: str, log: Path, secrets: list[str]) -> None:
        self.base, self.log, self.secrets = base, log, secrets
        self.roles: dict[str, dict[str, str]] = {}


def _login(http: httpx.Client, username: str) -> dict[str, str]:
    r = http.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}


def _seed_sales(http: httpx.Client, admin: dict[str, str], vendedor: dict[str, str]) -> None:
    """A lotería, an open sorteo tomorrow and a sold ticket, so that lists answer with real rows."""
    loteria = http.post("/api/v1/loterias", json={"name": "Fuzz Lotto", "baseMultiplierX": 90, "drawTimes": ["12:00"]},
                        headers=admin).json()["data"]
    at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    sorteo = http.post("/api/v1/sorteos", json={"loteriaId": loteria["id"], "scheduledAt": at}, headers=admin).json()["data"]
    assert http.patch(f"/api/v1/sorteos/{sorteo['id']}/open", headers=admin).status_code == 200
    r = http.post("/api/v1/tickets", json={"sorteoId": sorteo["id"], "jugadas": [{"number": "07", "amount": 100, "type": "NUMERO"}]},
                  headers=vendedor)
    assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def fuzzed(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    env = server_env(settings)
    log = tmp_path_factory.mktemp("fuzz") / "server.log"
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "taquilla.main:create_app", "--factory", "--host",
                                 "127.0.0.1", "--port", str(port), "--log-level", "info"], env={**env, "LOG_LEVEL": "INFO"},
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        fz = Fuzzed(f"http://127.0.0.1:{port}", log, [settings.jwt_secret])
        pg_password = Path(settings.data_dir, "pg_password")
        if pg_password.exists():
            fz.secrets.append(pg_password.read_text().strip())
        run_cli(env, "users", "create", "fuzz_admin", "--role", "ADMIN", "--password", PASSWORD)
        wait_ready(fz.base)
        with httpx.Client(base_url=fz.base, timeout=30) as http:
            admin = _login(http, "fuzz_admin")
            banca = http.post("/api/v1/bancas", json={"code": "FZ", "name": "Fuzz"}, headers=admin).json()["data"]
            ventana = http.post("/api/v1/ventanas", json={"bancaId": banca["id"], "code": "FZ-1", "name": "Fuzz 1"},
                                headers=admin).json()["data"]
            r = http.post("/api/v1/vendedores", headers=admin, json={
                "username": "fuzz_vendedor", "password": PASSWORD, "name": "Fuzz V", "code": "FZ-V", "ventanaId": ventana["id"]})
            assert r.status_code == 201, r.text
            r = http.post("/director/organizers", json={"id": "org_fuzz", "name": "Fuzz Org"}, headers=admin)
            assert r.status_code == 201, r.text
        run_cli(env, "users", "create", "fuzz_listero", "--role", "VENTANA", "--ventana-id", ventana["id"], "--password", PASSWORD)
        run_cli(env, "users", "create", "fuzz_org", "--role", "ORGANIZER", "--organizer-id", "org_fuzz", "--password", PASSWORD)
        with httpx.Client(base_url=fz.base, timeout=30) as http:
            fz.roles = {"ADMIN": admin, "ORGANIZER": _login(http, "fuzz_org"), "VENTANA": _login(http, "fuzz_listero"),
                        "VENDEDOR": _login(http, "fuzz_vendedor")}
            _seed_sales(http, admin, fz.roles["VENDEDOR"])
        yield fz
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_no_server_error_and_documented_answers(fuzzed: Fuzzed) -> None:
    """Every operation of the OpenAPI document, ``EXAMPLES`` generated cases each, sent as every role."""
    schema = schemathesis.openapi.from_url(fuzzed.base + "/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, phases=[Phase.explicit, Phase.generate], deadline=None,
                  suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def fuzz(case: Any) -> None:
            for role, headers in fuzzed.roles.items():
                response = case.call_and_validate(base_url=fuzzed.base, headers=headers,
                                                  checks=[not_a_server_error, response_schema_conformance])
                leaked = [s for s in (*LEAKS, *fuzzed.secrets) if s and s in response.text]
                assert not leaked, f"as {role} the body shows {leaked}"

        try:
            fuzz()
        except Exception as exc:  # noqa: BLE001 - every operation is fuzzed; all failures are reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:2000]}")
    assert operations > 100
    assert failures == []


def test_server_log_shows_no_secret(fuzzed: Fuzzed) -> None:
    """Runs after the fuzzing (same module): the server's whole log carries no secret and no stack trace."""
    text = fuzzed.log.read_text(errors="replace")
    assert '"requestId"' in text or "Uvicorn running" in text  # the log was written
    leaked = [s for s in (*LEAKS, *fuzzed.secrets) if s and s in text]
    assert not leaked
