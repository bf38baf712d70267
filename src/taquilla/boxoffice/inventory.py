"""Inventory of the box office: per-(event, location section) counters and the sold-out rule.

DOMAIN.md "Box office": availability of a section in an event = capacity − places sold (not
cancelled) *for that event*; an event is ``sold_out`` exactly when nothing is left and goes
back on sale when a place is freed. Every write path that changes what an event can sell
calls this module, and nothing else writes ``event_inventory`` or the
``on_sale``/``sold_out`` status:

* a sale → :func:`reserve` (guarded upsert per section; a section that fills → :func:`sync_sellout`);
* a cancellation → :func:`release` (counters down, then :func:`sync_sellout`);
* capacity edits (section layout, zone items added/removed, event created/moved/re-opened, the
  back office) → :func:`sync_sellout`;
* deleting an event without tickets → :func:`drop_event`.

Lock order, the same on every path: counter rows in location-section-id order, then the
event row (``FOR NO KEY UPDATE``, so the ``FOR KEY SHARE`` locks of concurrent ticket inserts
never wait on it). A sale holding a counter row and a cancellation of the same event can
therefore never deadlock, and a sell-out decision always sees a concurrent release.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice.models import Event, EventInventory
from taquilla.core.db import driver_connection
from taquilla.core.errors import Conflict


class CountedSection(Protocol):
    """What :func:`reserve` reads of a location section."""

    id: str
    name: str
    capacity: int


# Sale hot path, hand-written on the request's asyncpg connection like the rest of the sale
# (sales/repository.py): measured with the whole path moved off SQLAlchemy statements, the
# benchmark went from ≈108 to ≈223–234 tickets/s (median 185 → ≈90 ms; driver/API 6.3× → ≈3×;
# BENCH_BOXOFFICE_SALES=2000, 32 buyers, commit c423a65).
RESERVE_SQL = """
INSERT INTO event_inventory (event_id, location_section_id, sold) VALUES ($1, $2, $3)
ON CONFLICT (event_id, location_section_id)
DO UPDATE SET sold = event_inventory.sold + EXCLUDED.sold
WHERE event_inventory.sold + EXCLUDED.sold <= $4
RETURNING sold
"""
"""Add $3 places to (event $1, section $2) only while the total stays ≤ capacity $4; no row → no room."""

_ADD_UNGUARDED = text(
    """
    INSERT INTO event_inventory (event_id, location_section_id, sold) VALUES (:event_id, :section_id, :n)
    ON CONFLICT (event_id, location_section_id) DO UPDATE SET sold = event_inventory.sold + EXCLUDED.sold
    RETURNING sold
    """
)

_REMAINING = text(
    """
    SELECT COUNT(*) AS sections,
           COALESCE(SUM(GREATEST(ls.capacity - COALESCE(inv.sold, 0), 0)), 0) AS remaining
      FROM (SELECT DISTINCT psi.location_section_id
              FROM presentation_section_items psi
              JOIN presentation_sections ps ON ps.id = psi.presentation_section_id
              JOIN events e ON e.presentation_id = ps.presentation_id
             WHERE e.id = :event_id) s
      JOIN location_sections ls ON ls.id = s.location_section_id
      LEFT JOIN event_inventory inv ON inv.event_id = :event_id AND inv.location_section_id = s.location_section_id
    """
)


async def reserve(
    session: AsyncSession,
    event_id: str,
    wanted: Mapping[str, int],
    sections: Mapping[str, CountedSection],
    *,
    guarded: bool = True,
) -> None:
    """Count ``wanted`` places (``{location_section_id: n}``) as sold for the event; each ``n ≤ capacity``.

    Sections are locked in id order (one lock order for all buyers) and each counter row stays
    locked until commit, so buyers of one section queue here; call it last in the sale's
    transaction. A section that fills runs :func:`sync_sellout`. Raises Conflict ``SOLD_OUT``
    (``details``: ``locationSectionId``, ``requested``) when a section has no room — the caller's
    transaction must roll back. ``guarded=False`` (debug switch only) adds without the capacity check.
    """
    conn = await driver_connection(session)
    filled = False
    for sid in sorted(wanted):
        section, n = sections[sid], wanted[sid]
        if guarded:
            sold = await conn.fetchval(RESERVE_SQL, event_id, sid, n, section.capacity)
            if sold is None:
                raise Conflict(
                    f"Not enough places left in {section.name!r} for {n}.",
                    code="SOLD_OUT",
                    details={"locationSectionId": sid, "requested": n},
                )
        else:
            sold = (await session.execute(_ADD_UNGUARDED, {"event_id": event_id, "section_id": sid, "n": n})).scalar_one()
        filled = filled or sold >= section.capacity
    if filled:
        await sync_sellout(session, event_id)


async def release(session: AsyncSession, event_id: str, freed: Mapping[str, int]) -> None:
    """Give back ``freed`` places (``{location_section_id: n}``) of the event, then re-apply the sold-out rule.

    Counter rows are updated in section-id order before the event lock is taken (the lock order
    of :func:`reserve`), so a sold-out event goes back on sale.
    """
    for sid in sorted(freed):
        await session.execute(
            update(EventInventory)
            .where(EventInventory.event_id == event_id, EventInventory.location_section_id == sid)
            .values(sold=func.greatest(EventInventory.sold - freed[sid], 0))
        )
    await sync_sellout(session, event_id)


async def sync_sellout(session: AsyncSession, event_id: str) -> None:
    """Set ``sold_out`` ⇔ the event sells some section and no place is left; ``on_sale`` otherwise.

    Only moves between ``on_sale`` and ``sold_out`` (a draft or cancelled event keeps its status).
    Takes the event's row lock first, so concurrent sell-out decisions see each other's commits.
    """
    status = await session.scalar(select(Event.status).where(Event.id == event_id).with_for_update(key_share=True))
    if status not in ("on_sale", "sold_out"):
        return
    row = (await session.execute(_REMAINING, {"event_id": event_id})).one()
    full = int(row.sections) > 0 and int(row.remaining) <= 0
    target = "sold_out" if full else "on_sale"
    if status != target:
        await session.execute(
            update(Event).where(Event.id == event_id, Event.status == status).values(status=target, updated_at=func.now())
        )


async def sold_by_section(session: AsyncSession, event_id: str) -> dict[str, int]:
    """``{location_section_id: places sold}`` of the event (sections never sold are absent)."""
    rows = await session.execute(
        select(EventInventory.location_section_id, EventInventory.sold).where(EventInventory.event_id == event_id)
    )
    return {sid: int(sold) for sid, sold in rows.all()}


async def drop_event(session: AsyncSession, event_id: str) -> None:
    """Delete the counters of an event that has no tickets (before deleting the event)."""
    await session.execute(delete(EventInventory).where(EventInventory.event_id == event_id))
