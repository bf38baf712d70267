"""Statements of the ledger (DOMAIN.md "Sales network": Day statement, Two levels of accounts; contract rows 22, 26).

The statement of banca/ventana/vendedor per CR day, computed from the rollup (a GET writes nothing; the
figures never depend on who asks): ``balance = sales − payouts − commission`` (listero's for
banca/ventana, vendedor's for vendedor); ``remainingBalance = balance − collected + paid`` with the
movements of the entity's own level. Positive = the entity owes its creditor (CxC), negative = CxP.
Also the day statement a movement answers with (:func:`day_statement_of`), built at a cost that does
not grow with the day's movements.
"""


from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Forbidden, NotFound
from taquilla.core.money import from_cents
from taquilla.core.periods import (
    CR_TZ,
    DateRange,
    Period,
    month_range,
    parse_cr_date,
    resolve_period,
)
from taquilla.core.security import Role
from taquilla.identity.models import User
from taquilla.network import rollup
from taquilla.network.auth import NetworkScope
from taquilla.network.ledger import repository as repo
from taquilla.network.ledger.schemas import (
    AccountMovementOut,
    DayStatement,
    Dimension,
    MonthlyAccumulated,
    PeriodFigures,
    StatementMeta,
    StatementOut,
)
from taquilla.network.mayorizations import repository as mayorizations
from taquilla.network.models import Banca, Movement, Vendedor, Ventana

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def commission_cents(r: dict[str, int], dimension: str) -> int:
    """The commission of ``dimension``'s level (cents): the vendedor's for vendedor, the listero's otherwise."""
    return r["vendedor_commission_cents"] if dimension == "vendedor" else r["listero_commission_cents"]


def remaining_cents(r: dict[str, int], dimension: str) -> int:
    """``sales − payouts − commission − collected + paid`` (cents) of summed rollup figures ``r``."""
    return r["sales_cents"] - r["payouts_cents"] - commission_cents(r, dimension) - r["collected_cents"] + r["paid_cents"]


def figures(r: dict[str, int], dimension: str) -> dict[str, Any]:
    """The statement fields (major units) of summed rollup cents ``r`` for ``dimension``."""
    balance = r["sales_cents"] - r["payouts_cents"] - commission_cents(r, dimension)
    return {
        "totalSales": from_cents(r["sales_cents"]),
        "totalPayouts": from_cents(r["payouts_cents"]),
        "listeroCommission": from_cents(r["listero_commission_cents"]),
        "vendedorCommission": from_cents(r["vendedor_commission_cents"]),
        "balance": from_cents(balance),
        "totalCollected": from_cents(r["collected_cents"]),
        "totalPaid": from_cents(r["paid_cents"]),
        "remainingBalance": from_cents(remaining_cents(r, dimension)),
        "totalPaidToCustomer": from_cents(r["paid_to_customer_cents"]),
        "ticketCount": r["ticket_count"],
    }


# ---- statements ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementQuery:
    """A resolved, scope-checked statement request."""

    dimension: Dimension
    period: DateRange
    month: DateRange
    banca_id: str | None
    ventana_id: str | None
    vendedor_id: str | None
    descending: bool = False
    can_edit: bool = False
    """The caller may register movements for this entity (ADMIN; a listero for dimension vendedor)."""


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def period_of(date_param: str | None, from_date: str | None, to_date: str | None, today: date, default: Period) -> DateRange:
    """``date=YYYY-MM-DD`` (one CR day, as the front end sends it) or a period token with ``fromDate``/``toDate``."""
    if date_param is not None and _DAY.match(date_param):
        day = parse_cr_date(date_param, "date")
        return DateRange(day, day)
    return resolve_period(date_param, from_date, to_date, today=today, default=default)


async def resolve_statement_query(
    session: AsyncSession, scope: NetworkScope, *, date_param: str | None, from_date: str | None, to_date: str | None,
    month: str | None, dimension: str | None, banca_id: str | None, ventana_id: str | None, vendedor_id: str | None,
    today: date, sort: str = "asc",
) -> StatementQuery:
    """Validate the parameters and the caller's scope (403 outside it; the figures never depend on the caller).

    ``month=YYYY-MM`` wins over ``date`` (default ``month``). ``dimension`` defaults to the
    narrowest entity named or implied by the role. ``monthlyAccumulated`` covers the month of
    the period's end, or the current month when the period ends in the future. Raises
    BadRequest ``INVALID_MONTH``/``INVALID_DIMENSION``/``VENTANA_MISMATCH``/period errors,
    Forbidden ``OUT_OF_SCOPE``, NotFound for unknown ids (ADMIN).
    """
    if month is not None:
        if not _MONTH.match(month):
            raise BadRequest(f"month must be YYYY-MM, got {month!r}.", code="INVALID_MONTH")
        period = month_range(date(int(month[:4]), int(month[5:]), 1))
    else:
        period = period_of(date_param, from_date, to_date, today, Period.MONTH)
    if dimension is None:
        dimension = "vendedor" if (vendedor_id or scope.role is Role.VENDEDOR) else ("ventana" if (ventana_id or scope.ventana_id) else "banca")
    if dimension not in ("banca", "ventana", "vendedor"):
        raise BadRequest("dimension must be banca, ventana or vendedor.", code="INVALID_DIMENSION")
    if vendedor_id and dimension != "vendedor":
        raise BadRequest("vendedorId needs dimension=vendedor.", code="INVALID_DIMENSION")
    if scope.role is Role.VENDEDOR:
        if dimension != "vendedor" or vendedor_id not in (None, scope.vendedor_id) or ventana_id not in (None, scope.ventana_id):
            raise Forbidden("A VENDEDOR sees only its own statement.", code="OUT_OF_SCOPE")
        vendedor_id = scope.vendedor_id
    if scope.role is Role.VENTANA and (dimension == "banca" or ventana_id not in (None, scope.ventana_id)):
        raise Forbidden("A listero sees only its ventana and its vendedores.", code="OUT_OF_SCOPE")
    if scope.ventana_id is not None:
        ventana_id, banca_id = scope.ventana_id, None
    if vendedor_id:
        vendedor = await session.get(Vendedor, vendedor_id)
        if vendedor is None:
            if scope.is_admin:
                raise NotFound(f"Vendedor {vendedor_id!r} not found.", code="VENDEDOR_NOT_FOUND")
            raise Forbidden("Outside your scope.", code="OUT_OF_SCOPE")
        if ventana_id and vendedor.ventana_id != ventana_id:
            if scope.is_admin:
                raise BadRequest("The vendedor does not belong to that ventana.", code="VENTANA_MISMATCH")
            raise Forbidden("This vendedor belongs to another ventana.", code="OUT_OF_SCOPE")
        ventana_id = vendedor.ventana_id  # normalised: the answer never depends on who asks
    if ventana_id and scope.is_admin and await session.get(Ventana, ventana_id) is None:
        raise NotFound(f"Ventana {ventana_id!r} not found.", code="VENTANA_NOT_FOUND")
    if banca_id and await session.get(Banca, banca_id) is None:
        raise NotFound(f"Banca {banca_id!r} not found.", code="BANCA_NOT_FOUND")
    reference = period.end if period.end <= today or period.start > today else today
    can_edit = scope.is_admin and dimension != "banca" or (scope.role is Role.VENTANA and dimension == "vendedor" and bool(vendedor_id))
    return StatementQuery(
        dimension, period, month_range(reference), banca_id, ventana_id, vendedor_id,  # type: ignore[arg-type]
        descending=sort == "desc", can_edit=can_edit,
    )


def _summed(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    total = rollup.zero()
    for r in rows:
        for f in total:
            total[f] += r[f]
    return total


async def _entity(session: AsyncSession, q: StatementQuery) -> dict[str, str | None]:
    """Ids, names and codes of the statement's banca, ventana and vendedor (None where not one entity)."""
    out: dict[str, str | None] = {}
    vendedor = await session.get(Vendedor, q.vendedor_id) if q.vendedor_id else None
    ventana = await session.get(Ventana, q.ventana_id) if q.ventana_id else None
    banca_id = q.banca_id or (ventana.banca_id if ventana else None)
    banca = await session.get(Banca, banca_id) if banca_id else None
    for prefix, row in (("banca", banca), ("ventana", ventana), ("vendedor", vendedor)):
        out[f"{prefix}Id"] = row.id if row else None
        out[f"{prefix}Name"] = row.name if row else None
        out[f"{prefix}Code"] = row.code if row else None
    return out


def period_figures(r: dict[str, int], dimension: str, settled_days: int, pending_days: int) -> dict[str, Any]:
    """:func:`figures` plus the front end's ``total*`` names and the day counts (same cents)."""
    f = figures(r, dimension)
    return {
        **f,
        "totalListeroCommission": f["listeroCommission"],
        "totalVendedorCommission": f["vendedorCommission"],
        "totalBalance": f["balance"],
        "totalRemainingBalance": f["remainingBalance"],
        "settledDays": settled_days,
        "pendingDays": pending_days,
    }


def _active(r: dict[str, int] | None) -> bool:
    return bool(r) and any(r.values())  # type: ignore[union-attr]


def _day_statement(
    q: StatementQuery, day: date, r: dict[str, int], movements: list[AccountMovementOut], entity: dict[str, str | None],
    settled: bool, truncated: bool = False,
) -> DayStatement:
    """One day of a statement from its summed rollup cents ``r`` and the movements it lists.

    Built with model_construct (no re-validation: the figures come from integer cents here), which
    keeps the statement read as fast as the hand-built dicts it replaced.
    """
    key = q.vendedor_id or q.ventana_id or q.banca_id or "all"
    f = figures(r, q.dimension)
    return DayStatement.model_construct(
        id=f"{day.isoformat()}:{q.dimension}:{key}", date=day, month=day.strftime("%Y-%m"), **entity,
        isSettled=settled, canEdit=q.can_edit, totalPaymentsCollections=f["totalPaid"] + f["totalCollected"],
        hasSorteos=r["ticket_count"] > 0, bySorteo=[], movements=movements, movementsTruncated=truncated, **f,
    )


async def statement(session: AsyncSession, q: StatementQuery) -> StatementOut:
    """Per-day statements (days with activity, ascending or ``sort=desc``), ``totals``, ``monthlyAccumulated``, ``meta``.

    Read-only: the figures come from the rollup; the movements listed per day from
    ``network_movements`` (reversed ones flagged). Each dimension counts and lists the
    movements of its own level: banca/ventana the banca↔ventana ones, vendedor the
    ventana↔vendedor ones (DOMAIN.md "Two levels of accounts"). A day covered by a SETTLED mayorization
    of the one ventana/vendedor is ``isSettled`` (counted in ``settledDays``). Only ``canEdit`` depends on the caller.
    """
    vendedor_rows = q.dimension == "vendedor"
    # one read of the rollup covers the period and the month of monthlyAccumulated
    span = await repo.rollup_by_day(
        session, min(q.period.start, q.month.start), max(q.period.end, q.month.end),
        banca_id=q.banca_id, ventana_id=q.ventana_id, vendedor_id=q.vendedor_id, vendedor_rows=vendedor_rows,
    )
    days = {d: r for d, r in span.items() if q.period.start <= d <= q.period.end}
    movements = await repo.movements_of_period(
        session, banca_id=q.banca_id, ventana_id=q.ventana_id, vendedor_id=q.vendedor_id,
        vendedor_level_only=vendedor_rows, start=q.period.start, end=q.period.end,
    )
    by_day: dict[date, list[AccountMovementOut]] = {}
    for m in movements:
        by_day.setdefault(m.date, []).append(AccountMovementOut.model_validate(m))
    entity = await _entity(session, q)
    span_start, span_end = min(q.period.start, q.month.start), max(q.period.end, q.month.end)
    settled = await mayorizations.settled_days(session, q.dimension, q.ventana_id, q.vendedor_id, span_start, span_end)
    statements = []
    for day in sorted(set(days) | set(by_day), reverse=q.descending):
        r = days.get(day) or rollup.zero()
        if by_day.get(day) or any(r.values()):
            statements.append(_day_statement(q, day, r, by_day.get(day, []), entity, day in settled))
    month_days = {d: r for d, r in span.items() if q.month.start <= d <= q.month.end}
    month_movement_days = {m.date for m in movements if q.month.start <= m.date <= q.month.end}
    month_active = {d for d, r in month_days.items() if _active(r)}
    if not (q.period.start <= q.month.start and q.month.end <= q.period.end):
        month_movement_days |= set(await repo.movement_days(
            session, banca_id=q.banca_id, ventana_id=q.ventana_id, vendedor_id=q.vendedor_id,
            vendedor_level_only=vendedor_rows, start=q.month.start, end=q.month.end,
        ))
    totals, month_totals = _summed(days.values()), _summed(month_days.values())
    n_settled, month_all = sum(s.date in settled for s in statements), month_active | month_movement_days
    return StatementOut.model_construct(
        statements=statements,
        totals=PeriodFigures.model_construct(**period_figures(totals, q.dimension, n_settled, len(statements) - n_settled)),
        monthlyAccumulated=MonthlyAccumulated.model_construct(
            month=q.month.start.strftime("%Y-%m"), startDate=q.month.start, endDate=q.month.end,
            **period_figures(month_totals, q.dimension, len(month_all & settled), len(month_all - settled)),
        ),
        meta=StatementMeta(
            month=q.month.start.strftime("%Y-%m"), monthStartDate=q.month.start, monthEndDate=q.month.end,
            dimension=q.dimension, bancaId=q.banca_id, ventanaId=q.ventana_id, vendedorId=q.vendedor_id,
            startDate=q.period.start, endDate=q.period.end, totalDays=len(q.period.days()),
            daysWithActivity=len(statements), currency="crc",
        ),
    )


async def by_sorteo(session: AsyncSession, q: StatementQuery, day: date) -> list[dict[str, Any]]:
    """The day's figures per sorteo (by scheduled time) with ``sorteoAccumulated`` = running balance.

    ``balance = sales − payouts − commission`` (the dimension's, as in the day statement), major units.
    """
    rows = await repo.sorteo_figures_of_day(session, day, banca_id=q.banca_id, ventana_id=q.ventana_id, vendedor_id=q.vendedor_id)
    out, running = [], 0
    for r in rows:
        commission = r.vendedor_commission_cents if q.dimension == "vendedor" else r.listero_commission_cents
        balance = int(r.sales_cents) - int(r.payouts_cents) - int(commission)
        running += balance
        out.append({
            "sorteoId": r.sorteo_id, "sorteoName": f"{r.loteria_name} {r.scheduled_at.astimezone(CR_TZ):%H:%M}",
            "loteriaId": r.loteria_id, "loteriaName": r.loteria_name, "scheduledAt": r.scheduled_at,
            "sales": from_cents(int(r.sales_cents)), "payouts": from_cents(int(r.payouts_cents)),
            "listeroCommission": from_cents(int(r.listero_commission_cents)),
            "vendedorCommission": from_cents(int(r.vendedor_commission_cents)),
            "balance": from_cents(balance), "ticketCount": int(r.ticket_count), "sorteoAccumulated": from_cents(running),
        })
    return out


async def user_name(session: AsyncSession, user_id: str) -> str:
    """The full name (or username) of ``user_id``; the id itself when the user is gone."""
    user = await session.get(User, user_id)
    return (user.full_name or user.username) if user is not None else user_id


MOVEMENTS_IN_ANSWER = 20
"""How many of the day's movements the answer to a movement lists: the latest (oldest first), as many as
the first page of ``payment-history`` (its default ``pageSize``)."""


async def day_statement_of(session: AsyncSession, scope: NetworkScope, movement: Movement) -> DayStatement | None:
    """The day statement of the movement's entity on its CR date right after the movement (or its reversal).

    Call it in the movement's transaction, after :func:`rollup.record_movement` (the ``*_answered``
    services read its first part before that call): that upsert holds the day's rollup row of the
    movement's level (its row lock) until the transaction ends, and every other movement, reversal
    or settlement of this account-day writes that row first, so it waits. Each statement run after
    the lock therefore sees exactly the committed movements of the day whose deltas are in the row,
    plus this one: the answer is the state after this movement, in the order the row lock serialised
    them, and its figures agree with the movements it lists.

    Its cost — and so how long the lock is held — does not grow with the day's movements: the
    figures are the day's rollup rows (one per vendedor of the ventana, the same sums as ``GET
    /accounts/statement``), and ``movements`` lists the latest :data:`MOVEMENTS_IN_ANSWER` of the day
    (``ix_network_movements_ventana_day_order``/``vendedor_day_order``; ``movementsTruncated`` when the
    day has more: ``GET /accounts/statement`` and ``/payment-history`` list them all). Every other
    field equals that day of ``GET /accounts/statement?date=<day>`` for the same entity and dimension
    (ventana for a banca↔ventana movement, vendedor for a ventana↔vendedor one); no ``totals`` or
    ``monthlyAccumulated`` (the front end reads the day). None only when the day has neither
    figures nor movements (never after a movement: it lists at least this one).
    """
    return await day_after_lock(session, await day_parts_before_lock(session, scope, movement), movement)


@dataclass(frozen=True)
class DayParts:
    """The parts of a movement's day statement that no movement of the day changes."""

    q: StatementQuery
    entity: dict[str, str | None]
    settled: bool


async def day_parts_before_lock(session: AsyncSession, scope: NetworkScope, movement: Movement) -> DayParts:
    """The query (dimension, entity, ``canEdit``), names and settled flag of the movement's day: read before
    the day's rollup row is locked, they keep the lock's hold to the reads in :func:`_day_after`."""
    q = await resolve_statement_query(
        session, scope, date_param=movement.date.isoformat(), from_date=None, to_date=None, month=None,
        dimension="vendedor" if movement.vendedor_id else "ventana", banca_id=None, ventana_id=movement.ventana_id,
        vendedor_id=movement.vendedor_id, today=movement.date,
    )
    settled = await mayorizations.settled_days(session, q.dimension, q.ventana_id, q.vendedor_id, movement.date, movement.date)
    return DayParts(q, await _entity(session, q), movement.date in settled)


async def day_after_lock(session: AsyncSession, fixed: DayParts, movement: Movement) -> DayStatement | None:
    """The day's figures and latest movements, read under the day's rollup row lock (two statements)."""
    q, day = fixed.q, movement.date
    days = await repo.rollup_by_day(
        session, day, day, banca_id=q.banca_id, ventana_id=q.ventana_id, vendedor_id=q.vendedor_id, vendedor_rows=q.dimension == "vendedor",
    )
    r = days.get(day) or rollup.zero()
    latest = await repo.latest_movements_of_day(session, ventana_id=movement.ventana_id, vendedor_id=movement.vendedor_id,
                                                day=day, limit=MOVEMENTS_IN_ANSWER + 1)
    if not latest and not any(r.values()):
        return None
    movements = [AccountMovementOut.model_validate(m) for m in reversed(latest[:MOVEMENTS_IN_ANSWER])]
    return _day_statement(q, day, r, movements, fixed.entity, fixed.settled, len(latest) > MOVEMENTS_IN_ANSWER)
