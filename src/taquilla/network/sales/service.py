"""Rules of lottery tickets and prize payments (DOMAIN.md "Sales network": Ticket, Jugada, Prize payment).

* **Sale** (all-or-nothing): a VENDEDOR sells for itself; ADMIN or the listero for a vendedor
  in scope (``vendedorId``). The vendedor, its ventana and banca and the lotería are active;
  the sorteo is OPEN and the sale happens before its cutoff. Numbers have the lotería's
  digits; REVENTADO needs ``reventadoEnabled``. Per-bet and per-number limits (cents, NUMERO
  and REVENTADO together, cancelled tickets excluded) hold under concurrency.
* Each jugada freezes the lotería's multiplier and both commission snapshots
  (:mod:`taquilla.network.commission`). Its potential payout (amount × multiplier), the
  ticket's total and its total potential payout are checked against the storable bound
  before anything is written (400 ``AMOUNT_TOO_LARGE``).
* ``businessDate`` = the sorteo's; ticket numbers are unique per business day.
* **Cancellation**: an ACTIVE ticket, before the cutoff. **Prize payment**: part or all of an
  evaluated winner's unpaid prize, never more; reversal (ADMIN or the listero) keeps the row.
* Every fact change goes through :mod:`taquilla.network.rollup` in the same transaction.
* Lock order of every ticket write: sorteo (KEY SHARE) and a sale's shared limit locks (advisory, key order) →
  ticket (UPDATE) → prize payment → per-number sums (``network_number_sales``, key order) → rollup row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.db import DriverTransaction
from taquilla.core.errors import (
    AmountTooLarge,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
)
from taquilla.core.ids import new_id
from taquilla.core.money import checked_cents, from_cents, positive_cents
from taquilla.core.pagination import PageParams
from taquilla.core.periods import DateRange
from taquilla.core.security import Role
from taquilla.network import rollup
from taquilla.network.auth import NetworkScope
from taquilla.network.commission import percent_of, sale_percents
from taquilla.network.draws.service import check_number, cutoff_of, for_ticket_write
from taquilla.network.models import (
    TICKET_ACTIVE,
    TICKET_CANCELLED,
    TICKET_EVALUATED,
    Jugada,
    LotteryTicket,
    PrizePayment,
)
from taquilla.network.rules.enforcement import Rule, check_restrictions
from taquilla.network.sales import repository as repo
from taquilla.network.sales.repository import SaleContext, SoldOnNumber
from taquilla.network.sales.schemas import (
    NamedRef,
    PayIn,
    PrizePaymentIn,
    TicketIn,
    TicketNames,
    TicketOut,
)
from taquilla.network.structure.schemas import rules_json_of

# ---- sale -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class SoldJugada:
    """A jugada as sold (attribute names of :class:`~taquilla.network.models.Jugada`)."""

    id: str
    number: str
    bet_type: str
    amount_cents: int
    multiplier_x: Decimal
    commission_percent: Decimal
    commission_cents: int
    listero_commission_percent: Decimal
    listero_commission_cents: int
    is_winner: bool = False
    payout_cents: int = 0


@dataclass(slots=True)
class SoldTicket:
    """A ticket as sold (attribute names of :class:`~taquilla.network.models.LotteryTicket`)."""

    id: str
    business_date: date
    sorteo_id: str
    loteria_id: str
    ventana_id: str
    vendedor_id: str
    total_amount_cents: int
    commission_cents: int
    listero_commission_cents: int
    created_by: str
    jugadas: list[SoldJugada]
    ticket_number: int = 0
    created_at: datetime | None = None
    status: str = TICKET_ACTIVE
    payout_cents: int = 0
    paid_cents: int = 0
    cancelled_at: datetime | None = None


def _seller(scope: NetworkScope, vendedor_id: str | None) -> str:
    if scope.role is Role.VENDEDOR:
        if vendedor_id not in (None, scope.vendedor_id):
            raise Forbidden("A VENDEDOR sells only for itself.", code="VENDEDOR_OUT_OF_SCOPE")
        assert scope.vendedor_id is not None
        return scope.vendedor_id
    if vendedor_id is None:
        raise BadRequest("vendedorId is required.", code="VENDEDOR_REQUIRED")
    return vendedor_id


def _check_pairing(body: TicketIn) -> None:
    """DOMAIN.md "REVENTADO": each REVENTADO line needs a NUMERO line on the same number in the ticket;
    its ``reventadoNumber``, when sent, is that number. Raises BadRequest ``REVENTADO_WITHOUT_NUMERO`` /
    ``REVENTADO_NUMBER_MISMATCH``."""
    numeros = {j.number for j in body.jugadas if j.type == "NUMERO"}
    for i, j in enumerate(body.jugadas):
        if j.type != "REVENTADO":
            if j.reventadoNumber not in (None, ""):
                raise BadRequest(f"jugadas[{i}]: reventadoNumber is for REVENTADO lines.", code="REVENTADO_NUMBER_MISMATCH")
            continue
        if j.reventadoNumber not in (None, "", j.number):
            raise BadRequest(
                f"jugadas[{i}]: reventadoNumber {j.reventadoNumber!r} differs from number {j.number!r}.",
                code="REVENTADO_NUMBER_MISMATCH",
            )
        if j.number not in numeros:
            raise BadRequest(
                f"The REVENTADO bet on {j.number} needs a NUMERO bet on {j.number} in the same ticket.",
                code="REVENTADO_WITHOUT_NUMERO", details={"number": j.number},
            )


def _payout(cents: int, multiplier: Decimal) -> int:
    return int((cents * multiplier).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check_sale(ctx: SaleContext, scope: NetworkScope, body: TicketIn, now: datetime) -> list[tuple[str, int, str]]:
    """The sale's refusals in the documented order; returns the lines ``(number, cents, type)``."""
    if ctx.vendedor_id is None:
        raise NotFound(f"Vendedor {body.vendedorId or scope.vendedor_id!r} not found.", code="VENDEDOR_NOT_FOUND")
    assert ctx.ventana_id is not None
    if scope.ventana_id is not None and ctx.ventana_id != scope.ventana_id:
        raise Forbidden("This vendedor belongs to another ventana.", code="VENDEDOR_OUT_OF_SCOPE")
    if body.ventanaId is not None and body.ventanaId != ctx.ventana_id:
        raise BadRequest("The vendedor does not belong to ventanaId.", code="VENDEDOR_VENTANA_MISMATCH")
    if not (ctx.vendedor_active and ctx.ventana_active and ctx.banca_active):
        raise Conflict("The vendedor, its ventana or its banca is inactive.", code="INACTIVE")
    if ctx.sorteo_id is None:
        raise NotFound(f"Sorteo {body.sorteoId!r} not found.", code="SORTEO_NOT_FOUND")
    if body.loteriaId is not None and body.loteriaId != ctx.loteria_id:
        raise BadRequest("The sorteo does not belong to loteriaId.", code="SORTEO_LOTERIA_MISMATCH")
    assert ctx.digits is not None and ctx.base_multiplier_x is not None and ctx.scheduled_at is not None
    lines = []
    for i, j in enumerate(body.jugadas):
        check_number(j.number, ctx.digits, "INVALID_NUMBER", f"jugadas[{i}].number")
        cents = positive_cents(j.amount, f"jugadas[{i}].amount")
        if j.type == "REVENTADO" and not ctx.reventado_enabled:
            raise BadRequest(f"{ctx.loteria_name} has no reventado (extra multiplier) rule.", code="REVENTADO_NOT_ALLOWED")
        lines.append((j.number, cents, j.type))
    _check_pairing(body)
    checked_cents(sum(c for _, c, _ in lines), "ticket total")
    multiplier = ctx.numero_multiplier_x or ctx.base_multiplier_x
    payouts = [checked_cents(_payout(c, multiplier), f"potential payout of jugadas[{i}]")
               for i, (_, c, bet_type) in enumerate(lines) if bet_type == "NUMERO"]
    checked_cents(sum(payouts), "potential payout of the ticket")
    if ctx.sorteo_status != "OPEN":
        raise Conflict(f"Sorteo is {ctx.sorteo_status}; sales need an OPEN sorteo.", code="SORTEO_NOT_OPEN")
    if now >= (ctx.sales_cutoff_at or ctx.scheduled_at):
        raise Conflict("Sales for this sorteo are closed (cutoff passed).", code="SALES_CLOSED")
    if not ctx.loteria_active:
        raise Conflict("This lotería is inactive.", code="INACTIVE")
    if ctx.max_bet_cents is not None:
        for number, cents, _ in lines:
            if cents > ctx.max_bet_cents:
                raise Conflict(
                    f"A bet on {number} exceeds the limit per bet ({from_cents(ctx.max_bet_cents):.2f}).",
                    code="BET_LIMIT_EXCEEDED",
                )
    return lines


def _check_number_limits(
    ctx: SaleContext, lines: list[tuple[str, int, str]], totals: dict[str, Rule], sold: dict[str, SoldOnNumber]
) -> None:
    """The lotería's per-number limit (all sales of the sorteo) and each number's restriction ``maxTotal``
    (the sales of the rule's banca, ventana or user), on the sums *after* this sale that the sale's write
    returned under its per-number row locks and, for the sums in all and in the banca, the shared limits'
    locks of its context (``repo.SELL_SQL``); a refusal rolls the write back."""
    limit = ctx.max_per_number_cents
    if limit is None and not totals:
        return
    wanted: dict[str, int] = {}
    for number, cents, _ in lines:
        wanted[number] = wanted.get(number, 0) + cents
    for number in sorted(wanted):
        on, mine = sold.get(number, SoldOnNumber()), wanted[number]
        if limit is not None and on.at_level(0) > limit:
            left = max(0, limit - (on.at_level(0) - mine))
            raise Conflict(
                f"Number {number} would exceed its limit for this sorteo (available {from_cents(left):.2f}).",
                code="NUMBER_LIMIT_EXCEEDED",
                details={"number": number, "available": from_cents(left)},
            )
        rule = totals.get(number)
        if rule is not None and rule.max_total is not None and on.at_level(rule.level) > rule.max_total:
            left = max(0, rule.max_total - (on.at_level(rule.level) - mine))
            raise Conflict(
                f"Restriction {rule.id}: number {number} would exceed its total for this sorteo "
                f"(available {from_cents(left):.2f}).",
                code="RESTRICTION_TOTAL_EXCEEDED",
                details={"ruleId": rule.id, "number": number, "available": from_cents(left)},
            )


async def sell(session: AsyncSession | DriverTransaction, scope: NetworkScope, body: TicketIn, now: datetime) -> SoldTicket:
    """Sell a ticket (all-or-nothing); ``now`` is the sale instant (UTC). See the module docstring.

    Driver SQL only, so the hand-resolved route runs it on a :class:`DriverTransaction`. Two round trips: the
    context (``repo.SALE_CONTEXT_SQL``, which also takes the locks of the limits shared by several ventanas) and
    the write (``repo.SELL_SQL``: per-number sums, rollup, ticket and jugadas); the per-number limits are checked
    on the sums the write returns (in all and in the banca only when such a limit applies).

    Raises Forbidden ``VENDEDOR_OUT_OF_SCOPE``; NotFound ``VENDEDOR_NOT_FOUND`` / ``SORTEO_NOT_FOUND``;
    BadRequest ``VENDEDOR_REQUIRED``, ``INVALID_NUMBER``, ``AMOUNT_ROUNDS_TO_ZERO``, ``AMOUNT_TOO_LARGE``,
    ``REVENTADO_NOT_ALLOWED``; Conflict ``INACTIVE``, ``SORTEO_NOT_OPEN``, ``SALES_CLOSED``,
    ``BET_LIMIT_EXCEEDED``, ``NUMBER_LIMIT_EXCEEDED``, ``RESTRICTION_*``.
    """
    ctx = await repo.sale_context(session, _seller(scope, body.vendedorId), body.sorteoId, sorted({j.number for j in body.jugadas}))
    lines = _check_sale(ctx, scope, body, now)
    assert ctx.scheduled_at is not None
    totals = check_restrictions(ctx.restrictions, lines, now, ctx.scheduled_at)
    assert ctx.vendedor_id and ctx.ventana_id and ctx.banca_id and ctx.sorteo_id and ctx.loteria_id and ctx.business_date
    assert ctx.base_multiplier_x is not None
    multiplier = ctx.numero_multiplier_x or ctx.base_multiplier_x
    jugadas = []
    for number, cents, bet_type in lines:
        vp, lp = sale_percents(ctx.vendedor_policy, ctx.ventana_policy, ctx.banca_policy, ctx.loteria_id, bet_type, now, multiplier)
        jugadas.append(SoldJugada(
            id=new_id("jug"), number=number, bet_type=bet_type, amount_cents=cents, multiplier_x=multiplier,
            commission_percent=vp, commission_cents=percent_of(cents, vp),
            listero_commission_percent=lp, listero_commission_cents=percent_of(cents, lp),
        ))
    ticket = SoldTicket(
        id=new_id("tkt"), business_date=ctx.business_date, sorteo_id=ctx.sorteo_id, loteria_id=ctx.loteria_id,
        ventana_id=ctx.ventana_id, vendedor_id=ctx.vendedor_id,
        total_amount_cents=sum(j.amount_cents for j in jugadas), commission_cents=sum(j.commission_cents for j in jugadas),
        listero_commission_cents=sum(j.listero_commission_cents for j in jugadas), created_by=scope.user_id, jugadas=jugadas,
    )
    base = ctx.counter_base if ctx.counter_base is not None else await repo.day_counter_base(session, ctx.business_date)
    shared = ctx.max_per_number_cents is not None or any(r.level == 1 for r in totals.values())
    done = await repo.sell(session, ticket, jugadas, base, ctx.banca_id, shared)
    if done.sold is None:
        raise AmountTooLarge("The cents sold on a number of this sorteo would exceed what can be stored.")
    _check_number_limits(ctx, lines, totals, done.sold)
    if not done.rollup_ok:
        raise AmountTooLarge("The day's totals of this ventana/vendedor would exceed what can be stored.")
    ticket.ticket_number, ticket.created_at = done.ticket_number, done.created_at
    return ticket


# ---- tickets --------------------------------------------------------------------------------------


async def get_ticket(session: AsyncSession, scope: NetworkScope, ticket_id: str) -> tuple[LotteryTicket, list[Jugada]]:
    """The ticket with its jugadas. Raises NotFound ``TICKET_NOT_FOUND`` (also outside the scope)."""
    ticket = await repo.ticket_in_scope(session, scope, ticket_id)
    if ticket is None:
        raise NotFound(f"Ticket {ticket_id!r} not found.", code="TICKET_NOT_FOUND")
    return ticket, (await repo.jugadas_of(session, [ticket.id]))[ticket.id]


async def shown(session: AsyncSession, pairs: list[tuple[Any, list[Any]]], *, payments: bool = False) -> list[TicketOut]:
    """Tickets as the client shows them: jugadas, embedded vendedor/ventana/lotería/sorteo, and
    (``payments``) the payment history with the payers' names. A fixed number of queries per page."""
    tickets = [t for t, _ in pairs]
    vendedores, ventanas, loterias = await repo.names_of(session, tickets)
    names = TicketNames(
        vendedores={k: NamedRef.model_validate(v) for k, v in vendedores.items()},
        ventanas={k: NamedRef.model_validate(v) for k, v in ventanas.items()},
        loterias={k: NamedRef(id=v.id, name=v.name, rulesJson=rules_json_of(v)) for k, v in loterias.items()},
    )
    sorteos = await repo.sorteos_by_id(session, [t.sorteo_id for t in tickets])
    out = [TicketOut.of(t, j, sorteos.get(t.sorteo_id), names) for t, j in pairs]
    if payments:
        for ticket_out, ticket in zip(out, tickets, strict=True):
            history = await repo.prize_payments_of(session, ticket.id)
            users = await repo.user_names(session, [p.created_by for p in history])
            ticket_out.with_payments(history, users)
    return out


async def list_tickets(
    session: AsyncSession, scope: NetworkScope, *, ventana_id: str | None, vendedor_id: str | None, sorteo_id: str | None,
    status: str | None, period: DateRange | None, winners_only: bool, page: PageParams, search: str | None = None,
) -> tuple[int, list[tuple[LotteryTicket, list[Jugada]]]]:
    """``(total, page)`` of tickets in scope, newest first, with their jugadas. Raises Forbidden ``OUT_OF_SCOPE``."""
    ventana_id, vendedor_id = scope.narrow(ventana_id, vendedor_id)
    total, rows = await repo.tickets_page(
        session, scope, ventana_id=ventana_id, vendedor_id=vendedor_id, sorteo_id=sorteo_id, status=status,
        start=period.start if period else None, end=period.end if period else None, winners_only=winners_only, page=page,
        search=search,
    )
    jugadas = await repo.jugadas_of(session, [t.id for t in rows])
    return total, [(t, jugadas[t.id]) for t in rows]


async def _lock_ticket(session: AsyncSession, scope: NetworkScope, ticket_id: str) -> tuple[LotteryTicket, datetime]:
    """The ticket locked for a write (sorteo KEY SHARE first, then the ticket) and its sorteo's cutoff."""
    peek = await repo.ticket_in_scope(session, scope, ticket_id)
    if peek is None:
        raise NotFound(f"Ticket {ticket_id!r} not found.", code="TICKET_NOT_FOUND")
    sorteo, loteria = await for_ticket_write(session, peek.sorteo_id)
    ticket = await repo.ticket_for_update(session, ticket_id)
    assert ticket is not None
    return ticket, cutoff_of(sorteo, loteria)


async def cancel_ticket(session: AsyncSession, scope: NetworkScope, ticket_id: str, now: datetime) -> tuple[LotteryTicket, list[Jugada]]:
    """Cancel an ACTIVE ticket before its sorteo's cutoff; its figures leave the rollup.

    Raises NotFound ``TICKET_NOT_FOUND``; Conflict ``TICKET_NOT_ACTIVE`` / ``SALES_CLOSED``.
    """
    ticket, cutoff = await _lock_ticket(session, scope, ticket_id)
    if ticket.status != TICKET_ACTIVE:
        raise Conflict(f"The ticket is {ticket.status}.", code="TICKET_NOT_ACTIVE")
    if now >= cutoff:
        raise Conflict("The sorteo's cutoff has passed; the ticket can no longer be cancelled.", code="SALES_CLOSED")
    ticket.status, ticket.cancelled_at, ticket.cancelled_by = TICKET_CANCELLED, now, scope.user_id
    await repo.uncount_ticket(session, ticket.id)
    await rollup.record_ticket(session, ticket, -1)
    await session.flush()
    return ticket, (await repo.jugadas_of(session, [ticket.id]))[ticket.id]


# ---- prize payments --------------------------------------------------------------------------------


async def pay_prize(
    session: AsyncSession, scope: NetworkScope, ticket_id: str, body: PrizePaymentIn
) -> tuple[PrizePayment, LotteryTicket]:
    """Pay (part of) a winning ticket's unpaid prize to the customer (``amount`` omitted = all of it).

    Raises NotFound ``TICKET_NOT_FOUND``; Conflict ``NOT_A_WINNER`` / ``PRIZE_ALREADY_PAID`` /
    ``PRIZE_EXCEEDS_PAYOUT``; BadRequest ``AMOUNT_ROUNDS_TO_ZERO`` / ``AMOUNT_TOO_LARGE``.
    """
    return await _pay(session, scope, ticket_id, body.amount, body.notes, "cash", is_final=False)


async def pay_ticket(session: AsyncSession, scope: NetworkScope, ticket_id: str, body: PayIn) -> tuple[PrizePayment, LotteryTicket]:
    """``POST /tickets/{id}/pay`` (the client's shape): pay ``amountPaid`` by ``method``; ``isFinal`` closes
    the ticket's payment (status PAID, nothing more can be paid until that payment is reversed).

    Raises as :func:`pay_prize`, and Conflict ``PAYMENT_CLOSED``.
    """
    return await _pay(session, scope, ticket_id, body.amountPaid, body.notes, body.method, is_final=body.isFinal)


async def _pay(
    session: AsyncSession, scope: NetworkScope, ticket_id: str, amount: Decimal | None, notes: str | None, method: str,
    *, is_final: bool,
) -> tuple[PrizePayment, LotteryTicket]:
    ticket, _ = await _lock_ticket(session, scope, ticket_id)
    if ticket.status != TICKET_EVALUATED or ticket.payout_cents <= 0:
        raise Conflict("This ticket has no prize to pay.", code="NOT_A_WINNER")
    if ticket.payment_closed:
        raise Conflict("This ticket's payment was closed as final.", code="PAYMENT_CLOSED")
    remaining = ticket.payout_cents - ticket.paid_cents
    if remaining <= 0:
        raise Conflict("This prize is already fully paid.", code="PRIZE_ALREADY_PAID")
    cents = remaining if amount is None else positive_cents(amount)
    if cents > remaining:
        raise Conflict(
            f"The amount exceeds the unpaid prize ({from_cents(remaining):.2f}).", code="PRIZE_EXCEEDS_PAYOUT",
            details={"remaining": from_cents(remaining)},
        )
    payment = PrizePayment(
        id=new_id("prz"), ticket_id=ticket.id, amount_cents=cents, notes=notes, method=method, is_final=is_final,
        created_by=scope.user_id,
    )
    ticket.paid_cents += cents
    if is_final:
        ticket.payment_closed = True
    await repo.add(session, payment)
    await rollup.record_prize_payment(session, ticket, cents)
    return payment, ticket


async def list_prize_payments(session: AsyncSession, scope: NetworkScope, ticket_id: str) -> list[PrizePayment]:
    """The ticket's prize payments, oldest first. Raises NotFound ``TICKET_NOT_FOUND``."""
    ticket = await repo.ticket_in_scope(session, scope, ticket_id)
    if ticket is None:
        raise NotFound(f"Ticket {ticket_id!r} not found.", code="TICKET_NOT_FOUND")
    return await repo.prize_payments_of(session, ticket.id)


async def reverse_prize_payment(
    session: AsyncSession, scope: NetworkScope, ticket_id: str, payment_id: str, reason: str, now: datetime
) -> PrizePayment:
    """Reverse a prize payment of ``ticket_id`` (kept, marked); the ticket's paid total and the rollup go down.

    Raises NotFound ``TICKET_NOT_FOUND`` / ``PRIZE_PAYMENT_NOT_FOUND``; Conflict ``ALREADY_REVERSED``.
    """
    ticket, _ = await _lock_ticket(session, scope, ticket_id)
    payment = await repo.prize_payment(session, payment_id, for_update=True)
    if payment is None or payment.ticket_id != ticket.id:
        raise NotFound(f"Prize payment {payment_id!r} not found.", code="PRIZE_PAYMENT_NOT_FOUND")
    if payment.reversed_at is not None:
        raise Conflict("This prize payment was already reversed.", code="ALREADY_REVERSED")
    payment.reversed_at, payment.reversed_by, payment.reverse_reason = now, scope.user_id, reason
    ticket.paid_cents -= payment.amount_cents
    if payment.is_final:
        ticket.payment_closed = False
    await rollup.record_prize_payment(session, ticket, -payment.amount_cents)
    await session.flush()
    return payment


async def reverse_last_payment(
    session: AsyncSession, scope: NetworkScope, ticket_id: str, reason: str | None, now: datetime
) -> LotteryTicket:
    """Reverse the ticket's last live prize payment (the client's ``reverse-payment``); a final one reopens
    the payment. Raises NotFound ``TICKET_NOT_FOUND``; Conflict ``NO_PAYMENT_TO_REVERSE``."""
    ticket, _ = await _lock_ticket(session, scope, ticket_id)
    live = [p for p in await repo.prize_payments_of(session, ticket.id) if p.reversed_at is None]
    if not live:
        raise Conflict("This ticket has no payment to reverse.", code="NO_PAYMENT_TO_REVERSE")
    await reverse_prize_payment(session, scope, ticket_id, live[-1].id, reason or "reversed", now)
    return ticket
