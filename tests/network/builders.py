"""Sales network test data, built through the API (so the rollup is maintained as in production)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.builders import PASSWORD, Builders

CR = ZoneInfo("America/Costa_Rica")


def cr(y: int, m: int, d: int, hh: int = 12, mm: int = 0, ss: int = 0) -> datetime:
    """A Costa Rica wall-clock moment as an aware UTC datetime."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=CR).astimezone(UTC)


class Clock:
    """The network's clock (``app.state.network_clock``): ``clock.set(cr(...))``."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)

    def set(self, moment: datetime) -> None:
        self.now = moment

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Net:
    """Helpers bound to one test's client, builders and ADMIN headers."""

    client: httpx.AsyncClient
    build: Builders
    admin: dict[str, str]
    clock: Clock
    _seq: list[int] = field(default_factory=lambda: [0])

    def _next(self) -> int:
        self._seq[0] += 1
        return self._seq[0]

    async def post(self, path: str, body: Any, headers: dict[str, str] | None = None, expect: int | None = 201, **kw: Any) -> Any:
        r = await self.client.post(path, json=body, headers=self.admin if headers is None else headers, **kw)
        assert r.status_code < 500, r.text
        if expect is not None:
            assert r.status_code == expect, r.text
        return r.json()["data"] if r.status_code < 300 else r

    async def patch(self, path: str, body: Any = None, headers: dict[str, str] | None = None, expect: int | None = 200) -> Any:
        r = await self.client.patch(path, json=body, headers=self.admin if headers is None else headers)
        assert r.status_code < 500, r.text
        if expect is not None:
            assert r.status_code == expect, r.text
        return r.json()["data"] if r.status_code < 300 else r

    async def get(self, path: str, headers: dict[str, str] | None = None, expect: int = 200, **params: Any) -> Any:
        r = await self.client.get(path, headers=self.admin if headers is None else headers, params={k: v for k, v in params.items() if v is not None})
        assert r.status_code == expect, r.text
        return r.json()

    async def banca(self, percent: float | None = 5, **kw: Any) -> dict[str, Any]:
        n = self._next()
        policy = {"percent": percent} if percent is not None else None
        return await self.post("/api/v1/bancas", {"code": f"B{n}", "name": f"Banca {n}", "commissionPolicy": policy, **kw})

    async def ventana(self, banca_id: str, policy: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        n = self._next()
        return await self.post(
            "/api/v1/ventanas", {"bancaId": banca_id, "code": f"V{n}", "name": f"Ventana {n}", "commissionPolicy": policy, **kw}
        )

    async def vendedor(self, ventana_id: str, policy: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        n = self._next()
        body = {"username": f"vend{n}", "password": PASSWORD, "name": f"Vendedor {n}", "code": f"VEN-{n}",
                "ventanaId": ventana_id, "commissionPolicy": policy}
        data = await self.post("/api/v1/vendedores", body, headers=headers)
        data["username"] = f"vend{n}"
        return data

    async def listero(self, ventana_id: str) -> dict[str, str]:
        n = self._next()
        await self.build.user(f"listero{n}", role="VENTANA", ventana_id=ventana_id)
        return await self.build.login(self.client, f"listero{n}")

    async def login(self, username: str) -> dict[str, str]:
        return await self.build.login(self.client, username)

    async def login_as(self, username: str, password: str) -> dict[str, str]:
        r = await self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}

    async def loteria(self, multiplier: float = 90, reventado: bool = True, **kw: Any) -> dict[str, Any]:
        n = self._next()
        body = {"name": f"Lotería {n}", "baseMultiplierX": multiplier, "reventadoEnabled": reventado,
                "drawTimes": ["12:55", "16:30", "19:30"], **kw}
        return await self.post("/api/v1/loterias", body)

    async def sorteo(self, loteria_id: str, at: datetime, open_: bool = True) -> dict[str, Any]:
        s = await self.post("/api/v1/sorteos", {"loteriaId": loteria_id, "scheduledAt": at.isoformat()})
        if open_:
            s = await self.patch(f"/api/v1/sorteos/{s['id']}/open")
        return s

    async def sell(
        self, headers: dict[str, str], sorteo_id: str, jugadas: list[tuple[str, float] | tuple[str, float, str]],
        vendedor_id: str | None = None, expect: int | None = 201, **kw: Any,
    ) -> Any:
        lines = [{"number": j[0], "amount": j[1], "type": j[2] if len(j) > 2 else "NUMERO"} for j in jugadas]
        body: dict[str, Any] = {"sorteoId": sorteo_id, "jugadas": lines}
        if vendedor_id:
            body["vendedorId"] = vendedor_id
        return await self.post("/api/v1/tickets", body, headers=headers, expect=expect, **kw)

    async def evaluate(self, sorteo_id: str, number: str, extra: float | None = None, expect: int | None = 200) -> Any:
        body: dict[str, Any] = {"winningNumber": number}
        if extra is not None:
            body["extraMultiplierX"] = extra
        return await self.patch(f"/api/v1/sorteos/{sorteo_id}/evaluate", body, expect=expect)

    async def movement(self, expect: int | None = 201, headers: dict[str, str] | None = None, **body: Any) -> Any:
        body.setdefault("method", "cash")
        out = await self.post("/api/v1/accounts/payment", body, headers=headers, expect=expect)
        return out["payment"] if isinstance(out, dict) and "payment" in out else out  # {payment, statement}

    async def statement(self, headers: dict[str, str] | None = None, expect: int = 200, **params: Any) -> Any:
        return await self.get("/api/v1/accounts/statement", headers=headers, expect=expect, **params)

    async def count(self, table: str) -> int:
        return int(await self.build.scalar(f"SELECT count(*) FROM {table}"))

    async def reconcile(self) -> dict[str, Any]:
        from taquilla.network.ledger.reconcile import reconcile

        async with self.build.app.state.sessionmaker() as session:
            report = await reconcile(session)
            await session.rollback()
        return report
