"""``taquilla demo-data``: idempotent demo records for every context.

Each context contributes ``async def seed(session, settings) -> list[str]`` (lines to print).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.security import Role
from taquilla.core.settings import Settings
from taquilla.director.models import Organizer
from taquilla.boxoffice.models import Event
from taquilla.identity import repository as users
from taquilla.identity.service import create_user

DEMO_ADMIN = ("admin", "taquilla-admin")
DEMO_ORGANIZER = ("organizer", "taquilla-organizer")


async def seed_foundation(session: AsyncSession, settings: Settings) -> list[str]:
    """Admin user, organizer ``org_demo`` with its user, standard event ``ev_demo``, premium ``ev_premium``."""
    lines: list[str] = []
    if await session.get(Organizer, "org_demo") is None:
        session.add(Organizer(id="org_demo", name="Organizador Demo", email="demo@example.com"))
    if await session.get(Event, "ev_demo") is None:
        session.add(Event(id="ev_demo", title="Evento Demo", type="standard", status="on_sale"))
    if await session.get(Event, "ev_premium") is None:
        session.add(Event(id="ev_premium", title="Evento Premium Demo", type="premium", status="on_sale"))
    await session.flush()
    if await users.get_by_username(session, DEMO_ADMIN[0]) is None:
        await create_user(session, username=DEMO_ADMIN[0], password=DEMO_ADMIN[1], role=Role.ADMIN, full_name="Demo Admin")
    if await users.get_by_username(session, DEMO_ORGANIZER[0]) is None:
        await create_user(
            session,
            username=DEMO_ORGANIZER[0],
            password=DEMO_ORGANIZER[1],
            role=Role.ORGANIZER,
            full_name="Demo Organizer",
            organizer_id="org_demo",
        )
    lines.append(f"ADMIN      username={DEMO_ADMIN[0]} password={DEMO_ADMIN[1]}")
    lines.append(f"ORGANIZER  username={DEMO_ORGANIZER[0]} password={DEMO_ORGANIZER[1]} (org_demo)")
    lines.append("director: organizer org_demo, events ev_demo (standard), ev_premium (premium)")
    return lines


async def seed_all(session: AsyncSession, settings: Settings) -> list[str]:
    """Run every context's seed in one transaction (the caller commits)."""
    from taquilla.boxoffice import demo as boxoffice_demo
    from taquilla.network import demo as network_demo

    lines = await seed_foundation(session, settings)
    lines += await boxoffice_demo.seed(session, settings)
    lines += await network_demo.seed(session, settings)
    return lines
