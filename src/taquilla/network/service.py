"""Rules of the sales network (DOMAIN.md "Sales network", seeds 001–003).

* **Scope** (RBAC): ADMIN everything; VENTANA (listero) its ventana and its vendedores;
  VENDEDOR only its own records. Out-of-scope ids in filters → 403; a record outside the
  scope asked by id → 404 (never leaked).
* **Sale**: a vendedor sells for an ``OPEN`` sorteo before ``scheduledAt − salesCutoffMinutes``;
  the multiplier and both commission snapshots are frozen on each jugada; the rollup row of
  (businessDate, ventana, vendedor) is bumped in the same transaction.
* **Commission** percent: vendedor's policy → ventana's → banca's for the vendedor;
  ventana's → banca's for the listero. Within one policy the most specific matching rule
  (lotería + bet type > lotería > bet type) wins, then its ``percent``.
  ``commission cents = round_half_up(amount_cents × percent / 100)``.
* **Evaluation**: NUMERO wins ``amount × multiplier_x`` (frozen), REVENTADO wins
  ``amount × extraMultiplierX`` (of the evaluation). Revert while nothing is paid.
* **Statement** (per CR day): ``balance = sales − payouts − commission`` (listero's for
  dimension banca/ventana, vendedor's for dimension vendedor); ``remainingBalance =
  balance − collected + paid``; positive = the entity owes the banca (CxC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Conflict, Forbidden, NotFound
from taquilla.core.ids import new_id
from taquilla.core.money import from_cents, to_cents
from taquilla.core.periods import DateRange, Period, cr_date_of, month_range, parse_cr_date, resolve_period
from taquilla.core.security import Principal, Role
from taquilla.identity.models import User
from taquilla.identity.service import create_user
from taquilla.network import repository as repo
from taquilla.network.models import (
    NO_VENDEDOR,
    TICKET_ACTIVE,
    TICKET_CANCELLED,
    TICKET_EVALUATED,
    Account,
    Banca,
    Jugada,
    Loteria,
    LotteryTicket,
    Movement,
    PrizePayment,
    Sorteo,
    Vendedor,
    Ventana,
)
from taquilla.network.schemas import (
    BancaIn,
    BancaPatch,
    CommissionPolicy,
    EvaluateIn,
    LoteriaIn,
    LoteriaPatch,
    MovementIn,
    PrizePaymentIn,
    SorteoIn,
    SorteoPatch,
    TicketIn,
    VendedorIn,
    VendedorPatch,
    VentanaIn,
    VentanaPatch,
)

HUNDRED = Decimal(100)
_DIGITS = re.compile(r"^\d+$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# ---- scope -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a caller may see: ``ventana_id``/``vendedor_id`` None = unrestricted at that level."""

    role: Role
    user_id: str
    ventana_id: str | None
    vendedor_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def sees(self, ventana_id: str, vendedor_id: str | None) -> bool:
        """True when a record of (ventana, vendedor) is inside the scope."""
        if self.ventana_id is not None and ventana_id != self.ventana_id:
            return False
        return self.vendedor_id is None or vendedor_id == self.vendedor_id


def scope_of(principal: Principal) -> Scope:
    """The network scope of ``principal``. Raises Forbidden for ORGANIZER or a token without ventana."""
    if principal.role is Role.ADMIN:
        return Scope(principal.role, principal.user_id, None, None)
    if principal.role in (Role.VENTANA, Role.VENDEDOR) and principal.ventana_id:
        vendedor = principal.user_id if principal.role is Role.VENDEDOR else None
        return Scope(principal.role, principal.user_id, principal.ventana_id, vendedor)
    raise Forbidden("This role has no access to the sales network.", code="NETWORK_FORBIDDEN")


def require_admin(scope: Scope) -> None:
    if not scope.is_admin:
        raise Forbidden("Only ADMIN may do this.", code="ADMIN_ONLY")


# ---- commissions -----------------------------------------------------------------------------------


def policy_json(policy: CommissionPolicy | None) -> dict[str, Any] | None:
    """A policy as stored (JSONB): percents as numbers."""
    if policy is None:
        return None
    return {
        "percent": float(policy.percent) if policy.percent is not None else None,
        "rules": [
            {"loteriaId": r.loteriaId, "betType": r.betType, "percent": float(r.percent)} for r in policy.rules
        ],
    }


def resolve_percent(policies: list[dict[str, Any] | None], loteria_id: str, bet_type: str) -> Decimal:
    """The commission percent of the first policy (in order) that has a matching rule or a default.

    Within a policy: the matching rule with lotería and bet type beats one with lotería only,
    which beats one with bet type only. No policy answers → 0.
    """
    for policy in policies:
        if not policy:
            continue
        best, best_score = None, -1
        for rule in policy.get("rules") or []:
            if rule.get("loteriaId") not in (None, loteria_id) or rule.get("betType") not in (None, bet_type):
                continue
            score = (2 if rule.get("loteriaId") else 0) + (1 if rule.get("betType") else 0)
            if score > best_score:
                best, best_score = rule, score
        if best is not None:
            return Decimal(str(best["percent"]))
        if policy.get("percent") is not None:
            return Decimal(str(policy["percent"]))
    return Decimal(0)


def percent_of(cents: int, percent: Decimal) -> int:
    """``round_half_up(cents × percent / 100)``."""
    return int((Decimal(cents) * percent / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---- structure ---------------------------------------------------------------------------------------


async def create_banca(session: AsyncSession, body: BancaIn) -> Banca:
    """Raises Conflict ``BANCA_EXISTS`` / ``CODE_TAKEN``."""
    bid = body.id or new_id("ban")
    if await repo.get(session, Banca, bid) is not None:
        raise Conflict(f"Banca {bid!r} already exists.", code="BANCA_EXISTS")
    if await repo.code_taken(session, Banca, body.code):
        raise Conflict(f"Code {body.code!r} is taken.", code="CODE_TAKEN")
    banca = Banca(id=bid, code=body.code, name=body.name, is_active=body.isActive, commission_policy=policy_json(body.commissionPolicy))
    await repo.add(session, banca)
    return banca


async def update_banca(session: AsyncSession, banca_id: str, body: BancaPatch) -> Banca:
    banca = await _need(session, Banca, banca_id, "BANCA_NOT_FOUND")
    _patch(banca, body, {"name": "name", "isActive": "is_active"})
    if "commissionPolicy" in body.model_fields_set:
        banca.commission_policy = policy_json(body.commissionPolicy)
    await session.flush()
    return banca


async def create_ventana(session: AsyncSession, body: VentanaIn) -> tuple[Ventana, Account]:
    """A ventana and its account. Raises NotFound ``BANCA_NOT_FOUND``, Conflict ``VENTANA_EXISTS``/``CODE_TAKEN``."""
    await _need(session, Banca, body.bancaId, "BANCA_NOT_FOUND")
    vid = body.id or new_id("ven")
    if await repo.get(session, Ventana, vid) is not None:
        raise Conflict(f"Ventana {vid!r} already exists.", code="VENTANA_EXISTS")
    if await repo.code_taken(session, Ventana, body.code):
        raise Conflict(f"Code {body.code!r} is taken.", code="CODE_TAKEN")
    ventana = Ventana(
        id=vid, banca_id=body.bancaId, code=body.code, name=body.name, is_active=body.isActive,
        commission_policy=policy_json(body.commissionPolicy),
    )
    await repo.add(session, ventana)
    account = Account(id=new_id("acc"), owner_type="VENTANA", owner_id=vid, ventana_id=vid)
    await repo.add(session, account)
    return ventana, account


async def update_ventana(session: AsyncSession, ventana_id: str, body: VentanaPatch) -> Ventana:
    ventana = await _need(session, Ventana, ventana_id, "VENTANA_NOT_FOUND")
    _patch(ventana, body, {"name": "name", "isActive": "is_active"})
    if "commissionPolicy" in body.model_fields_set:
        ventana.commission_policy = policy_json(body.commissionPolicy)
    await session.flush()
    return ventana


async def create_vendedor(session: AsyncSession, scope: Scope, body: VendedorIn) -> tuple[Vendedor, Account]:
    """The VENDEDOR user, its vendedor record (same id) and account.

    ADMIN names ``ventanaId``; a VENTANA caller creates in its own ventana (another → 403).
    Raises NotFound ``VENTANA_NOT_FOUND``, Conflict ``CODE_TAKEN``/``USERNAME_TAKEN``.
    """
    if scope.role is Role.VENDEDOR:
        raise Forbidden("A VENDEDOR may not create vendedores.", code="ROLE_FORBIDDEN")
    ventana_id = body.ventanaId or scope.ventana_id
    if ventana_id is None:
        raise BadRequest("ventanaId is required.", code="VENTANA_REQUIRED")
    if scope.ventana_id is not None and ventana_id != scope.ventana_id:
        raise Forbidden("You may only manage vendedores of your ventana.", code="VENTANA_OUT_OF_SCOPE")
    await _need(session, Ventana, ventana_id, "VENTANA_NOT_FOUND")
    if await repo.code_taken(session, Vendedor, body.code):
        raise Conflict(f"Code {body.code!r} is taken.", code="CODE_TAKEN")
    user = await create_user(
        session, username=body.username, password=body.password, role=Role.VENDEDOR, full_name=body.name, ventana_id=ventana_id
    )
    user.is_active = body.isActive
    vendedor = Vendedor(
        id=user.id, ventana_id=ventana_id, code=body.code, name=body.name, is_active=body.isActive,
        commission_policy=policy_json(body.commissionPolicy),
    )
    await repo.add(session, vendedor)
    account = Account(id=new_id("acc"), owner_type="VENDEDOR", owner_id=user.id, ventana_id=ventana_id)
    await repo.add(session, account)
    return vendedor, account


async def get_vendedor_in_scope(session: AsyncSession, scope: Scope, vendedor_id: str) -> Vendedor:
    """The vendedor if the caller may see it; NotFound ``VENDEDOR_NOT_FOUND`` otherwise."""
    vendedor = await repo.get(session, Vendedor, vendedor_id)
    if vendedor is None or not scope.sees(vendedor.ventana_id, vendedor.id):
        raise NotFound(f"Vendedor {vendedor_id!r} not found.", code="VENDEDOR_NOT_FOUND")
    return vendedor


async def update_vendedor(session: AsyncSession, scope: Scope, vendedor_id: str, body: VendedorPatch) -> Vendedor:
    """ADMIN or the vendedor's listero. Deactivating also blocks the user's login."""
    if scope.role is Role.VENDEDOR:
        raise Forbidden("A VENDEDOR may not change vendedores.", code="ROLE_FORBIDDEN")
    vendedor = await get_vendedor_in_scope(session, scope, vendedor_id)
    _patch(vendedor, body, {"name": "name", "isActive": "is_active"})
    if "commissionPolicy" in body.model_fields_set:
        vendedor.commission_policy = policy_json(body.commissionPolicy)
    if body.isActive is not None:
        user = await repo.get(session, User, vendedor.id)
        if user is not None:
            user.is_active = body.isActive
    await session.flush()
    return vendedor


async def create_loteria(session: AsyncSession, body: LoteriaIn) -> Loteria:
    lid = body.id or new_id("lot")
    if await repo.get(session, Loteria, lid) is not None:
        raise Conflict(f"Lotería {lid!r} already exists.", code="LOTERIA_EXISTS")
    if await repo.loteria_name_taken(session, body.name):
        raise Conflict(f"Lotería name {body.name!r} is taken.", code="NAME_TAKEN")
    loteria = Loteria(
        id=lid, name=body.name, digits=body.digits, base_multiplier_x=body.baseMultiplierX,
        reventado_enabled=body.reventadoEnabled, draw_times=list(body.drawTimes),
        sales_cutoff_minutes=body.salesCutoffMinutes,
        max_bet_cents=to_cents(body.maxAmountPerBet) if body.maxAmountPerBet is not None else None,
        max_per_number_cents=to_cents(body.maxAmountPerNumber) if body.maxAmountPerNumber is not None else None,
        is_active=body.isActive,
    )
    await repo.add(session, loteria)
    return loteria


async def update_loteria(session: AsyncSession, loteria_id: str, body: LoteriaPatch) -> Loteria:
    """Later sales use the new values; sold jugadas keep their frozen multiplier."""
    loteria = await _need(session, Loteria, loteria_id, "LOTERIA_NOT_FOUND")
    fields = body.model_fields_set
    if "name" in fields and body.name and body.name != loteria.name and await repo.loteria_name_taken(session, body.name):
        raise Conflict(f"Lotería name {body.name!r} is taken.", code="NAME_TAKEN")
    _patch(loteria, body, {
        "name": "name", "baseMultiplierX": "base_multiplier_x", "reventadoEnabled": "reventado_enabled",
        "drawTimes": "draw_times", "salesCutoffMinutes": "sales_cutoff_minutes", "isActive": "is_active",
    })
    if "maxAmountPerBet" in fields:
        loteria.max_bet_cents = to_cents(body.maxAmountPerBet) if body.maxAmountPerBet is not None else None
    if "maxAmountPerNumber" in fields:
        loteria.max_per_number_cents = to_cents(body.maxAmountPerNumber) if body.maxAmountPerNumber is not None else None
    await session.flush()
    return loteria


async def create_sorteo(session: AsyncSession, body: SorteoIn) -> Sorteo:
    """A SCHEDULED sorteo; ``business_date`` = CR date of ``scheduledAt``."""
    await _need(session, Loteria, body.loteriaId, "LOTERIA_NOT_FOUND")
    sid = body.id or new_id("sor")
    if await repo.get(session, Sorteo, sid) is not None:
        raise Conflict(f"Sorteo {sid!r} already exists.", code="SORTEO_EXISTS")
    sorteo = Sorteo(
        id=sid, loteria_id=body.loteriaId, scheduled_at=body.scheduledAt, business_date=cr_date_of(body.scheduledAt),
        status="SCHEDULED",
    )
    session.add(sorteo)
    try:
        async with session.begin_nested():
            await session.flush()
    except Exception as exc:  # the (lotería, scheduledAt) unique key
        if "uq_sorteos_loteria_id_scheduled_at" in str(exc):
            raise Conflict("This lotería already has a sorteo at that time.", code="SORTEO_EXISTS") from exc
        raise
    return sorteo


async def update_sorteo(session: AsyncSession, sorteo_id: str, body: SorteoPatch) -> Sorteo:
    """Reschedule a sorteo that has not been evaluated and has no tickets."""
    pair = await repo.sorteo_with_loteria(session, sorteo_id, lock="update")
    if pair is None:
        raise NotFound(f"Sorteo {sorteo_id!r} not found.", code="SORTEO_NOT_FOUND")
    sorteo = pair[0]
    if body.scheduledAt is not None:
        if sorteo.status not in ("SCHEDULED", "OPEN") or await repo.sorteo_has_tickets(session, sorteo_id):
            raise Conflict("Only a sorteo without tickets can be rescheduled.", code="SORTEO_HAS_TICKETS")
        sorteo.scheduled_at = body.scheduledAt
        sorteo.business_date = cr_date_of(body.scheduledAt)
    await session.flush()
    return sorteo


def cutoff_of(sorteo: Sorteo, loteria: Loteria) -> datetime:
    """``scheduledAt − salesCutoffMinutes``: the last moment to sell or cancel (exclusive)."""
    return sorteo.scheduled_at - timedelta(minutes=loteria.sales_cutoff_minutes)


async def open_sorteo(session: AsyncSession, sorteo_id: str) -> tuple[Sorteo, Loteria]:
    """SCHEDULED → OPEN. Raises Conflict ``INVALID_SORTEO_STATE``."""
    sorteo, loteria = await _sorteo_for_update(session, sorteo_id)
    _transition(sorteo, "SCHEDULED", "OPEN")
    await session.flush()
    return sorteo, loteria


async def close_sorteo(session: AsyncSession, sorteo_id: str) -> tuple[Sorteo, Loteria]:
    """EVALUATED → CLOSED (no revert afterwards; prizes may still be paid)."""
    sorteo, loteria = await _sorteo_for_update(session, sorteo_id)
    _transition(sorteo, "EVALUATED", "CLOSED")
    await session.flush()
    return sorteo, loteria


def _check_number(value: str, loteria: Loteria, code: str, what: str) -> None:
    if not _DIGITS.match(value) or len(value) != loteria.digits:
        top = "9" * loteria.digits
        raise BadRequest(f"{what} must have exactly {loteria.digits} digits ({'0' * loteria.digits}–{top}), got {value!r}.", code=code)


async def evaluate_sorteo(session: AsyncSession, sorteo_id: str, body: EvaluateIn, now: datetime) -> tuple[Sorteo, Loteria]:
    """OPEN → EVALUATED with the winning number: marks winners, sets payouts, bumps the rollup.

    Raises BadRequest ``INVALID_WINNING_NUMBER``; Conflict ``ALREADY_EVALUATED``,
    ``INVALID_SORTEO_STATE`` or ``SALES_STILL_OPEN`` (before the cutoff).
    """
    sorteo, loteria = await _sorteo_for_update(session, sorteo_id)
    _check_number(body.winningNumber, loteria, "INVALID_WINNING_NUMBER", "winningNumber")
    if sorteo.status in ("EVALUATED", "CLOSED"):
        raise Conflict("This sorteo was already evaluated.", code="ALREADY_EVALUATED")
    if sorteo.status != "OPEN":
        raise Conflict(f"A {sorteo.status} sorteo cannot be evaluated.", code="INVALID_SORTEO_STATE")
    if now < cutoff_of(sorteo, loteria):
        raise Conflict("Sales of this sorteo are still open.", code="SALES_STILL_OPEN")
    await repo.mark_winners(session, sorteo.id, body.winningNumber, body.extraMultiplierX)
    await repo.rollup_payouts_of_sorteo(session, sorteo.id, +1)
    sorteo.status, sorteo.winning_number, sorteo.extra_multiplier_x, sorteo.evaluated_at = (
        "EVALUATED", body.winningNumber, body.extraMultiplierX, now,
    )
    await session.flush()
    return sorteo, loteria


async def revert_evaluation(session: AsyncSession, sorteo_id: str) -> tuple[Sorteo, Loteria]:
    """EVALUATED → OPEN, payouts removed. Raises Conflict ``NOT_EVALUATED`` / ``PRIZES_PAID``."""
    sorteo, loteria = await _sorteo_for_update(session, sorteo_id)
    if sorteo.status != "EVALUATED":
        raise Conflict("Only an EVALUATED sorteo can be reverted.", code="NOT_EVALUATED")
    if await repo.sorteo_has_paid_prizes(session, sorteo.id):
        raise Conflict("Prizes of this sorteo were paid; reverse them first.", code="PRIZES_PAID")
    await repo.rollup_payouts_of_sorteo(session, sorteo.id, -1)
    await repo.clear_winners(session, sorteo.id)
    sorteo.status, sorteo.winning_number, sorteo.extra_multiplier_x, sorteo.evaluated_at = "OPEN", None, None, None
    await session.flush()
    return sorteo, loteria


async def _sorteo_for_update(session: AsyncSession, sorteo_id: str) -> tuple[Sorteo, Loteria]:
    pair = await repo.sorteo_with_loteria(session, sorteo_id, lock="update")
    if pair is None:
        raise NotFound(f"Sorteo {sorteo_id!r} not found.", code="SORTEO_NOT_FOUND")
    return pair


def _transition(sorteo: Sorteo, source: str, target: str) -> None:
    if sorteo.status != source:
        raise Conflict(f"A {sorteo.status} sorteo cannot become {target} (needs {source}).", code="INVALID_SORTEO_STATE")
    sorteo.status = target


# ---- sales -------------------------------------------------------------------------------------------


@dataclass
class SoldTicket:
    """A ticket with its jugadas (for the response)."""

    ticket: LotteryTicket
    jugadas: list[Jugada]


async def sell(session: AsyncSession, scope: Scope, body: TicketIn, now: datetime) -> SoldTicket:
    """Sell a ticket (all-or-nothing). See the module docstring for the rules.

    Raises Forbidden (vendedor of another ventana / another vendedor), NotFound
    (``VENDEDOR_NOT_FOUND``, ``SORTEO_NOT_FOUND``), BadRequest (``INVALID_NUMBER``,
    ``INVALID_AMOUNT``, ``REVENTADO_NOT_ALLOWED``, ``VENDEDOR_REQUIRED``), Conflict
    (``SORTEO_NOT_OPEN``, ``SALES_CLOSED``, ``INACTIVE``, ``BET_LIMIT_EXCEEDED``, ``NUMBER_LIMIT_EXCEEDED``).
    """
    if scope.role is Role.VENDEDOR:
        if body.vendedorId not in (None, scope.vendedor_id):
            raise Forbidden("A VENDEDOR sells only for itself.", code="VENDEDOR_OUT_OF_SCOPE")
        vendedor_id = scope.vendedor_id
    elif body.vendedorId is None:
        raise BadRequest("vendedorId is required.", code="VENDEDOR_REQUIRED")
    else:
        vendedor_id = body.vendedorId
    assert vendedor_id is not None
    parties = await repo.sale_parties(session, vendedor_id)
    if parties is None:
        raise NotFound(f"Vendedor {vendedor_id!r} not found.", code="VENDEDOR_NOT_FOUND")
    vendedor, ventana, banca = parties
    if scope.ventana_id is not None and ventana.id != scope.ventana_id:
        raise Forbidden("This vendedor belongs to another ventana.", code="VENDEDOR_OUT_OF_SCOPE")
    if not (vendedor.is_active and ventana.is_active and banca.is_active):
        raise Conflict("The vendedor, its ventana or its banca is inactive.", code="INACTIVE")

    pair = await repo.sorteo_with_loteria(session, body.sorteoId, lock="share")
    if pair is None:
        raise NotFound(f"Sorteo {body.sorteoId!r} not found.", code="SORTEO_NOT_FOUND")
    sorteo, loteria = pair
    lines: list[tuple[str, int, str]] = []
    for i, j in enumerate(body.jugadas):
        _check_number(j.number, loteria, "INVALID_NUMBER", f"jugadas[{i}].number")
        cents = to_cents(j.amount)
        if cents <= 0:
            raise BadRequest(f"jugadas[{i}].amount must be at least 0.01.", code="INVALID_AMOUNT")
        if j.type == "REVENTADO" and not loteria.reventado_enabled:
            raise BadRequest(f"{loteria.name} has no reventado (extra multiplier) rule.", code="REVENTADO_NOT_ALLOWED")
        lines.append((j.number, cents, j.type))
    if sorteo.status != "OPEN":
        raise Conflict(f"Sorteo is {sorteo.status}; sales need an OPEN sorteo.", code="SORTEO_NOT_OPEN")
    if now >= cutoff_of(sorteo, loteria):
        raise Conflict("Sales for this sorteo are closed (cutoff passed).", code="SALES_CLOSED")
    if not loteria.is_active:
        raise Conflict("This lotería is inactive.", code="INACTIVE")
    if loteria.max_bet_cents is not None:
        for number, cents, _ in lines:
            if cents > loteria.max_bet_cents:
                raise Conflict(
                    f"A bet on {number} exceeds the limit per bet ({from_cents(loteria.max_bet_cents):.2f}).",
                    code="BET_LIMIT_EXCEEDED",
                )
    if loteria.max_per_number_cents is not None:
        wanted: dict[str, int] = {}
        for number, cents, _ in lines:
            wanted[number] = wanted.get(number, 0) + cents
        sold = await repo.sold_per_number(session, sorteo.id, list(wanted))
        for number in sorted(wanted):
            if sold.get(number, 0) + wanted[number] > loteria.max_per_number_cents:
                left = max(0, loteria.max_per_number_cents - sold.get(number, 0))
                raise Conflict(
                    f"Number {number} would exceed its limit for this sorteo (available {from_cents(left):.2f}).",
                    code="NUMBER_LIMIT_EXCEEDED",
                    details={"number": number, "available": from_cents(left)},
                )

    vend_policies = [vendedor.commission_policy, ventana.commission_policy, banca.commission_policy]
    list_policies = [ventana.commission_policy, banca.commission_policy]
    ticket_id = new_id("tkt")
    jugadas: list[Jugada] = []
    for number, cents, bet_type in lines:
        vp = resolve_percent(vend_policies, loteria.id, bet_type)
        lp = resolve_percent(list_policies, loteria.id, bet_type)
        jugadas.append(
            Jugada(
                id=new_id("jug"), ticket_id=ticket_id, sorteo_id=sorteo.id, number=number, bet_type=bet_type,
                amount_cents=cents, multiplier_x=loteria.base_multiplier_x,
                commission_percent=vp, commission_cents=percent_of(cents, vp),
                listero_commission_percent=lp, listero_commission_cents=percent_of(cents, lp),
                is_winner=False, payout_cents=0,
            )
        )
    total = sum(j.amount_cents for j in jugadas)
    commission = sum(j.commission_cents for j in jugadas)
    listero = sum(j.listero_commission_cents for j in jugadas)
    await repo.bump_rollups(session, [{
        "business_date": sorteo.business_date, "ventana_id": ventana.id, "vendedor_id": vendedor.id,
        "sales_cents": total, "listero_commission_cents": listero, "vendedor_commission_cents": commission, "ticket_count": 1,
    }])
    number = await repo.next_ticket_number(session, sorteo.business_date)
    ticket = LotteryTicket(
        id=ticket_id, ticket_number=number, business_date=sorteo.business_date, sorteo_id=sorteo.id,
        loteria_id=loteria.id, ventana_id=ventana.id, vendedor_id=vendedor.id, status=TICKET_ACTIVE,
        total_amount_cents=total, commission_cents=commission, listero_commission_cents=listero,
        payout_cents=0, paid_cents=0, created_by=scope.user_id,
    )
    session.add(ticket)
    await session.flush()
    await repo.insert_jugadas(session, [_jugada_row(j) for j in jugadas])
    return SoldTicket(ticket, jugadas)


def _jugada_row(j: Jugada) -> dict[str, Any]:
    return {c: getattr(j, c) for c in (
        "id", "ticket_id", "sorteo_id", "number", "bet_type", "amount_cents", "multiplier_x", "commission_percent",
        "commission_cents", "listero_commission_percent", "listero_commission_cents", "is_winner", "payout_cents",
    )}


async def get_ticket_in_scope(session: AsyncSession, scope: Scope, ticket_id: str) -> LotteryTicket:
    ticket = await repo.get(session, LotteryTicket, ticket_id)
    if ticket is None or not scope.sees(ticket.ventana_id, ticket.vendedor_id):
        raise NotFound(f"Ticket {ticket_id!r} not found.", code="TICKET_NOT_FOUND")
    return ticket


async def _lock_ticket(session: AsyncSession, scope: Scope, ticket_id: str) -> tuple[LotteryTicket, Sorteo, Loteria]:
    """Lock order shared by every ticket write: sorteo (KEY SHARE) first, then the ticket (UPDATE)."""
    peek = await get_ticket_in_scope(session, scope, ticket_id)
    pair = await repo.sorteo_with_loteria(session, peek.sorteo_id, lock="share")
    assert pair is not None
    ticket = await repo.ticket_for_update(session, ticket_id)
    assert ticket is not None
    return ticket, pair[0], pair[1]


async def cancel_ticket(session: AsyncSession, scope: Scope, ticket_id: str, now: datetime) -> LotteryTicket:
    """Cancel an ACTIVE ticket before its sorteo's cutoff; its figures leave the rollup.

    Raises NotFound ``TICKET_NOT_FOUND``; Conflict ``TICKET_NOT_ACTIVE`` / ``SALES_CLOSED``.
    """
    ticket, sorteo, loteria = await _lock_ticket(session, scope, ticket_id)
    if ticket.status != TICKET_ACTIVE:
        raise Conflict(f"The ticket is {ticket.status}.", code="TICKET_NOT_ACTIVE")
    if now >= cutoff_of(sorteo, loteria):
        raise Conflict("The sorteo's cutoff has passed; the ticket can no longer be cancelled.", code="SALES_CLOSED")
    ticket.status, ticket.cancelled_at, ticket.cancelled_by = TICKET_CANCELLED, now, scope.user_id
    await repo.bump_rollups(session, [{
        "business_date": ticket.business_date, "ventana_id": ticket.ventana_id, "vendedor_id": ticket.vendedor_id,
        "sales_cents": -ticket.total_amount_cents, "listero_commission_cents": -ticket.listero_commission_cents,
        "vendedor_commission_cents": -ticket.commission_cents, "ticket_count": -1,
    }])
    await session.flush()
    return ticket


# ---- prize payments -------------------------------------------------------------------------------


async def pay_prize(
    session: AsyncSession, scope: Scope, ticket_id: str, body: PrizePaymentIn, now: datetime
) -> tuple[PrizePayment, LotteryTicket]:
    """Pay (part of) a winning ticket's prize to the customer; never above the payout.

    Raises NotFound ``TICKET_NOT_FOUND``; Conflict ``NOT_A_WINNER`` / ``PRIZE_ALREADY_PAID`` /
    ``PRIZE_EXCEEDS_PAYOUT``; BadRequest ``INVALID_AMOUNT``.
    """
    ticket, _, _ = await _lock_ticket(session, scope, ticket_id)
    if ticket.status != TICKET_EVALUATED or ticket.payout_cents <= 0:
        raise Conflict("This ticket has no prize to pay.", code="NOT_A_WINNER")
    remaining = ticket.payout_cents - ticket.paid_cents
    if remaining <= 0:
        raise Conflict("This prize is already fully paid.", code="PRIZE_ALREADY_PAID")
    cents = remaining if body.amount is None else to_cents(body.amount)
    if cents <= 0:
        raise BadRequest("amount must be at least 0.01.", code="INVALID_AMOUNT")
    if cents > remaining:
        raise Conflict(
            f"The amount exceeds the unpaid prize ({from_cents(remaining):.2f}).", code="PRIZE_EXCEEDS_PAYOUT",
            details={"remaining": from_cents(remaining)},
        )
    payment = PrizePayment(
        id=new_id("prz"), ticket_id=ticket.id, amount_cents=cents, notes=body.notes, created_by=scope.user_id
    )
    ticket.paid_cents += cents
    await repo.add(session, payment)
    await repo.bump_rollups(session, [{
        "business_date": ticket.business_date, "ventana_id": ticket.ventana_id, "vendedor_id": ticket.vendedor_id,
        "paid_to_customer_cents": cents,
    }])
    return payment, ticket


async def reverse_prize_payment(session: AsyncSession, scope: Scope, payment_id: str, reason: str, now: datetime) -> PrizePayment:
    """Reverse a prize payment (kept, marked). Raises NotFound, Conflict ``ALREADY_REVERSED``, Forbidden for a VENDEDOR."""
    if scope.role is Role.VENDEDOR:
        raise Forbidden("A VENDEDOR may not reverse prize payments.", code="ROLE_FORBIDDEN")
    peek = await repo.get(session, PrizePayment, payment_id)
    if peek is None:
        raise NotFound(f"Prize payment {payment_id!r} not found.", code="PRIZE_PAYMENT_NOT_FOUND")
    ticket, _, _ = await _lock_ticket(session, scope, peek.ticket_id)
    payment = await repo.prize_payment_for_update(session, payment_id)
    assert payment is not None
    if payment.reversed_at is not None:
        raise Conflict("This prize payment was already reversed.", code="ALREADY_REVERSED")
    payment.reversed_at, payment.reversed_by, payment.reverse_reason = now, scope.user_id, reason
    ticket.paid_cents -= payment.amount_cents
    await repo.bump_rollups(session, [{
        "business_date": ticket.business_date, "ventana_id": ticket.ventana_id, "vendedor_id": ticket.vendedor_id,
        "paid_to_customer_cents": -payment.amount_cents,
    }])
    await session.flush()
    return payment


# ---- movements ----------------------------------------------------------------------------------------


async def _movement_target(session: AsyncSession, scope: Scope, ventana_id: str | None, vendedor_id: str | None) -> tuple[str, str | None]:
    if scope.role is Role.VENDEDOR:
        raise Forbidden("A VENDEDOR may not register movements.", code="ROLE_FORBIDDEN")
    if vendedor_id:
        vendedor = await repo.get(session, Vendedor, vendedor_id)
        if vendedor is None:
            raise NotFound(f"Vendedor {vendedor_id!r} not found.", code="VENDEDOR_NOT_FOUND")
        if ventana_id and ventana_id != vendedor.ventana_id:
            raise BadRequest("The vendedor does not belong to that ventana.", code="VENTANA_MISMATCH")
        ventana_id = vendedor.ventana_id
    elif ventana_id:
        if await repo.get(session, Ventana, ventana_id) is None:
            raise NotFound(f"Ventana {ventana_id!r} not found.", code="VENTANA_NOT_FOUND")
        if scope.role is Role.VENTANA:
            raise Forbidden("A listero registers movements of its vendedores only.", code="ROLE_FORBIDDEN")
    else:
        raise BadRequest("ventanaId or vendedorId is required.", code="TARGET_REQUIRED")
    if scope.ventana_id is not None and ventana_id != scope.ventana_id:
        raise Forbidden("This ventana/vendedor is outside your scope.", code="OUT_OF_SCOPE")
    return ventana_id, vendedor_id


async def create_movement(session: AsyncSession, scope: Scope, body: MovementIn, now: datetime) -> Movement:
    """Record a cobro (``collection``) or pago (``payment``) against a ventana or a vendedor on CR ``date``.

    ADMIN: any; VENTANA: its vendedores; VENDEDOR: 403. Raises BadRequest ``INVALID_DATE``,
    ``TARGET_REQUIRED``, ``VENTANA_MISMATCH``; NotFound; Forbidden.
    """
    day = parse_cr_date(body.date, "date")
    ventana_id, vendedor_id = await _movement_target(session, scope, body.ventanaId, body.vendedorId)
    owner_type, owner_id = ("VENDEDOR", vendedor_id) if vendedor_id else ("VENTANA", ventana_id)
    account = await repo.account_of(session, owner_type, owner_id)
    if account is None:  # an entity created outside the API: give it its account now
        account = Account(id=new_id("acc"), owner_type=owner_type, owner_id=owner_id, ventana_id=ventana_id)
        await repo.add(session, account)
    cents = to_cents(body.amount)
    if cents <= 0:
        raise BadRequest("amount must be at least 0.01.", code="INVALID_AMOUNT")
    movement = Movement(
        id=new_id("mov"), account_id=account.id, ventana_id=ventana_id, vendedor_id=vendedor_id, date=day, time=body.time,
        amount_cents=cents, type=body.type, method=body.method, notes=body.notes, idempotency_key=body.idempotencyKey,
        created_by=scope.user_id, is_reversed=False,
    )
    await repo.add(session, movement)
    field = "collected_cents" if body.type == "collection" else "paid_cents"
    await repo.bump_rollups(session, [{
        "business_date": day, "ventana_id": ventana_id, "vendedor_id": vendedor_id or NO_VENDEDOR, field: cents,
    }])
    return movement


async def reverse_movement(session: AsyncSession, scope: Scope, movement_id: str, reason: str, now: datetime) -> Movement:
    """Mark a movement reversed (never deleted) and take it out of the rollup. Raises NotFound, Conflict ``ALREADY_REVERSED``."""
    if scope.role is Role.VENDEDOR:
        raise Forbidden("A VENDEDOR may not reverse movements.", code="ROLE_FORBIDDEN")
    movement = await repo.movement_for_update(session, movement_id)
    if movement is None or not scope.sees(movement.ventana_id, movement.vendedor_id):
        raise NotFound(f"Payment {movement_id!r} not found.", code="PAYMENT_NOT_FOUND")
    if scope.role is Role.VENTANA and movement.vendedor_id is None:
        raise Forbidden("A listero reverses movements of its vendedores only.", code="ROLE_FORBIDDEN")
    if movement.is_reversed:
        raise Conflict("This payment was already reversed.", code="ALREADY_REVERSED")
    movement.is_reversed, movement.reversed_at, movement.reversed_by, movement.reverse_reason = True, now, scope.user_id, reason
    field = "collected_cents" if movement.type == "collection" else "paid_cents"
    await repo.bump_rollups(session, [{
        "business_date": movement.date, "ventana_id": movement.ventana_id,
        "vendedor_id": movement.vendedor_id or NO_VENDEDOR, field: -movement.amount_cents,
    }])
    await session.flush()
    return movement


# ---- statements ------------------------------------------------------------------------------------


def figures(r: dict[str, int], dimension: str) -> dict[str, Any]:
    """Statement fields (major units) of summed rollup cents ``r`` for ``dimension``."""
    commission = r["vendedor_commission_cents"] if dimension == "vendedor" else r["listero_commission_cents"]
    balance = r["sales_cents"] - r["payouts_cents"] - commission
    remaining = balance - r["collected_cents"] + r["paid_cents"]
    return {
        "totalSales": from_cents(r["sales_cents"]),
        "totalPayouts": from_cents(r["payouts_cents"]),
        "listeroCommission": from_cents(r["listero_commission_cents"]),
        "vendedorCommission": from_cents(r["vendedor_commission_cents"]),
        "balance": from_cents(balance),
        "totalCollected": from_cents(r["collected_cents"]),
        "totalPaid": from_cents(r["paid_cents"]),
        "remainingBalance": from_cents(remaining),
        "totalPaidToCustomer": from_cents(r["paid_to_customer_cents"]),
        "ticketCount": r["ticket_count"],
    }


def remaining_cents(r: dict[str, int], dimension: str) -> int:
    commission = r["vendedor_commission_cents"] if dimension == "vendedor" else r["listero_commission_cents"]
    return r["sales_cents"] - r["payouts_cents"] - commission - r["collected_cents"] + r["paid_cents"]


@dataclass(frozen=True)
class StatementQuery:
    """A resolved, scope-checked statement request."""

    dimension: str
    period: DateRange
    month: DateRange
    banca_id: str | None
    ventana_id: str | None
    vendedor_id: str | None


async def resolve_statement_query(
    session: AsyncSession,
    scope: Scope,
    *,
    date_param: str | None,
    from_date: str | None,
    to_date: str | None,
    month: str | None,
    dimension: str | None,
    banca_id: str | None,
    ventana_id: str | None,
    vendedor_id: str | None,
    today: date,
) -> StatementQuery:
    """Validate the parameters and the caller's scope (403 outside it; the figures never depend on the caller).

    ``month=YYYY-MM`` wins over ``date``; default period ``month``. ``monthlyAccumulated`` covers the
    month of the period's end, or the current month when the period ends in the future.
    """
    if month is not None:
        if not _MONTH.match(month):
            raise BadRequest(f"month must be YYYY-MM, got {month!r}.", code="INVALID_MONTH")
        period = month_range(date(int(month[:4]), int(month[5:]), 1))
    else:
        period = resolve_period(date_param, from_date, to_date, today=today, default=Period.MONTH)
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
    if scope.role is Role.VENTANA:
        if dimension == "banca" or ventana_id not in (None, scope.ventana_id):
            raise Forbidden("A listero sees only its ventana and its vendedores.", code="OUT_OF_SCOPE")
    if scope.ventana_id is not None:
        ventana_id = scope.ventana_id
        banca_id = None
    if dimension == "ventana" and not ventana_id and not scope.is_admin:
        raise Forbidden("Outside your scope.", code="OUT_OF_SCOPE")
    if vendedor_id:
        vendedor = await repo.get(session, Vendedor, vendedor_id)
        if vendedor is None:
            if scope.is_admin:
                raise NotFound(f"Vendedor {vendedor_id!r} not found.", code="VENDEDOR_NOT_FOUND")
            raise Forbidden("Outside your scope.", code="OUT_OF_SCOPE")
        if ventana_id and vendedor.ventana_id != ventana_id:
            if scope.is_admin:
                raise BadRequest("The vendedor does not belong to that ventana.", code="VENTANA_MISMATCH")
            raise Forbidden("This vendedor belongs to another ventana.", code="OUT_OF_SCOPE")
        ventana_id = vendedor.ventana_id  # normalised: the answer never depends on who asks
    if ventana_id and scope.is_admin and await repo.get(session, Ventana, ventana_id) is None:
        raise NotFound(f"Ventana {ventana_id!r} not found.", code="VENTANA_NOT_FOUND")
    if banca_id and await repo.get(session, Banca, banca_id) is None:
        raise NotFound(f"Banca {banca_id!r} not found.", code="BANCA_NOT_FOUND")
    reference = period.end if period.end <= today else today
    if period.start > today:
        reference = period.end
    return StatementQuery(dimension, period, month_range(reference), banca_id, ventana_id, vendedor_id)


async def statement(session: AsyncSession, q: StatementQuery) -> dict[str, Any]:
    """Per-day statements (days with activity, ascending), ``totals``, ``monthlyAccumulated`` and ``meta``.

    Read-only: the figures come from the rollup (maintained with every fact change); the
    movements listed per day come from ``network_movements`` (reversed ones flagged).
    """
    vendedor_rows = q.dimension == "vendedor"
    scope_kw = {"banca_id": q.banca_id, "ventana_id": q.ventana_id, "vendedor_id": q.vendedor_id}
    days = await repo.rollup_by_day(session, q.period.start, q.period.end, vendedor_rows=vendedor_rows, **scope_kw)
    movements = await repo.all_movements(
        session,
        repo.movements_query(
            ventana_id=q.ventana_id, vendedor_id=q.vendedor_id, only_ventana_level=False,
            exclude_ventana_level=vendedor_rows, start=q.period.start, end=q.period.end, type_=None, banca_id=q.banca_id,
        ),
    )
    by_day: dict[date, list[dict[str, Any]]] = {}
    for m in movements:
        by_day.setdefault(m.date, []).append(movement_dict(m))
    statements = []
    zero = {f: 0 for f in repo.ROLLUP_FIELDS}
    rows = {d["business_date"]: d for d in days}
    for day in sorted(set(rows) | set(by_day)):
        r = rows.get(day, zero)
        if not by_day.get(day) and not any(r[f] for f in repo.ROLLUP_FIELDS):
            continue
        statements.append({"date": day.isoformat(), **figures(r, q.dimension), "movements": by_day.get(day, [])})
    totals = {f: sum(d[f] for d in days) for f in repo.ROLLUP_FIELDS}
    month_totals = await repo.rollup_total(session, q.month.start, q.month.end, vendedor_rows=vendedor_rows, **scope_kw)
    return {
        "statements": statements,
        "totals": figures(totals, q.dimension),
        "monthlyAccumulated": {
            "month": q.month.start.strftime("%Y-%m"),
            "startDate": q.month.start.isoformat(),
            "endDate": q.month.end.isoformat(),
            **figures(month_totals, q.dimension),
        },
        "meta": {
            "dimension": q.dimension,
            "bancaId": q.banca_id,
            "ventanaId": q.ventana_id,
            "vendedorId": q.vendedor_id,
            "startDate": q.period.start.isoformat(),
            "endDate": q.period.end.isoformat(),
            "totalDays": len(q.period.days()),
            "daysWithActivity": len(statements),
            "currency": "crc",
        },
    }


def movement_dict(m: Movement) -> dict[str, Any]:
    """API shape of a movement (major units)."""
    return {
        "id": m.id, "accountId": m.account_id, "ventanaId": m.ventana_id, "vendedorId": m.vendedor_id,
        "date": m.date.isoformat(), "time": m.time, "amount": from_cents(m.amount_cents), "type": m.type,
        "method": m.method, "notes": m.notes, "createdBy": m.created_by,
        "createdAt": m.created_at.isoformat() if m.created_at else None,
        "isReversed": m.is_reversed, "reversedAt": m.reversed_at.isoformat() if m.reversed_at else None,
        "reversedBy": m.reversed_by, "reverseReason": m.reverse_reason,
    }


# ---- accounts --------------------------------------------------------------------------------------


async def account_views(session: AsyncSession, accounts: list[Account]) -> list[dict[str, Any]]:
    """Accounts with owner code/name and all-time figures (remaining balance: + CxC, − CxP)."""
    ven_ids = [a.owner_id for a in accounts if a.owner_type == "VENTANA"]
    vnd_ids = [a.owner_id for a in accounts if a.owner_type == "VENDEDOR"]
    sums = {**{("VENTANA", k): v for k, v in (await repo.balances_by_owner(session, "ventana_id", ven_ids)).items()},
            **{("VENDEDOR", k): v for k, v in (await repo.balances_by_owner(session, "vendedor_id", vnd_ids)).items()}}
    names = {**{("VENTANA", k): v for k, v in (await repo.names_of(session, Ventana, ven_ids)).items()},
             **{("VENDEDOR", k): v for k, v in (await repo.names_of(session, Vendedor, vnd_ids)).items()}}
    zero = {f: 0 for f in repo.ROLLUP_FIELDS}
    out = []
    for a in accounts:
        r = sums.get((a.owner_type, a.owner_id), zero)
        dim = "vendedor" if a.owner_type == "VENDEDOR" else "ventana"
        commission = r["vendedor_commission_cents"] if dim == "vendedor" else r["listero_commission_cents"]
        code, name = names.get((a.owner_type, a.owner_id), (a.owner_id, a.owner_id))
        out.append({
            "id": a.id, "ownerType": a.owner_type, "ownerId": a.owner_id, "ownerCode": code, "ownerName": name,
            "ventanaId": a.ventana_id, "balance": from_cents(remaining_cents(r, dim)),
            "totalSales": from_cents(r["sales_cents"]), "totalPayouts": from_cents(r["payouts_cents"]),
            "totalCommission": from_cents(commission), "totalCollected": from_cents(r["collected_cents"]),
            "totalPaid": from_cents(r["paid_cents"]),
        })
    return out


async def get_account_in_scope(session: AsyncSession, scope: Scope, account_id: str) -> Account:
    account = await repo.get(session, Account, account_id)
    vendedor = account.owner_id if account is not None and account.owner_type == "VENDEDOR" else None
    if account is None or not scope.sees(account.ventana_id, vendedor) or (scope.vendedor_id and account.owner_type != "VENDEDOR"):
        raise NotFound(f"Account {account_id!r} not found.", code="ACCOUNT_NOT_FOUND")
    return account


# ---- reconcile -------------------------------------------------------------------------------------


async def reconcile(session: AsyncSession, *, apply: bool = False) -> dict[str, Any]:
    """Recompute the rollup from the facts and compare with the stored one (under a SHARE lock).

    Returns ``{"rollupRows", "expectedRows", "differences": [...], "ticketDrift": [...], "applied"}``;
    a stored row whose figures are all zero counts as absent. ``apply=True`` rewrites the rollup
    from the facts when there are differences.
    """
    await repo.lock_rollups(session)
    expected = await repo.expected_rollups(session)
    stored = await repo.stored_rollups(session)
    zero = {f: 0 for f in repo.ROLLUP_FIELDS}
    differences = []
    for key in sorted(set(expected) | set(stored)):
        e, s = expected.get(key, zero), stored.get(key, zero)
        if e != s:
            differences.append({
                "businessDate": key[0].isoformat(), "ventanaId": key[1], "vendedorId": key[2],
                "fields": {f: {"expected": e[f], "stored": s[f]} for f in repo.ROLLUP_FIELDS if e[f] != s[f]},
            })
    drift = await repo.ticket_drift(session)
    applied = False
    if apply and differences:
        await repo.rebuild_rollups(session)
        applied = True
    return {"rollupRows": len(stored), "expectedRows": len(expected), "differences": differences,
            "ticketDrift": drift, "applied": applied}


# ---- helpers ---------------------------------------------------------------------------------------


async def _need(session: AsyncSession, model: Any, row_id: str, code: str) -> Any:
    row = await repo.get(session, model, row_id)
    if row is None:
        raise NotFound(f"{model.__name__} {row_id!r} not found.", code=code)
    return row


def _patch(row: Any, body: Any, mapping: dict[str, str]) -> None:
    for field, attr in mapping.items():
        if field in body.model_fields_set:
            value = getattr(body, field)
            if value is None:
                raise BadRequest(f"{field} may not be null.", code="VALIDATION_ERROR")
            setattr(row, attr, value)
