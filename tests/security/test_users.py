"""Issue 12 item 5 (identity): unknown organizer or ventana → 404 with nothing written; long ids → 400."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from taquilla.core.db import SessionDep
from taquilla.core.errors import install_error_handlers
from tests.builders import Builders


async def test_unknown_organizer_is_404_and_writes_nothing(client: httpx.AsyncClient, admin_headers: dict[str, str], build: Builders) -> None:
    r = await client.post("/api/v1/users", headers=admin_headers,
                          json={"username": "olga", "password": "12345678", "role": "ORGANIZER", "organizerId": "org_nobody"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "ORGANIZER_NOT_FOUND"
    assert await build.scalar("SELECT count(*) FROM users WHERE username = 'olga'") == 0


async def test_unknown_ventana_is_404_and_writes_nothing(client: httpx.AsyncClient, admin_headers: dict[str, str], build: Builders) -> None:
    for role in ("VENTANA", "VENDEDOR"):
        r = await client.post("/api/v1/users", headers=admin_headers,
                              json={"username": f"v{role.lower()}", "password": "12345678", "role": role, "ventanaId": "ven_nowhere"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "VENTANA_NOT_FOUND"
    assert await build.scalar("SELECT count(*) FROM users WHERE username LIKE 'v%'") == 0


async def test_users_ventana_id_has_a_foreign_key(build: Builders) -> None:
    await build.user("root", role="ADMIN")
    with pytest.raises(IntegrityError, match="fk_users_ventana_id_ventanas"):
        await build.scalar("UPDATE users SET ventana_id = 'ven_ghost' WHERE username = 'root' RETURNING id")


@pytest.mark.parametrize("field", ["organizerId", "ventanaId"])
async def test_id_longer_than_64_characters_is_400(client: httpx.AsyncClient, admin_headers: dict[str, str], field: str) -> None:
    role = "ORGANIZER" if field == "organizerId" else "VENTANA"
    r = await client.post("/api/v1/users", headers=admin_headers,
                          json={"username": "longid", "password": "12345678", "role": role, field: "x" * 65})
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_long_path_id_is_400(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    r = await client.get(f"/director/organizers/{'o' * 65}/ledger", headers=admin_headers)
    assert r.status_code == 400


async def test_text_longer_than_its_column_is_400_everywhere(app: Any) -> None:
    """The global net behind the schemas: SQLSTATE 22001 (string_data_right_truncation) → 400, not 500."""
    mini = FastAPI()
    mini.state = app.state
    install_error_handlers(mini)

    @mini.post("/probe")
    async def probe(session: SessionDep) -> dict[str, str]:
        await session.execute(text("CREATE TEMP TABLE probe (v varchar(4)) ON COMMIT DROP"))
        await session.execute(text("INSERT INTO probe VALUES (:v)"), {"v": "x" * 65})
        return {"ok": "no"}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mini), base_url="http://test") as c:
        r = await c.post("/probe")
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALUE_TOO_LONG"
