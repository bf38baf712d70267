"""Builders for test data: each writes committed rows through the app's sessionmaker."""

from __future__ import annotations

from typing import Any

import httpx

from taquilla.boxoffice.models import Event
from taquilla.core.security import Role
from taquilla.director.models import Organizer
from taquilla.identity.service import create_user

PASSWORD = "correct-horse-battery"


class Builders:
    """``await build.user(...)``, ``build.organizer(...)``, ``build.event(...)``, ``build.login(...)``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def add(self, *rows: Any) -> None:
        """Insert ``rows`` in one committed transaction."""
        async with self.app.state.sessionmaker() as session:
            session.add_all(rows)
            await session.commit()

    async def user(self, username: str, role: str = "ADMIN", **kw: Any) -> Any:
        async with self.app.state.sessionmaker() as session:
            user = await create_user(session, username=username, password=PASSWORD, role=Role(role), **kw)
            await session.commit()
            return user

    async def organizer(self, organizer_id: str = "org_demo", name: str = "Org Demo") -> Organizer:
        org = Organizer(id=organizer_id, name=name)
        await self.add(org)
        return org

    async def event(self, event_id: str = "ev_demo", type: str = "standard", status: str = "on_sale") -> Event:  # noqa: A002
        ev = Event(id=event_id, title=f"Event {event_id}", type=type, status=status)
        await self.add(ev)
        return ev

    async def login(self, client: httpx.AsyncClient, username: str) -> dict[str, str]:
        """Bearer headers for ``username`` (password :data:`PASSWORD`)."""
        r = await client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}

    async def scalar(self, sql: str, **params: Any) -> Any:
        """One value from ``sql`` (for asserting on table contents)."""
        from sqlalchemy import text

        async with self.app.state.sessionmaker() as session:
            return await session.scalar(text(sql), params)
