"""Rules of mayorizations (seeds 002/003, DOMAIN.md "Mayorización" and "Two levels of accounts").

* **Calculate** (``calculate``): the closing of ``[fromDate, toDate]`` for one account, from the
  rollup at the account's level — the same figures as its statement: ``totalSales``,
  ``totalPrizes`` (payouts), ``totalCommission`` (listero's for a VENTANA account, vendedor's for
  a VENDEDOR one), ``netOperative = sales − prizes − commission``, ``debtStatus`` CXC/CXP/BALANCE,
  ``debtAmount = |netOperative|``. Persisted; recalculating refreshes an OPEN record (same id) and
  is refused (409) for a SETTLED one.
* **Settle** (``settle``): in full, once. Writes an ADJUSTMENT movement of the record's own level
  (VENTANA: banca↔ventana; VENDEDOR: ventana↔vendedor): PAYMENT (the owner pays its creditor) is a
  ``collection`` (valueSigned −amount), COLLECTION a ``payment`` (+amount), through the rollup,
  so statements, balances, dashboards and reconcile count it; marks the record SETTLED. The
  record row is locked (``FOR UPDATE``): of concurrent settles exactly one succeeds.
* **RBAC**: ADMIN all; a listero its ventana's and its vendedores' records (calculates both,
  settles its vendedores' only); a VENDEDOR reads its own (the routes refuse it the writes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Conflict, Forbidden, NotFound
from taquilla.core.ids import new_id
from taquilla.core.money import checked_cents, from_cents, to_cents
from taquilla.core.periods import DateRange, Period, parse_cr_date, resolve_period
from taquilla.core.security import Role
from taquilla.network import rollup
from taquilla.network.auth import NetworkScope
from taquilla.network.ledger import repository as ledger_repo
from taquilla.network.ledger.statements import remaining_cents
from taquilla.network.mayorizations import repository as repo
from taquilla.network.mayorizations.schemas import (
    LedgerEntryOut,
    SettleIn,
    SettleOut,
)
from taquilla.network.models import (
    ADJUSTMENT_KIND,
    MAYORIZATION_SETTLED,
    Account,
    Mayorization,
    Movement,
    Vendedor,
)

ALREADY_SETTLED = "Majorization is already settled"
_SIDES = {"VENTANA": ("El listero", "a la banca", "La banca", "al listero"), "VENDEDOR": ("El vendedor", "al listero", "El listero", "al vendedor")}


def colones(cents: int) -> str:
    """``₡1,150,000`` (``₡1,150,000.50`` when there are céntimos) of non-negative ``cents``."""
    whole, rest = divmod(cents, 100)
    return f"₡{whole:,}" + (f".{rest:02d}" if rest else "")


def debt_description(owner_type: str, debt_status: str, debt_cents: int) -> str:
    """The Spanish text naming the two sides of the account's level (DOMAIN.md "Mayorización").

    VENTANA: CXC "El listero debe ₡X a la banca", CXP "La banca debe ₡X al listero"; VENDEDOR: CXC
    "El vendedor debe ₡X al listero", CXP "El listero debe ₡X al vendedor"; BALANCE: nothing owed.
    """
    debtor, to_creditor, creditor, to_debtor = _SIDES[owner_type]
    if debt_status == "CXC":
        return f"{debtor} debe {colones(debt_cents)} {to_creditor}"
    if debt_status == "CXP":
        return f"{creditor} debe {colones(debt_cents)} {to_debtor}"
    return "Saldo en cero: no hay nada que liquidar" + (" entre la banca y el listero" if owner_type == "VENTANA" else " entre el listero y el vendedor")


def debt_of(net_cents: int) -> tuple[str, int]:
    """``(debtStatus, debtAmount cents)``: CXC when ``net_cents`` > 0, CXP when < 0, BALANCE at 0."""
    return ("CXC" if net_cents > 0 else "CXP" if net_cents < 0 else "BALANCE"), abs(net_cents)


_RECORD_COLUMNS = tuple(c.key for c in Mayorization.__table__.columns)


def record_view(r: Mapping[str, Any], code: str, name: str) -> dict[str, Any]:
    """The response shape of a record (:class:`MayorizationOut`'s keys, amounts exact ``Decimal``) from its
    columns ``r`` (an asyncpg row of ``network_mayorizations`` or :func:`columns_of` an ORM record) and its
    owner's current ``code``/``name``. Hand-written on the hot paths (calculate, history: no model
    validation per record); tests check its keys against :class:`MayorizationOut`."""
    owner_type, status, debt_status, debt = r["owner_type"], r["status"], r["debt_status"], r["debt_amount_cents"]
    settled = r["settled_amount_cents"]
    return {
        "id": r["id"], "accountId": r["account_id"], "ownerType": owner_type, "ownerId": r["owner_id"],
        "ownerCode": code, "ownerName": name, "ventanaId": r["ventana_id"], "date": r["to_date"],
        "fromDate": r["from_date"], "toDate": r["to_date"],
        "totalSales": from_cents(r["total_sales_cents"]), "totalPrizes": from_cents(r["total_prizes_cents"]),
        "totalCommission": from_cents(r["total_commission_cents"]), "netOperative": from_cents(r["net_operative_cents"]),
        "debtStatus": debt_status, "debtAmount": from_cents(debt),
        "debtDescription": debt_description(owner_type, debt_status, debt),
        "status": status, "isSettled": status == MAYORIZATION_SETTLED, "settledDate": r["settled_date"],
        "settledAmount": None if settled is None else from_cents(settled),
        "settlementType": r["settlement_type"], "settlementRef": r["settlement_ref"], "settledBy": r["settled_by"],
        "createdAt": r["created_at"], "updatedAt": r["updated_at"],
    }


def columns_of(m: Mayorization) -> dict[str, Any]:
    """The column values of an ORM record, keyed by column name (the input of :func:`record_view`)."""
    return {k: getattr(m, k) for k in _RECORD_COLUMNS}


async def _view(session: AsyncSession, m: Mayorization) -> dict[str, Any]:
    return record_view(columns_of(m), *await repo.owner_name(session, m.owner_type, m.owner_id))


# ---- calculate ------------------------------------------------------------------------------------


async def calculate(session: AsyncSession, scope: NetworkScope, account_id: str, from_date: str, to_date: str) -> dict[str, Any]:
    """Calculate and persist the mayorization of ``account_id`` over CR dates ``[from_date, to_date]``;
    the record's view (:func:`record_view`).

    ADMIN any account; a listero its ventana's and its vendedores' (a VENDEDOR never reaches here).
    The record of the same account and period is refreshed while OPEN (same id, locked while it
    changes). One statement (:data:`repository.CALCULATE_SQL`). Raises BadRequest
    ``INVALID_DATE``/``INVALID_RANGE``, NotFound ``ACCOUNT_NOT_FOUND`` (also outside the scope),
    Conflict ``MAYORIZATION_SETTLED`` (a SETTLED period never changes).
    """
    start, end = parse_cr_date(from_date, "fromDate"), parse_cr_date(to_date, "toDate")
    if start > end:
        raise BadRequest("fromDate must be on or before toDate.", code="INVALID_RANGE")
    row = await repo.calculate_record(session, scope, account_id, start, end, new_id("maj"))
    if not row["account_found"]:
        raise NotFound(f"Account {account_id!r} not found.", code="ACCOUNT_NOT_FOUND")
    if row["id"] is None:
        raise Conflict(ALREADY_SETTLED, code="MAYORIZATION_SETTLED")
    return record_view(row, row["owner_code"], row["owner_name"])


# ---- history --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryQuery:
    """The history filters as the route received them (strings validated here)."""

    period: str | None
    from_date: str | None
    to_date: str | None
    owner_type: str | None
    owner_id: str | None
    debt_status: str | None
    is_settled: bool | None
    page: int
    page_size: int
    order_by: str
    descending: bool


async def _check_owner_filter(session: AsyncSession, scope: NetworkScope, owner_id: str | None) -> None:
    """An ``ownerId`` outside the caller's scope is a 403 ``OUT_OF_SCOPE`` (never an empty page)."""
    if owner_id is None or scope.is_admin:
        return
    if scope.role is Role.VENDEDOR:
        if owner_id != scope.vendedor_id:
            raise Forbidden("A VENDEDOR sees only its own mayorizations.", code="OUT_OF_SCOPE")
        return
    if owner_id == scope.ventana_id:
        return
    vendedor = await session.get(Vendedor, owner_id)
    if vendedor is None or vendedor.ventana_id != scope.ventana_id:
        raise Forbidden("A listero sees only its ventana's and its vendedores' mayorizations.", code="OUT_OF_SCOPE")


async def history(
    session: AsyncSession, scope: NetworkScope, q: HistoryQuery, today: date,
) -> tuple[list[dict[str, Any]], dict[str, int], dict[str, Decimal]]:
    """Records in the caller's scope whose ``date`` (= ``toDate``) is in the period (default ``week``;
    ``fromDate``+``toDate`` without ``period`` mean ``range``), filtered, ordered (``orderBy``, ties by
    creation) and paged; the summary covers every matching record. Raises BadRequest (period,
    ``PAGE_OUT_OF_RANGE``), Forbidden ``OUT_OF_SCOPE``.
    """
    period = q.period or (Period.RANGE.value if q.from_date and q.to_date else Period.WEEK.value)
    span: DateRange = resolve_period(period, q.from_date, q.to_date, today=today, default=Period.WEEK)
    await _check_owner_filter(session, scope, q.owner_id)
    total, debt, settled, rows = await repo.history_rows(
        session, scope, start=span.start, end=span.end, owner_type=q.owner_type, owner_id=q.owner_id,
        debt_status=q.debt_status, is_settled=q.is_settled, order_by=q.order_by, descending=q.descending,
        offset=(q.page - 1) * q.page_size, limit=q.page_size,
    )
    pages = (total + q.page_size - 1) // q.page_size
    if total and q.page > pages:
        raise BadRequest(f"page {q.page} is out of range (1–{pages}).", code="PAGE_OUT_OF_RANGE")
    pagination = {"page": q.page, "pageSize": q.page_size, "total": total, "totalPages": pages}
    summary = {"totalDebtAmount": from_cents(debt), "totalSettledAmount": from_cents(settled), "pendingSettlement": from_cents(debt - settled)}
    return [record_view(r, r["owner_code"], r["owner_name"]) for r in rows], pagination, summary


# ---- settle ---------------------------------------------------------------------------------------


async def account_balance_cents(session: AsyncSession, account: Account) -> int:
    """The account's all-time remaining balance (cents, + CxC), read from the rollup at its level."""
    sums = await ledger_repo.all_time_by_owner(session, account.owner_type, [account.owner_id])
    return remaining_cents(sums.get(account.owner_id, rollup.zero()), "vendedor" if account.owner_type == "VENDEDOR" else "ventana")


def _check_settlement(m: Mayorization, body: SettleIn) -> int:
    if m.debt_status == "BALANCE":
        raise BadRequest("A BALANCE mayorization has nothing to settle.", code="NOTHING_TO_SETTLE")
    expected = "PAYMENT" if m.debt_status == "CXC" else "COLLECTION"
    if body.settlementType != expected:
        raise BadRequest(
            f"A {m.debt_status} mayorization is settled with settlementType {expected}.", code="SETTLEMENT_TYPE_MISMATCH",
            details={"debtStatus": m.debt_status, "expected": expected},
        )
    cents = checked_cents(to_cents(Decimal(body.amount)))
    if cents != m.debt_amount_cents:
        raise BadRequest(
            f"amount must equal the debtAmount {from_cents(m.debt_amount_cents)} (settled in full).", code="AMOUNT_MISMATCH",
            details={"debtAmount": from_cents(m.debt_amount_cents)},
        )
    return cents


async def settle(session: AsyncSession, scope: NetworkScope, body: SettleIn, now: datetime) -> SettleOut:
    """Settle an OPEN record in full (see the module notes); returns the record, its ADJUSTMENT and the new balance.

    Raises BadRequest ``INVALID_DATE``, ``NOTHING_TO_SETTLE`` (BALANCE), ``SETTLEMENT_TYPE_MISMATCH``,
    ``AMOUNT_MISMATCH``; NotFound ``MAYORIZATION_NOT_FOUND`` (also outside the scope); Forbidden
    ``ROLE_FORBIDDEN`` (a listero's own VENTANA record); Conflict ``MAYORIZATION_SETTLED``.
    """
    day = parse_cr_date(body.date, "date")
    m = await repo.record_for_update(session, body.mayorizationId)
    if m is None or not scope.sees(m.ventana_id, m.vendedor_id):
        raise NotFound(f"Majorization {body.mayorizationId!r} not found.", code="MAYORIZATION_NOT_FOUND")
    if scope.role is not Role.ADMIN and m.owner_type != "VENDEDOR":
        raise Forbidden("A listero settles its vendedores' mayorizations only (the banca settles the ventana's).", code="ROLE_FORBIDDEN")
    if m.status == MAYORIZATION_SETTLED:
        raise Conflict(ALREADY_SETTLED, code="MAYORIZATION_SETTLED")
    cents = _check_settlement(m, body)
    note = f"{body.settlementType} - Ref: {body.reference}" + (f" ({body.note})" if body.note else "")
    movement = Movement(
        id=new_id("entry"), account_id=m.account_id, ventana_id=m.ventana_id, vendedor_id=m.vendedor_id, date=day, time=None,
        amount_cents=cents, type="collection" if body.settlementType == "PAYMENT" else "payment", method="other", notes=note,
        idempotency_key=body.requestId, created_by=scope.user_id, is_reversed=False, is_final=False,
        kind=ADJUSTMENT_KIND, mayorization_id=m.id,
    )
    session.add(movement)
    await session.flush()
    await rollup.record_movement(session, movement, +1)
    m.status, m.settled_date, m.settled_amount_cents, m.settlement_type = MAYORIZATION_SETTLED, day, cents, body.settlementType
    m.settlement_ref, m.settlement_note, m.settled_by, m.settled_at = body.reference, body.note, scope.user_id, now
    await session.flush()
    await session.refresh(m, ["updated_at"])
    account = await session.get(Account, m.account_id)
    assert account is not None
    entry = LedgerEntryOut(
        id=movement.id, valueSigned=from_cents(-cents if movement.type == "collection" else cents), note=note, date=day,
        referenceId=m.id, createdAt=movement.created_at,
    )
    return SettleOut(mayorization=await _view(session, m), ledgerEntry=entry, newBalance=from_cents(await account_balance_cents(session, account)))
