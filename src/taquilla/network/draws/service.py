"""Rules of sorteos (DOMAIN.md "Sales network": Sorteo, Evaluation).

* Lifecycle ``SCHEDULED → OPEN → EVALUATED → CLOSED``; ``revert-evaluation`` takes an
  EVALUATED sorteo back to OPEN while none of its prizes is paid. A CLOSED sorteo is final.
* ``businessDate`` = CR date of ``scheduledAt``; sales and cancellations end at the cutoff
  ``scheduledAt − salesCutoffMinutes`` (exclusive); evaluation needs the cutoff to have passed.
* Evaluation: a NUMERO jugada on the winning number wins ``amount × multiplier`` (frozen at
  sale), a REVENTADO one ``amount × extraMultiplierX`` (0 without it). Every ticket's prize
  must be storable (400 ``AMOUNT_TOO_LARGE``, checked before anything is written); the payouts
  enter the rollup (:func:`taquilla.network.rollup.record_sorteo_payouts`).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Conflict, NotFound
from taquilla.core.ids import new_id
from taquilla.core.money import checked_cents
from taquilla.core.pagination import PageParams
from taquilla.core.periods import DateRange, cr_date_of
from taquilla.network import rollup
from taquilla.network.draws import repository as repo
from taquilla.network.draws.schemas import EvaluateIn, SorteoIn, SorteoPatch
from taquilla.network.models import Loteria, Sorteo, sales_cutoff

_DIGITS = re.compile(r"^\d+$")
CR = ZoneInfo("America/Costa_Rica")
SorteoWithLoteria = tuple[Sorteo, Loteria]


def cutoff_of(sorteo: Sorteo, loteria: Loteria) -> datetime:
    """The sorteo's cutoff, fixed when it was created (a later change of the lotería moves none)."""
    return sorteo.sales_cutoff_at


def default_name(loteria: Loteria, scheduled_at: datetime) -> str:
    """A sorteo's name when the caller gives none: the lotería's name and the CR draw time (``Tica 12:55``)."""
    return f"{loteria.name} {scheduled_at.astimezone(CR):%H:%M}"


def check_number(value: str, digits: int, code: str, what: str) -> None:
    """``value`` must be exactly ``digits`` decimal digits (``"05"`` for 2). Raises BadRequest ``code``."""
    if not _DIGITS.match(value) or len(value) != digits:
        raise BadRequest(f"{what} must have exactly {digits} digits ({'0' * digits}–{'9' * digits}), got {value!r}.", code=code)


async def _locked(session: AsyncSession, sorteo_id: str, lock: str) -> SorteoWithLoteria:
    pair = await repo.sorteo_with_loteria(session, sorteo_id, lock=lock)  # type: ignore[arg-type]
    if pair is None:
        raise NotFound(f"Sorteo {sorteo_id!r} not found.", code="SORTEO_NOT_FOUND")
    return pair


async def get_sorteo(session: AsyncSession, sorteo_id: str) -> SorteoWithLoteria:
    """The sorteo with its lotería. Raises NotFound ``SORTEO_NOT_FOUND``."""
    pair = await repo.sorteo_with_loteria(session, sorteo_id)
    if pair is None:
        raise NotFound(f"Sorteo {sorteo_id!r} not found.", code="SORTEO_NOT_FOUND")
    return pair


async def for_ticket_write(session: AsyncSession, sorteo_id: str) -> SorteoWithLoteria:
    """The sorteo locked FOR KEY SHARE (first lock of every ticket write; a state change waits for it)."""
    return await _locked(session, sorteo_id, "share")


async def list_sorteos(
    session: AsyncSession, *, loteria_id: str | None, status: str | None, period: DateRange | None, page: PageParams,
    search: str | None = None,
) -> tuple[int, list[SorteoWithLoteria]]:
    """``(total, page)`` of sorteos by ``scheduledAt``, each with its lotería (``search``: name contains)."""
    total, rows = await repo.sorteos_page(
        session, loteria_id=loteria_id, status=status, start=period.start if period else None,
        end=period.end if period else None, page=page, search=search,
    )
    loterias = await repo.loterias_by_id(session, [s.loteria_id for s in rows])
    return total, [(s, loterias[s.loteria_id]) for s in rows]


async def create_sorteo(session: AsyncSession, body: SorteoIn) -> SorteoWithLoteria:
    """A SCHEDULED sorteo. Raises NotFound ``LOTERIA_NOT_FOUND``; Conflict ``SORTEO_EXISTS`` (same id, or
    the same lotería at the same instant — also when two requests race)."""
    loteria = await session.get(Loteria, body.loteriaId)
    if loteria is None:
        raise NotFound(f"Lotería {body.loteriaId!r} not found.", code="LOTERIA_NOT_FOUND")
    sid = body.id or new_id("sor")
    if await session.get(Sorteo, sid) is not None:
        raise Conflict(f"Sorteo {sid!r} already exists.", code="SORTEO_EXISTS")
    sorteo = Sorteo(
        id=sid, loteria_id=loteria.id, name=body.name or default_name(loteria, body.scheduledAt),
        scheduled_at=body.scheduledAt, business_date=cr_date_of(body.scheduledAt), status="SCHEDULED",
        sales_cutoff_at=sales_cutoff(body.scheduledAt, loteria.sales_cutoff_minutes),
    )
    session.add(sorteo)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # the (lotería, scheduledAt) or primary key, taken meanwhile
        raise Conflict("This lotería already has a sorteo at that time.", code="SORTEO_EXISTS") from exc
    return sorteo, loteria


async def update_sorteo(session: AsyncSession, sorteo_id: str, body: SorteoPatch) -> SorteoWithLoteria:
    """Rename, or reschedule a SCHEDULED/OPEN sorteo without tickets (the cutoff keeps its distance to
    ``scheduledAt``). Raises NotFound, Conflict ``SORTEO_HAS_TICKETS``."""
    sorteo, loteria = await _locked(session, sorteo_id, "update")
    if body.name is not None:
        sorteo.name = body.name
    if body.scheduledAt is not None:
        if sorteo.status not in ("SCHEDULED", "OPEN") or await repo.has_tickets(session, sorteo_id):
            raise Conflict("Only a sorteo without tickets can be rescheduled.", code="SORTEO_HAS_TICKETS")
        sorteo.sales_cutoff_at = body.scheduledAt - (sorteo.scheduled_at - sorteo.sales_cutoff_at)
        sorteo.scheduled_at = body.scheduledAt
        sorteo.business_date = cr_date_of(body.scheduledAt)
    await session.flush()
    return sorteo, loteria


async def _transition(session: AsyncSession, sorteo_id: str, source: str, target: str) -> SorteoWithLoteria:
    sorteo, loteria = await _locked(session, sorteo_id, "update")
    if sorteo.status != source:
        raise Conflict(f"A {sorteo.status} sorteo cannot become {target} (needs {source}).", code="INVALID_SORTEO_STATE")
    sorteo.status = target
    await session.flush()
    return sorteo, loteria


async def open_sorteo(session: AsyncSession, sorteo_id: str) -> SorteoWithLoteria:
    """SCHEDULED → OPEN. Raises NotFound, Conflict ``INVALID_SORTEO_STATE``."""
    return await _transition(session, sorteo_id, "SCHEDULED", "OPEN")


async def close_sorteo(session: AsyncSession, sorteo_id: str) -> SorteoWithLoteria:
    """EVALUATED → CLOSED (no revert afterwards; prizes may still be paid). Raises Conflict ``INVALID_SORTEO_STATE``."""
    return await _transition(session, sorteo_id, "EVALUATED", "CLOSED")


async def evaluate_sorteo(session: AsyncSession, sorteo_id: str, body: EvaluateIn, now: datetime) -> SorteoWithLoteria:
    """OPEN → EVALUATED with the winning number: marks winners, sets payouts, adds them to the rollup.

    ``extraMultiplierId`` names an active REVENTADO multiplier of the sorteo's lotería; its value is
    stored as ``extraMultiplierX``. Raises BadRequest ``INVALID_WINNING_NUMBER`` / ``AMOUNT_TOO_LARGE``
    (a ticket's prize beyond the storable bound) / ``EXTRA_MULTIPLIER_AMBIGUOUS``; NotFound
    ``MULTIPLIER_NOT_FOUND``; Conflict ``ALREADY_EVALUATED``, ``INVALID_SORTEO_STATE`` or
    ``SORTEO_NOT_STARTED`` (before ``scheduledAt``, DOMAIN.md "Sorteo timing").
    """
    sorteo, loteria = await _locked(session, sorteo_id, "update")
    check_number(body.winningNumber, loteria.digits, "INVALID_WINNING_NUMBER", "winningNumber")
    if body.extraMultiplierId is not None and body.extraMultiplierX is not None:
        raise BadRequest("Give extraMultiplierId or extraMultiplierX, not both.", code="EXTRA_MULTIPLIER_AMBIGUOUS")
    extra_x = body.extraMultiplierX
    if body.extraMultiplierId is not None:
        multiplier = await repo.reventado_multiplier(session, body.extraMultiplierId, loteria.id)
        if multiplier is None:
            raise NotFound(
                f"No active REVENTADO multiplier {body.extraMultiplierId!r} of this lotería.", code="MULTIPLIER_NOT_FOUND"
            )
        extra_x = multiplier.value_x
    if sorteo.status in ("EVALUATED", "CLOSED"):
        raise Conflict("This sorteo was already evaluated.", code="ALREADY_EVALUATED")
    if sorteo.status != "OPEN":
        raise Conflict(f"A {sorteo.status} sorteo cannot be evaluated.", code="INVALID_SORTEO_STATE")
    if now < sorteo.scheduled_at:
        raise Conflict("This sorteo has not been drawn yet (before scheduledAt).", code="SORTEO_NOT_STARTED")
    checked_cents(await repo.largest_ticket_prize(session, sorteo.id, body.winningNumber, extra_x), "prize of a ticket")
    await repo.mark_winners(session, sorteo.id, body.winningNumber, extra_x)
    await rollup.record_sorteo_payouts(session, sorteo.id, +1)
    sorteo.status, sorteo.winning_number, sorteo.extra_multiplier_x, sorteo.evaluated_at = (
        "EVALUATED", body.winningNumber, extra_x, now,
    )
    sorteo.extra_multiplier_id = body.extraMultiplierId
    await session.flush()
    return sorteo, loteria


async def revert_evaluation(session: AsyncSession, sorteo_id: str) -> SorteoWithLoteria:
    """EVALUATED → OPEN, payouts removed (from the rollup too). Raises Conflict ``NOT_EVALUATED`` / ``PRIZES_PAID``."""
    sorteo, loteria = await _locked(session, sorteo_id, "update")
    if sorteo.status != "EVALUATED":
        raise Conflict("Only an EVALUATED sorteo can be reverted.", code="NOT_EVALUATED")
    if await repo.has_paid_prizes(session, sorteo.id):
        raise Conflict("Prizes of this sorteo were paid; reverse them first.", code="PRIZES_PAID")
    await rollup.record_sorteo_payouts(session, sorteo.id, -1)
    await repo.clear_winners(session, sorteo.id)
    sorteo.status, sorteo.winning_number, sorteo.extra_multiplier_x, sorteo.evaluated_at = "OPEN", None, None, None
    sorteo.extra_multiplier_id = None
    await session.flush()
    return sorteo, loteria
