"""Queries of sorteos: locking, listing, and the set-based marking of winners."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.pagination import PageParams
from taquilla.core.queries import paginate
from taquilla.network.models import (
    TICKET_ACTIVE,
    TICKET_EVALUATED,
    Jugada,
    Loteria,
    LotteryTicket,
    Multiplier,
    Sorteo,
)


async def sorteo_with_loteria(
    session: AsyncSession, sorteo_id: str, *, lock: Literal["share", "update"] | None = None
) -> tuple[Sorteo, Loteria] | None:
    """The sorteo and its lotería, or None.

    ``lock="share"`` takes FOR KEY SHARE of the sorteo (ticket writes: cancellations, prize
    payments — they may run side by side); ``"update"`` FOR UPDATE (state changes, which
    therefore wait for those writes and block them).
    """
    stmt = select(Sorteo, Loteria).join(Loteria, Loteria.id == Sorteo.loteria_id).where(Sorteo.id == sorteo_id)
    if lock == "share":
        stmt = stmt.with_for_update(key_share=True, of=Sorteo)
    elif lock == "update":
        stmt = stmt.with_for_update(of=Sorteo)
    if lock:
        stmt = stmt.execution_options(populate_existing=True)
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def sorteos_page(
    session: AsyncSession, *, loteria_id: str | None, status: str | None, start: date | None, end: date | None,
    page: PageParams, search: str | None = None,
) -> tuple[int, list[Sorteo]]:
    """Sorteos by ``scheduled_at``, filtered by lotería, status, business dates ``[start, end]`` and name (contains)."""
    stmt = select(Sorteo)
    if search:
        stmt = stmt.where(Sorteo.name.icontains(search, autoescape=True))
    if loteria_id:
        stmt = stmt.where(Sorteo.loteria_id == loteria_id)
    if status:
        stmt = stmt.where(Sorteo.status == status)
    if start:
        stmt = stmt.where(Sorteo.business_date >= start)
    if end:
        stmt = stmt.where(Sorteo.business_date <= end)
    return await paginate(session, stmt, page.offset, page.limit, Sorteo.scheduled_at, Sorteo.id)


async def reventado_multiplier(session: AsyncSession, multiplier_id: str, loteria_id: str) -> Multiplier | None:
    """The active REVENTADO multiplier ``multiplier_id`` of ``loteria_id``, or None."""
    stmt = select(Multiplier).where(
        Multiplier.id == multiplier_id, Multiplier.loteria_id == loteria_id, Multiplier.kind == "REVENTADO",
        Multiplier.is_active.is_(True),
    )
    return await session.scalar(stmt)


async def loterias_by_id(session: AsyncSession, ids: Sequence[str]) -> dict[str, Loteria]:
    """The loterías of ``ids`` by id."""
    if not ids:
        return {}
    return {x.id: x for x in await session.scalars(select(Loteria).where(Loteria.id.in_(set(ids))))}


async def has_tickets(session: AsyncSession, sorteo_id: str) -> bool:
    """True when any ticket (also cancelled) was sold for the sorteo."""
    stmt = select(LotteryTicket.id).where(LotteryTicket.sorteo_id == sorteo_id).limit(1)
    return (await session.scalar(stmt)) is not None


async def has_paid_prizes(session: AsyncSession, sorteo_id: str) -> bool:
    """True when a ticket of the sorteo has prize money paid (not reversed)."""
    stmt = select(LotteryTicket.id).where(LotteryTicket.sorteo_id == sorteo_id, LotteryTicket.paid_cents > 0).limit(1)
    return (await session.scalar(stmt)) is not None


_WIN = """
CASE WHEN j.bet_type = 'NUMERO' THEN round(j.amount_cents * j.multiplier_x)
     ELSE round(j.amount_cents * CAST(:extra AS numeric)) END
"""
_WINNERS = """
t.id = j.ticket_id AND t.status = 'ACTIVE' AND j.sorteo_id = :sorteo AND j.number = :number
AND (j.bet_type = 'NUMERO' OR CAST(:extra AS numeric) IS NOT NULL)
"""


async def largest_ticket_prize(session: AsyncSession, sorteo_id: str, number: str, extra_x: Decimal | None) -> int:
    """The largest prize (cents, computed in NUMERIC) one active ticket would get if ``number`` wins; 0 if none."""
    value = await session.scalar(
        text(
            f"SELECT COALESCE(MAX(p), 0) FROM (SELECT SUM({_WIN}) AS p FROM network_jugadas j, network_tickets t"
            f" WHERE {_WINNERS} GROUP BY j.ticket_id) w"
        ),
        {"sorteo": sorteo_id, "number": number, "extra": extra_x},
    )
    return int(value or 0)


async def mark_winners(session: AsyncSession, sorteo_id: str, number: str, extra_x: Decimal | None) -> None:
    """Set ``is_winner``/``payout_cents`` on the winning jugadas of active tickets, mark every active
    ticket EVALUATED and set each winning ticket's ``payout_cents`` to the sum of its jugadas'.

    NUMERO wins ``round(amount × multiplier_x)`` (frozen at sale); REVENTADO ``round(amount × extra_x)``
    (only with ``extra_x``).
    """
    params = {"sorteo": sorteo_id, "number": number, "extra": extra_x}
    await session.execute(
        text(f"UPDATE network_jugadas j SET is_winner = true, payout_cents = {_WIN} FROM network_tickets t WHERE {_WINNERS}"), params
    )
    await session.execute(
        update(LotteryTicket)
        .where(LotteryTicket.sorteo_id == sorteo_id, LotteryTicket.status == TICKET_ACTIVE)
        .values(status=TICKET_EVALUATED)
    )
    await session.execute(
        text(
            """
            UPDATE network_tickets t SET payout_cents = w.payout
              FROM (SELECT ticket_id, SUM(payout_cents) AS payout FROM network_jugadas
                     WHERE sorteo_id = :sorteo AND is_winner GROUP BY ticket_id) w
             WHERE t.id = w.ticket_id
            """
        ),
        {"sorteo": sorteo_id},
    )


async def clear_winners(session: AsyncSession, sorteo_id: str) -> None:
    """Undo :func:`mark_winners`: no winners, payouts 0, EVALUATED tickets ACTIVE again."""
    await session.execute(
        update(Jugada).where(Jugada.sorteo_id == sorteo_id, Jugada.is_winner.is_(True)).values(is_winner=False, payout_cents=0)
    )
    await session.execute(
        update(LotteryTicket)
        .where(LotteryTicket.sorteo_id == sorteo_id, LotteryTicket.status == TICKET_EVALUATED)
        .values(status=TICKET_ACTIVE, payout_cents=0)
    )
