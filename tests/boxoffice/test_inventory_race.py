"""Parallel counter takes until a section sells out: no deadlock, the counter exact (DOMAIN.md "No oversell, ever").

Near a sell-out the fast path misses and ``FOR UPDATE SKIP LOCKED`` can keep the lock of a slot
another buyer filled after the statement's snapshot; the slow path then locks every slot in
order. Before ``take_inventory_slot`` a miss kept that lock and two slow paths deadlocked (CI:
a 500 in ``test_64_buyers_two_processes_never_oversell``; ``bench/bench_slot_take.py``: 22
deadlocks in 12 such sell-outs). Each round here is one such sell-out through
``inventory.reserve`` on parallel transactions of the app's own pool; with the old inline statement
put back, this test failed 3 of 4 runs here (``DeadlockDetectedError``), with the function 0 of 3.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from taquilla.boxoffice import inventory
from taquilla.boxoffice.models import Event, LocationSection
from taquilla.core.errors import Conflict
from tests.boxoffice.builders import build_venue
from tests.builders import Builders

pytestmark = pytest.mark.asyncio

CAPACITY = 64  # 2 places a slot: slots fill, misses and the slow path are the common case
BUYERS = 24  # within the app's pool (10 + 20 overflow)
ROUNDS = 10


@dataclass
class Section:
    id: str
    name: str
    capacity: int


async def sell_out(build: Builders, key: str) -> tuple[int, int]:
    """Buyers of 2 places (then 1 once refused) and of 1 place race until SOLD_OUT; (places sold, refusals)."""
    v = await build_venue(build, key=key, seats=(1, 1), general_capacity=CAPACITY)
    section = Section(v.general_id, "General", CAPACITY)
    sold, refused = 0, 0

    async def buyer(w: int) -> None:
        nonlocal sold, refused
        n = 2 if w % 2 else 1
        while True:
            async with build.app.state.sessionmaker() as session:
                try:
                    await inventory.reserve(session, v.event_id, {section.id: n}, {section.id: section})
                    await session.commit()
                    sold += n
                except Conflict:
                    await session.rollback()
                    refused += 1
                    if n == 1:
                        return
                    n = 1

    await asyncio.gather(*(buyer(w) for w in range(BUYERS)))  # a DeadlockDetectedError would propagate here
    counter = int(await build.scalar("SELECT sum(sold) FROM event_inventory_slots WHERE event_id = :e AND location_section_id = :s",
                                     e=v.event_id, s=section.id))
    assert counter == sold == CAPACITY
    over = await build.scalar(
        "SELECT count(*) FROM event_inventory_slots WHERE event_id = :e AND location_section_id = :s "
        "AND sold > :c / 32 + (slot < :c % 32)::int", e=v.event_id, s=section.id, c=CAPACITY
    )
    assert over == 0  # no slot above its share
    assert await build.scalar("SELECT status FROM events WHERE id = :e", e=v.event_id) == "on_sale"  # its one seat is left
    return sold, refused


async def test_parallel_sell_outs_never_deadlock_and_stay_exact(build: Builders) -> None:
    for r in range(ROUNDS):
        sold, refused = await sell_out(build, f"race{r}")
        assert (sold, refused) == (CAPACITY, BUYERS + BUYERS // 2)  # every buyer refused once per order size it held


async def test_sync_sellout_keeps_an_orm_sessions_event_current(build: Builders) -> None:
    """The sold-out rule is driver SQL (the sale runs without an ORM session); a back-office session that has the
    event loaded sees the new status without a refresh, and a capacity edit it has not flushed yet counts."""
    v = await build_venue(build, key="orm", seats=(1, 1), general_capacity=4)
    sections = {v.numbered_id: Section(v.numbered_id, "Platea", 1), v.general_id: Section(v.general_id, "General", 4)}
    async with build.app.state.sessionmaker() as session:
        event = await session.get(Event, v.event_id)
        assert event is not None and event.status == "on_sale"
        await inventory.reserve(session, v.event_id, {v.numbered_id: 1, v.general_id: 4}, sections)
        assert event.status == "sold_out"  # set on the loaded object, no refresh
        section = await session.get(LocationSection, v.general_id)
        assert section is not None
        section.capacity = 5  # not flushed: sync_sellout flushes before it counts
        await inventory.sync_sellout(session, v.event_id)
        assert event.status == "on_sale" and event in session and not session.dirty
        await session.commit()
    assert await build.scalar("SELECT status FROM events WHERE id = :e", e=v.event_id) == "on_sale"
    assert await build.scalar("SELECT capacity FROM location_sections WHERE id = :s", s=v.general_id) == 5
