"""Inventory of the box office: per-(event, location section) counters and the sold-out rule.

DOMAIN.md "Box office": availability of a section in an event = capacity − places sold (not
cancelled) *for that event*; an event is ``sold_out`` exactly when nothing is left and goes
back on sale when a place is freed. Every write path that changes what an event can sell
calls this module, and nothing else writes ``event_inventory_slots`` or the
``on_sale``/``sold_out`` status.

A counter is ``SLOTS`` rows per (event, section), slot ``k`` holding at most :func:`share` of the
capacity, so the sum (the view ``event_inventory``) never exceeds it and buyers of one section
take different rows instead of queueing on one:

* a sale → :func:`reserve` (one free slot with room, ``SKIP LOCKED``; else every slot locked and the
  exact total checked; a slot that fills → :func:`sync_sellout`);
* a cancellation → :func:`release` (counters down, then :func:`sync_sellout`);
* capacity edits (section layout, zone items added/removed, event created/moved/re-opened, the
  back office) → :func:`sync_sellout`;
* deleting an event without tickets → :func:`drop_event`.

Lock order, the same on every path: counter rows in location-section-id order (within a section
either one slot taken without waiting — a miss keeps no lock — or every slot in slot order), then the event row (``FOR NO KEY UPDATE``, so the ``FOR KEY SHARE`` locks of concurrent ticket inserts
never wait on it). A sale holding a counter row and a cancellation of the same event can
therefore never deadlock, and a sell-out decision always sees a concurrent release.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from taquilla.boxoffice.models import Event, EventInventorySlot
from taquilla.core.db import DriverTransaction, driver_connection
from taquilla.core.errors import Conflict


class CountedSection(Protocol):
    """What :func:`reserve` reads of a location section."""

    id: str
    name: str
    capacity: int


SLOTS = 32
"""Counter rows per (event, section); the migration ``20261123_boxoffice_slots`` has the same number.

Changing it needs a migration that redistributes the slots' ``sold`` over the new shares."""


def share(capacity: int, slot: int) -> int:
    """Places slot ``slot`` may hold of a section of ``capacity``: ``capacity // SLOTS`` (+1 for the first ``capacity % SLOTS``).

    The shares of slots ``0…SLOTS-1`` add up to ``capacity`` exactly.
    """
    return capacity // SLOTS + (1 if slot < capacity % SLOTS else 0)


def slot_count(capacity: int) -> int:
    """Rows a counter needs: ``SLOTS``, or one per place for a smaller section (at least one)."""
    return max(1, min(SLOTS, capacity))


# Sale hot path, hand-written on the request's asyncpg connection like the rest of the sale
# (sales/repository.py). History: moving the path off SQLAlchemy statements took the benchmark
# from ≈108 to ≈223–234 tickets/s (c423a65). Then (issue 13) the one counter row per section was
# the bound: every buyer of a general-admission section queued on it, 413 tickets/s at 8 buyers
# fell to 354/s at 32 with p99 39 → 398 ms. Split into SLOTS rows taken with SKIP LOCKED, see the
# before/after table in bench/README.md ("Box office").
TAKE_SLOT_SQL = f"SELECT taken_slot, taken_sold FROM take_inventory_slot($1, $2, $3, $4, $5, {SLOTS})"
"""Fast path, one round trip: add $3 places of (event $1, section $2, capacity $4) to one slot that has room for
all of them and that no other transaction holds, trying slots from $5 on; ``(NULL, NULL)`` → :func:`_take_locked`.

The function (migration ``20261124_take_inventory_slot``) runs ``FOR UPDATE SKIP LOCKED`` in a
subtransaction rolled back on a miss: a row another buyer filled after the snapshot stays locked
when its re-check fails, and a miss that kept such a lock would enter the slow path holding a slot
out of order — two of those deadlock (a CI failure of ``test_64_buyers_two_processes_never_oversell``)."""

ENSURE_SLOTS_SQL = """
INSERT INTO event_inventory_slots (event_id, location_section_id, slot, sold)
SELECT $1, $2, g, 0 FROM generate_series(0, $3::int - 1) AS g
ON CONFLICT (event_id, location_section_id, slot) DO NOTHING
"""
"""Create the $3 slot rows of (event $1, section $2) that do not exist yet (the first sale, or a grown section)."""

LOCK_SLOTS_SQL = """
SELECT slot, sold FROM event_inventory_slots WHERE event_id = $1 AND location_section_id = $2 ORDER BY slot FOR UPDATE
"""
"""Every slot of (event $1, section $2), locked in slot order (waits for the holders): the exact total."""

ADD_TO_SLOTS_SQL = """
UPDATE event_inventory_slots c SET sold = c.sold + u.n
  FROM unnest($3::smallint[], $4::int[]) AS u(slot, n)
 WHERE c.event_id = $1 AND c.location_section_id = $2 AND c.slot = u.slot
"""
"""Add $4[i] places (negative: give back) to slot $3[i] of (event $1, section $2); the caller holds the rows."""

ADD_UNGUARDED_SQL = """
INSERT INTO event_inventory_slots (event_id, location_section_id, slot, sold) VALUES ($1, $2, 0, $3)
ON CONFLICT (event_id, location_section_id, slot) DO UPDATE SET sold = event_inventory_slots.sold + EXCLUDED.sold
"""
"""DEBUG ONLY (guard off): add $3 places of (event $1, section $2) to slot 0, no check."""

SOLD_BY_SECTION_SQL = """
SELECT location_section_id, SUM(sold) FROM event_inventory_slots WHERE event_id = $1 GROUP BY location_section_id
"""

LOCK_EVENT_SQL = "SELECT status FROM events WHERE id = $1 FOR NO KEY UPDATE"
"""The event's status under its row lock (``FOR NO KEY UPDATE``: ticket inserts' ``FOR KEY SHARE`` never wait on it)."""

SET_SELLOUT_SQL = """
WITH r AS (
    SELECT COUNT(*) > 0 AND COALESCE(SUM(GREATEST(ls.capacity - COALESCE(inv.sold, 0), 0)), 0) <= 0 AS full
      FROM (SELECT DISTINCT psi.location_section_id
              FROM presentation_section_items psi
              JOIN presentation_sections ps ON ps.id = psi.presentation_section_id
              JOIN events e ON e.presentation_id = ps.presentation_id
             WHERE e.id = $1) s
      JOIN location_sections ls ON ls.id = s.location_section_id
      LEFT JOIN (SELECT location_section_id, SUM(sold) AS sold FROM event_inventory_slots
                  WHERE event_id = $1 GROUP BY location_section_id) inv ON inv.location_section_id = s.location_section_id
)
UPDATE events e SET status = CASE WHEN r.full THEN 'sold_out' ELSE 'on_sale' END, updated_at = now()
  FROM r
 WHERE e.id = $1 AND e.status = $2 AND e.status <> CASE WHEN r.full THEN 'sold_out' ELSE 'on_sale' END
RETURNING e.status, e.updated_at
"""
"""Event $1, locked with status $2 (``on_sale``/``sold_out``): ``sold_out`` ⇔ it sells some section and no place
is left, else ``on_sale``; a row (new status, ``updated_at``) only when the status changed. A statement of its own
after :data:`LOCK_EVENT_SQL`, so its snapshot is taken after the lock wait and sees the other buyers' commits."""


def _sold_out(section: CountedSection, n: int) -> Conflict:
    return Conflict(
        f"Not enough places left in {section.name!r} for {n}.",
        code="SOLD_OUT",
        details={"locationSectionId": section.id, "requested": n},
    )


async def _take_locked(conn: Any, event_id: str, section: CountedSection, n: int) -> bool:
    """Slow path: lock every slot of the section (slot order), then take ``n`` places where there is room.

    Taken when no free slot had room for all ``n`` (the first sale of the section, every slot busy,
    or a section nearly sold out). One slot with room is preferred, else the places are spread
    over several. Returns whether a slot filled; raises ``SOLD_OUT`` only when the locked total
    has fewer than ``n`` places left.
    """
    await conn.execute(ENSURE_SLOTS_SQL, event_id, section.id, slot_count(section.capacity))
    rows = await conn.fetch(LOCK_SLOTS_SQL, event_id, section.id)
    room = {int(slot): max(share(section.capacity, slot) - sold, 0) for slot, sold in rows}
    if sum(room.values()) < n:
        raise _sold_out(section, n)
    order = sorted(room, key=lambda k: (room[k] < n, -room[k], k))  # a slot that holds all n first, then the roomiest
    taken: dict[int, int] = {}
    left = n
    for slot in order:
        if left == 0:
            break
        k = min(room[slot], left)
        if k:
            taken[slot] = k
            left -= k
    await conn.execute(ADD_TO_SLOTS_SQL, event_id, section.id, list(taken), list(taken.values()))
    return any(room[slot] == k for slot, k in taken.items())


async def reserve(
    session: AsyncSession | DriverTransaction,
    event_id: str,
    wanted: Mapping[str, int],
    sections: Mapping[str, CountedSection],
    *,
    guarded: bool = True,
) -> None:
    """Count ``wanted`` places (``{location_section_id: n}``) as sold for the event; each ``n ≤ capacity``.

    Per section (in id order, one lock order for all buyers): one statement adds the places to a
    slot with room that no other buyer holds (``SKIP LOCKED``); when there is none, every slot is
    locked and the places are taken where there is room (:func:`_take_locked`). The slot rows
    taken stay locked until commit; call it last in the sale's transaction. A slot that fills runs
    :func:`sync_sellout` (under the event's row lock, so the last of two buyers filling the last two
    slots sees the other's commit). Raises Conflict ``SOLD_OUT`` (``details``: ``locationSectionId``,
    ``requested``) when a section has fewer than ``n`` places left in total — the caller's
    transaction must roll back. ``guarded=False`` (debug switch only) adds to slot 0 without any check.
    Driver SQL only, so the sale runs on a :class:`~taquilla.core.db.DriverTransaction`.
    """
    conn = await driver_connection(session)
    filled = False
    for sid in sorted(wanted):
        section, n = sections[sid], wanted[sid]
        if guarded:
            row = await conn.fetchrow(TAKE_SLOT_SQL, event_id, sid, n, section.capacity, random.randrange(SLOTS))
            if row[0] is not None:
                filled = filled or row[1] >= share(section.capacity, row[0])
            else:
                filled = await _take_locked(conn, event_id, section, n) or filled
        else:
            await conn.execute(ADD_UNGUARDED_SQL, event_id, sid, n)
            filled = filled or (await sold_by_section(session, event_id)).get(sid, 0) >= section.capacity
    if filled:
        await sync_sellout(session, event_id)


async def release(session: AsyncSession | DriverTransaction, event_id: str, freed: Mapping[str, int]) -> None:
    """Give back ``freed`` places (``{location_section_id: n}``) of the event, then re-apply the sold-out rule.

    Per section (in id order) every slot is locked in slot order, as the slow path of
    :func:`reserve` does, and the places come off the fullest slots; then the event lock is taken
    (the lock order of :func:`reserve`), so a sold-out event goes back on sale.
    """
    conn = await driver_connection(session)
    for sid in sorted(freed):
        rows = await conn.fetch(LOCK_SLOTS_SQL, event_id, sid)
        left = freed[sid]
        given: dict[int, int] = {}
        for slot, sold in sorted(rows, key=lambda r: -r[1]):
            if left <= 0:
                break
            k = min(int(sold), left)
            if k > 0:
                given[int(slot)] = -k
                left -= k
        if given:
            await conn.execute(ADD_TO_SLOTS_SQL, event_id, sid, list(given), list(given.values()))
    await sync_sellout(session, event_id)


async def sync_sellout(session: AsyncSession | DriverTransaction, event_id: str) -> None:
    """Set ``sold_out`` ⇔ the event sells some section and no place is left; ``on_sale`` otherwise.

    Only moves between ``on_sale`` and ``sold_out`` (a draft or cancelled event keeps its status).
    Takes the event's row lock first, so concurrent sell-out decisions see each other's commits.
    Driver SQL (:data:`LOCK_EVENT_SQL`, :data:`SET_SELLOUT_SQL`). With an ORM session it flushes first
    (a capacity edit not yet written counts) and sets the new status on the session's loaded
    :class:`Event`, if any, as its database state — so the back office's identity map never goes stale.
    """
    orm = isinstance(session, AsyncSession)
    if orm:
        await session.flush()
    conn = await driver_connection(session)
    status = await conn.fetchval(LOCK_EVENT_SQL, event_id)
    if status not in ("on_sale", "sold_out"):
        return
    changed = await conn.fetchrow(SET_SELLOUT_SQL, event_id, status)
    if orm and changed is not None:
        loaded = session.sync_session.identity_map.get(identity_key(Event, event_id))
        if loaded is not None:
            set_committed_value(loaded, "status", changed[0])
            set_committed_value(loaded, "updated_at", changed[1])


async def sold_by_section(session: AsyncSession | DriverTransaction, event_id: str) -> dict[str, int]:
    """``{location_section_id: places sold}`` of the event, the sum of its slots (sections never sold are absent)."""
    rows = await (await driver_connection(session)).fetch(SOLD_BY_SECTION_SQL, event_id)
    return {sid: int(sold) for sid, sold in rows}


async def drop_event(session: AsyncSession, event_id: str) -> None:
    """Delete the counters of an event that has no tickets (before deleting the event)."""
    await session.execute(delete(EventInventorySlot).where(EventInventorySlot.event_id == event_id))
