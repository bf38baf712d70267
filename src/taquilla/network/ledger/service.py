"""Rules of the ledger (DOMAIN.md "Sales network": Two levels of accounts, Movements, Day statement).

* **Accounts**: one per ventana (its position with the banca) and per vendedor (its position
  with its ventana). Balance = all-time remaining balance, read from the rollup.
* **Movements**: a cobro (``collection``, money from the debtor side to the creditor side) or
  pago (``payment``, the other way) on a CR date; reversed, never deleted. Only ``ventanaId``:
  between the banca and that ventana (ADMIN). ``vendedorId``: between the vendedor and its
  ventana (ADMIN or that ventana's listero) — it never changes the ventana's account with the banca.
* **Statement** of banca/ventana/vendedor per CR day (:mod:`taquilla.network.ledger.statements`),
  computed from the rollup (a GET writes nothing; the figures never depend on who asks):
  ``balance = sales − payouts − commission`` (listero's for banca/ventana, vendedor's for
  vendedor); ``remainingBalance = balance − collected + paid`` with the movements of the
  entity's own level. Positive = the entity owes its creditor (CxC), negative = CxP.

Reconcile (the rollup recomputed from the facts) is :mod:`taquilla.network.ledger.reconcile`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Conflict, Forbidden, NotFound
from taquilla.core.ids import new_id
from taquilla.core.money import from_cents, positive_cents
from taquilla.core.pagination import PageParams
from taquilla.core.periods import (
    DateRange,
    parse_cr_date,
)
from taquilla.core.security import Role
from taquilla.network import rollup
from taquilla.network.auth import NetworkScope
from taquilla.network.ledger import repository as repo
from taquilla.network.ledger import statements
from taquilla.network.ledger.schemas import (
    AccountOut,
    DayStatement,
    MovementIn,
)
from taquilla.network.ledger.statements import commission_cents, remaining_cents
from taquilla.network.mayorizations import repository as mayorizations
from taquilla.network.models import Account, Movement, Vendedor, Ventana


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
            totalPayouts=from_cents(r["payouts_cents"]), totalCommission=from_cents(commission_cents(r, dimension)),
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


async def _insert_movement(session: AsyncSession, scope: NetworkScope, body: MovementIn) -> Movement:
    """The checked movement, inserted (flushed), not yet in the rollup."""
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
    return movement


async def create_movement(session: AsyncSession, scope: NetworkScope, body: MovementIn) -> Movement:
    """Record a cobro or pago of a ventana (with the banca) or a vendedor (with its ventana) on CR ``date``.

    ADMIN: any; listero: its vendedores (``scope`` is never a VENDEDOR's: the route refuses it).
    Raises BadRequest ``INVALID_DATE``, ``TARGET_REQUIRED``, ``VENTANA_MISMATCH``,
    ``AMOUNT_ROUNDS_TO_ZERO``, ``AMOUNT_TOO_LARGE``; NotFound; Forbidden ``ROLE_FORBIDDEN``/``OUT_OF_SCOPE``.
    """
    movement = await _insert_movement(session, scope, body)
    await rollup.record_movement(session, movement, +1)
    return movement


async def create_movement_answered(
    session: AsyncSession, scope: NetworkScope, body: MovementIn,
) -> tuple[Movement, DayStatement | None]:
    """:func:`create_movement` and the day statement right after it
    (:func:`taquilla.network.ledger.statements.day_statement_of`): ``POST /accounts/payment``'s answer.
    Its parts no movement changes are read before the rollup row is locked."""
    movement = await _insert_movement(session, scope, body)
    fixed = await statements.day_parts_before_lock(session, scope, movement)
    await rollup.record_movement(session, movement, +1)  # the day's row: held until the transaction ends
    return movement, await statements.day_after_lock(session, fixed, movement)


async def _mark_reversed(session: AsyncSession, scope: NetworkScope, movement_id: str, reason: str, now: datetime) -> Movement:
    """The movement, locked, checked and marked reversed (flushed), still in the rollup."""
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
    await session.flush()
    return movement


async def reverse_movement(session: AsyncSession, scope: NetworkScope, movement_id: str, reason: str, now: datetime) -> Movement:
    """Mark a movement reversed (never deleted) and take it out of the rollup.

    A listero reverses movements of its vendedores only. Raises NotFound ``PAYMENT_NOT_FOUND``
    (also outside the scope), Forbidden ``ROLE_FORBIDDEN``, Conflict ``ALREADY_REVERSED``.
    """
    movement = await _mark_reversed(session, scope, movement_id, reason, now)
    await rollup.record_movement(session, movement, -1)
    return movement


async def reverse_movement_answered(
    session: AsyncSession, scope: NetworkScope, movement_id: str, reason: str, now: datetime,
) -> tuple[Movement, DayStatement | None]:
    """:func:`reverse_movement` and the day statement right after it (``POST /accounts/reverse-payment``'s answer)."""
    movement = await _mark_reversed(session, scope, movement_id, reason, now)
    fixed = await statements.day_parts_before_lock(session, scope, movement)
    await rollup.record_movement(session, movement, -1)  # the day's row: held until the transaction ends
    return movement, await statements.day_after_lock(session, fixed, movement)


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
