"""Rules of the ledger (DOMAIN.md "Sales network": Two levels of accounts, Movements, Day statement).

* **Accounts**: one per ventana (its position with the banca) and per vendedor (its position
  with its ventana). Balance = all-time remaining balance, read from the rollup.
* **Movements**: a cobro (``collection``, money from the debtor side to the creditor side) or
  pago (``payment``, the other way) on a CR date; reversed, never deleted. Only ``ventanaId``:
  between the banca and that ventana (ADMIN). ``vendedorId``: between the vendedor and its
  ventana (ADMIN or that ventana's listero) — it never changes the ventana's account with the banca.
* **Statement** of banca/ventana/vendedor per CR day, computed from the rollup (a GET writes
  nothing; the figures never depend on who asks):
  ``balance = sales − payouts − commission`` (listero's for banca/ventana, vendedor's for
  vendedor); ``remainingBalance = balance − collected + paid`` with the movements of the
  entity's own level. Positive = the entity owes its creditor (CxC), negative = CxP.
* **Reconcile**: the rollup recomputed from the facts equals the stored one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Conflict, Forbidden, NotFound
from taquilla.core.ids import new_id
from taquilla.core.money import from_cents, positive_cents
from taquilla.core.pagination import PageParams
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
    AccountOut,
    DayStatement,
    Dimension,
    MonthlyAccumulated,
    MovementIn,
    PeriodFigures,
    StatementMeta,
    StatementOut,
)
from taquilla.network.mayorizations import repository as mayorizations
from taquilla.network.models import Account, Banca, Movement, Vendedor, Ventana

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# ---- accounts -------------------------------------------------------------------------------------


async def open_account(session: AsyncSession, owner_type: str, owner_id: str, ventana_id: str) -> str:
    """The id of the owner's account, created (``acc_…``) when missing.

    Safe under concurrency: two first movements of an entity created outside the API both get
    the one account (the second insert waits for the first and takes its row), never a 500.
    """
    account_id = await repo.account_id_of(session, owner_type, owner_id)
    if account_id is None:
        account_id = await repo.insert_account(session, owner_type, owner_id, ventana_id)
    if account_id is None:
        account_id = await repo.account_id_of(session, owner_type, owner_id)
    assert account_id is not None
    return account_id


async def account_ids(session: AsyncSession, owner_type: str, owner_ids: list[str]) -> dict[str, str]:
    """owner id → account id (owners without an account are absent)."""
    return await repo.account_ids(session, owner_type, owner_ids)


def _commission(r: dict[str, int], dimension: str) -> int:
    return r["vendedor_commission_cents"] if dimension == "vendedor" else r["listero_commission_cents"]


def remaining_cents(r: dict[str, int], dimension: str) -> int:
    """``sales − payouts − commission − collected + paid`` (cents) of summed rollup figures ``r``."""
    return r["sales_cents"] - r["payouts_cents"] - _commission(r, dimension) - r["collected_cents"] + r["paid_cents"]


def figures(r: dict[str, int], dimension: str) -> dict[str, Any]:
    """The statement fields (major units) of summed rollup cents ``r`` for ``dimension``."""
    balance = r["sales_cents"] - r["payouts_cents"] - _commission(r, dimension)
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


async def _account_views(session: AsyncSession, accounts: list[Account]) -> list[AccountOut]:
    out = []
    sums: dict[tuple[str, str], dict[str, int]] = {}
    names: dict[tuple[str, str], tuple[str, str]] = {}
    active: dict[tuple[str, str], bool] = {}
    for owner_type, model in (("VENTANA", Ventana), ("VENDEDOR", Vendedor)):
        ids = [a.owner_id for a in accounts if a.owner_type == owner_type]
        active |= {(owner_type, k): v for k, v in (await repo.active_of(session, model, ids)).items()}
        sums |= {(owner_type, k): v for k, v in (await repo.all_time_by_owner(session, owner_type, ids)).items()}
        names |= {(owner_type, k): v for k, v in (await repo.names_of(session, model, ids)).items()}
    for a in accounts:
        r = sums.get((a.owner_type, a.owner_id), rollup.zero())
        dimension = "vendedor" if a.owner_type == "VENDEDOR" else "ventana"
        code, name = names.get((a.owner_type, a.owner_id), (a.owner_id, a.owner_id))
        out.append(AccountOut(
            id=a.id, ownerType=a.owner_type, ownerId=a.owner_id, ownerCode=code, ownerName=name, ventanaId=a.ventana_id,  # type: ignore[arg-type]
            balance=from_cents(remaining_cents(r, dimension)), totalSales=from_cents(r["sales_cents"]),
            totalPayouts=from_cents(r["payouts_cents"]), totalCommission=from_cents(_commission(r, dimension)),
            totalCollected=from_cents(r["collected_cents"]), totalPaid=from_cents(r["paid_cents"]),
            currency="CRC", isActive=active.get((a.owner_type, a.owner_id), True), createdAt=a.created_at,
        ))
    return out


async def list_accounts(
    session: AsyncSession, scope: NetworkScope, *, owner_type: str | None, ventana_id: str | None, page: PageParams,
    owner_id: str | None = None,
) -> tuple[int, list[AccountOut]]:
    """``(total, page)`` of the accounts in scope with their all-time figures. Raises Forbidden ``OUT_OF_SCOPE``."""
    ventana_id, _ = scope.narrow(ventana_id)
    total, rows = await repo.accounts_page(
        session, scope, owner_type=owner_type, ventana_id=ventana_id, page=page, owner_id=owner_id
    )
    return total, await _account_views(session, rows)


async def get_account(session: AsyncSession, scope: NetworkScope, account_id: str) -> AccountOut:
    """One account with its all-time figures. Raises NotFound ``ACCOUNT_NOT_FOUND`` (also outside the scope)."""
    account = await repo.account_in_scope(session, scope, account_id)
    if account is None:
        raise NotFound(f"Account {account_id!r} not found.", code="ACCOUNT_NOT_FOUND")
    return (await _account_views(session, [account]))[0]


# ---- movements ----------------------------------------------------------------------------------------


async def _movement_level(session: AsyncSession, scope: NetworkScope, body: MovementIn) -> tuple[str, str | None]:
    """``(ventana_id, vendedor_id)`` of the movement, checked against the caller's role and scope."""
    ventana_id, vendedor_id = body.ventanaId, body.vendedorId
    if vendedor_id:
        vendedor = await session.get(Vendedor, vendedor_id)
        if vendedor is None:
            raise NotFound(f"Vendedor {vendedor_id!r} not found.", code="VENDEDOR_NOT_FOUND")
        if ventana_id and ventana_id != vendedor.ventana_id:
            raise BadRequest("The vendedor does not belong to that ventana.", code="VENTANA_MISMATCH")
        ventana_id = vendedor.ventana_id
    elif ventana_id:
        if await session.get(Ventana, ventana_id) is None:
            raise NotFound(f"Ventana {ventana_id!r} not found.", code="VENTANA_NOT_FOUND")
        if scope.role is Role.VENTANA:
            raise Forbidden("A listero registers movements of its vendedores only.", code="ROLE_FORBIDDEN")
    else:
        raise BadRequest("ventanaId or vendedorId is required.", code="TARGET_REQUIRED")
    if scope.ventana_id is not None and ventana_id != scope.ventana_id:
        raise Forbidden("This ventana/vendedor is outside your scope.", code="OUT_OF_SCOPE")
    return ventana_id, vendedor_id


async def create_movement(session: AsyncSession, scope: NetworkScope, body: MovementIn) -> Movement:
    """Record a cobro or pago of a ventana (with the banca) or a vendedor (with its ventana) on CR ``date``.

    ADMIN: any; listero: its vendedores (``scope`` is never a VENDEDOR's: the route refuses it).
    Raises BadRequest ``INVALID_DATE``, ``TARGET_REQUIRED``, ``VENTANA_MISMATCH``,
    ``AMOUNT_ROUNDS_TO_ZERO``, ``AMOUNT_TOO_LARGE``; NotFound; Forbidden ``ROLE_FORBIDDEN``/``OUT_OF_SCOPE``.
    """
    day = parse_cr_date(body.date, "date")
    cents = positive_cents(body.amount)
    ventana_id, vendedor_id = await _movement_level(session, scope, body)
    if body.bancaId is not None:
        ventana = await session.get(Ventana, ventana_id)
        if ventana is None or ventana.banca_id != body.bancaId:
            raise BadRequest("The ventana does not belong to that banca.", code="BANCA_MISMATCH")
    owner_type, owner_id = ("VENDEDOR", vendedor_id) if vendedor_id else ("VENTANA", ventana_id)
    account_id = await open_account(session, owner_type, owner_id, ventana_id)
    movement = Movement(
        id=new_id("mov"), account_id=account_id, ventana_id=ventana_id, vendedor_id=vendedor_id, date=day, time=body.time,
        amount_cents=cents, type=body.type, method=body.method, notes=body.notes, idempotency_key=body.idempotencyKey,
        created_by=scope.user_id, is_reversed=False, is_final=body.isFinal,
    )
    session.add(movement)
    await session.flush()
    await rollup.record_movement(session, movement, +1)
    return movement


async def reverse_movement(session: AsyncSession, scope: NetworkScope, movement_id: str, reason: str, now: datetime) -> Movement:
    """Mark a movement reversed (never deleted) and take it out of the rollup.

    A listero reverses movements of its vendedores only. Raises NotFound ``PAYMENT_NOT_FOUND``
    (also outside the scope), Forbidden ``ROLE_FORBIDDEN``, Conflict ``ALREADY_REVERSED``.
    """
    movement = await repo.movement_for_update(session, movement_id)
    if movement is None or not scope.sees(movement.ventana_id, movement.vendedor_id):
        raise NotFound(f"Payment {movement_id!r} not found.", code="PAYMENT_NOT_FOUND")
    if scope.role is Role.VENTANA and movement.vendedor_id is None:
        raise Forbidden("A listero reverses movements of its vendedores only.", code="ROLE_FORBIDDEN")
    if movement.is_reversed:
        raise Conflict("This payment was already reversed.", code="ALREADY_REVERSED")
    if movement.kind == mayorizations.ADJUSTMENT_KIND:  # a settled mayorization never changes
        raise Conflict("A mayorization's settlement (ADJUSTMENT) cannot be reversed.", code="ADJUSTMENT_NOT_REVERSIBLE")
    movement.is_reversed, movement.reversed_at, movement.reversed_by, movement.reverse_reason = True, now, scope.user_id, reason
    await rollup.record_movement(session, movement, -1)
    await session.flush()
    return movement


async def list_movements(
    session: AsyncSession, scope: NetworkScope, *, ventana_id: str | None, vendedor_id: str | None,
    type_: str | None, period: DateRange | None, page: PageParams,
) -> tuple[int, list[Movement]]:
    """``(total, page)`` of movements in scope, newest first. Raises Forbidden ``OUT_OF_SCOPE``."""
    ventana_id, vendedor_id = scope.narrow(ventana_id, vendedor_id)
    return await repo.movements_page(
        session, scope, ventana_id=ventana_id, vendedor_id=vendedor_id, type_=type_,
        start=period.start if period else None, end=period.end if period else None, page=page,
    )


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
    key = q.vendedor_id or q.ventana_id or q.banca_id or "all"
    # The figures below are computed here from integer cents: built with model_construct (no
    # re-validation), which keeps this read as fast as the hand-built dicts it replaced.
    statements = []
    for day in sorted(set(days) | set(by_day), reverse=q.descending):
        r = days.get(day) or rollup.zero()
        if by_day.get(day) or any(r.values()):
            f = figures(r, q.dimension)
            statements.append(DayStatement.model_construct(
                id=f"{day.isoformat()}:{q.dimension}:{key}", date=day, month=day.strftime("%Y-%m"), **entity,
                isSettled=day in settled, canEdit=q.can_edit, totalPaymentsCollections=f["totalPaid"] + f["totalCollected"],
                hasSorteos=r["ticket_count"] > 0, bySorteo=[], movements=by_day.get(day, []), **f,
            ))
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


async def day_statement_of(session: AsyncSession, scope: NetworkScope, movement: Movement) -> DayStatement | None:
    """The day statement of the movement's entity on its date (after the change), as the front end shows it."""
    q = await resolve_statement_query(
        session, scope, date_param=movement.date.isoformat(), from_date=None, to_date=None, month=None,
        dimension="vendedor" if movement.vendedor_id else "ventana", banca_id=None, ventana_id=movement.ventana_id,
        vendedor_id=movement.vendedor_id, today=movement.date,
    )
    out = await statement(session, q)
    return out.statements[0] if out.statements else None


# ---- reconcile -------------------------------------------------------------------------------------


async def reconcile(session: AsyncSession, *, apply: bool = False) -> dict[str, Any]:
    """Recompute the rollup from the facts and compare it with the stored one (writers blocked meanwhile).

    Returns ``{"rollupRows", "expectedRows", "differences": [{businessDate, ventanaId, vendedorId,
    fields: {field: {expected, stored}}}], "ticketDrift": [...], "applied", "adjustments"}`` (ADJUSTMENT
    movements are movements here; ``adjustments.broken`` lists SETTLED mayorizations without their live ADJUSTMENT); a stored row whose
    figures are all zero counts as absent; a monthly rollup row that differs from its daily rows is
    listed with ``businessDate`` = its month and ``monthly.<column>`` fields. ``apply=True`` rewrites
    the rollup (daily, then monthly) from the facts when they differ (the caller commits).
    """
    await rollup.lock_for_reconcile(session)
    expected = await rollup.expected_rows(session)
    stored = await rollup.stored_rows(session)
    zero = rollup.absent()
    differences = []
    for key in sorted(set(expected) | set(stored)):
        e, s = expected.get(key, zero), stored.get(key, zero)
        if e != s:
            differences.append({
                "businessDate": key[0].isoformat(), "ventanaId": key[1], "vendedorId": key[2],
                "fields": {f: {"expected": e[f], "stored": s[f]} for f in rollup.STORED_COLUMNS if e[f] != s[f]},
            })
    for m in await rollup.monthly_drift(session):  # the monthly rollup against its daily rows ("monthly." fields)
        differences.append({"businessDate": m["month"], "ventanaId": m["ventanaId"], "vendedorId": m["vendedorId"],
                            "fields": {f"monthly.{k}": v for k, v in m["fields"].items()}})
    drift = await repo.ticket_drift(session)
    if apply and differences:
        await rollup.rebuild(session)
    return {"rollupRows": len(stored), "expectedRows": len(expected), "differences": differences,
            "ticketDrift": drift, "applied": bool(apply and differences), "adjustments": await mayorizations.adjustment_report(session)}
