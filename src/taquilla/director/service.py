"""Rules of the director context (seed 000, DOMAIN.md "Director").

* ``unitPriceCents = round(price × 100)`` (ROUND_HALF_UP), ``amountCents = unitPriceCents × tickets``;
* ``ticketsEquivalent = tickets × TICKET_PREMIUM_FACTOR`` for premium events, ``tickets`` otherwise;
* debt per currency = Σ assignment ``amount_cents`` − Σ payment ``amount_cents`` (negative = credit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.cache import cache_get_json, cache_set_json
from taquilla.core.db import DriverTransaction, after_commit
from taquilla.core.errors import AmountTooLarge, Conflict, Forbidden, NotFound
from taquilla.core.ids import new_id
from taquilla.core.jsonenc import dumps
from taquilla.core.money import MAX_COUNT, checked_cents, positive_cents
from taquilla.core.security import Principal, Role
from taquilla.director import repository
from taquilla.director.kpis import REFRESHED_AT_KEY, KpiRefresher, overview_cache_key
from taquilla.director.models import LedgerEntry, Organizer
from taquilla.director.schemas import (
    AssignIn,
    Credit,
    CurrencyBalance,
    CurrencyTotal,
    Delivered,
    LedgerTotals,
    OpenDebt,
    OverviewOut,
    OverviewTotals,
    PaymentIn,
    TopOrganizer,
)


@dataclass(frozen=True)
class DirectorContext:
    """What the director service needs besides the session."""

    redis: Redis
    refresher: KpiRefresher
    premium_factor: int
    cache_ttl_seconds: int


def tickets_equivalent(tickets: int, event_type: str, premium_factor: int) -> int:
    """Seed 000: ``tickets × factor`` for premium events, ``tickets`` otherwise."""
    return tickets * (premium_factor if event_type == "premium" else 1)


def allotment_cents(tickets: int, price: Decimal) -> tuple[int, int]:
    """``(unitPriceCents, amountCents)`` of an allotment: ``round(price × 100)`` and ``× tickets``.

    ``price`` is in major units (≥ 0). Raises AmountTooLarge (400) for more than ``MAX_COUNT``
    tickets or an amount beyond ``MAX_CENTS``; BadRequest ``AMOUNT_ROUNDS_TO_ZERO`` when a
    price > 0 rounds to 0 cents (a free allotment is ``price: 0``).
    """
    if tickets > MAX_COUNT:
        raise AmountTooLarge(f"At most {MAX_COUNT:,} tickets per allotment.", details={"limit": MAX_COUNT})
    unit = positive_cents(price, "price") if price > 0 else 0
    return unit, checked_cents(unit * tickets, "amount (price × tickets)")


def _currency_balances(rows: list[dict[str, Any]]) -> list[CurrencyBalance]:
    return [
        CurrencyBalance(
            currency=r["currency"],
            assignedAmountCents=r["assigned"],
            paymentsCents=r["payments"],
            balanceCents=r["assigned"] - r["payments"],
        )
        for r in rows
    ]


def _on_commit(session: AsyncSession | DriverTransaction, ctx: DirectorContext) -> None:
    after_commit(session, ctx.refresher.request)


async def list_organizers(session: AsyncSession, offset: int, limit: int) -> tuple[int, list[Organizer]]:
    """``(total, one page of organizers ordered by id)``."""
    return await repository.list_organizers(session, offset, limit)


async def get_organizer(session: AsyncSession, organizer_id: str) -> Organizer:
    """The organizer ``organizer_id``. Raises NotFound ``ORGANIZER_NOT_FOUND``."""
    organizer = await repository.get_organizer(session, organizer_id)
    if organizer is None:
        raise NotFound(f"Organizer {organizer_id!r} not found.", code="ORGANIZER_NOT_FOUND")
    return organizer


async def create_organizer(session: AsyncSession, organizer_id: str | None, name: str, email: str | None) -> Organizer:
    """Create an organizer (client-chosen id allowed). Raises Conflict ``ORGANIZER_EXISTS``."""
    oid = organizer_id or new_id("org")
    if await repository.get_organizer(session, oid) is not None:
        raise Conflict(f"Organizer {oid!r} already exists.", code="ORGANIZER_EXISTS")
    return await repository.add(session, Organizer(id=oid, name=name, email=email))


async def assign(
    session: AsyncSession | DriverTransaction, ctx: DirectorContext, body: AssignIn, actor: Principal
) -> tuple[repository.NewEntry, list[CurrencyBalance]]:
    """Record an allotment (entry ``assign_prepaid``/``assign_loan``); return it and the new balances.

    Raises AmountTooLarge (400) for more than ``MAX_COUNT`` tickets or ``price × tickets`` beyond
    ``MAX_CENTS``; BadRequest ``AMOUNT_ROUNDS_TO_ZERO`` for a price > 0 that rounds to 0 cents;
    NotFound ``ORGANIZER_NOT_FOUND`` / ``EVENT_NOT_FOUND``. All checked before anything is written.
    """
    unit, amount = allotment_cents(body.tickets, body.price)
    metadata = body.metadata or {}
    entry = repository.NewEntry(
        id=new_id("entry"),
        organizer_id=body.organizerId,
        event_id=body.eventId,
        entry_type=f"assign_{body.type}",
        tickets=body.tickets,
        unit_price_cents=unit,
        amount_cents=amount,
        currency=body.currency,
        metadata_=metadata,
        created_by=actor.user_id,
    )
    organizer_found, event_found, balances = await repository.insert_assignment(
        session,
        entry,
        equivalent_standard=tickets_equivalent(body.tickets, "standard", ctx.premium_factor),
        equivalent_premium=tickets_equivalent(body.tickets, "premium", ctx.premium_factor),
        metadata_json=dumps(metadata).decode(),
    )
    if not organizer_found:
        raise NotFound(f"Organizer {body.organizerId!r} not found.", code="ORGANIZER_NOT_FOUND")
    if not event_found:
        raise NotFound(f"Event {body.eventId!r} not found.", code="EVENT_NOT_FOUND")
    _on_commit(session, ctx)
    return entry, _currency_balances(balances)


async def record_payment(
    session: AsyncSession | DriverTransaction, ctx: DirectorContext, body: PaymentIn, actor: Principal
) -> tuple[repository.NewEntry, list[CurrencyBalance]]:
    """Record money received (entry ``payment``). Overpayment is kept and shows as a negative balance.

    Raises BadRequest ``AMOUNT_ROUNDS_TO_ZERO`` (an amount under half a cent), AmountTooLarge,
    NotFound ``ORGANIZER_NOT_FOUND``.
    """
    amount = positive_cents(body.amount, "payment amount")
    metadata = body.metadata or {}
    entry = repository.NewEntry(
        id=new_id("entry"),
        organizer_id=body.organizerId,
        event_id=None,
        entry_type="payment",
        tickets=0,
        tickets_equivalent=0,
        unit_price_cents=None,
        amount_cents=amount,
        currency=body.currency,
        metadata_=metadata,
        created_by=actor.user_id,
    )
    balances = await repository.insert_payment(session, entry, metadata_json=dumps(metadata).decode())
    if balances is None:
        raise NotFound(f"Organizer {body.organizerId!r} not found.", code="ORGANIZER_NOT_FOUND")
    _on_commit(session, ctx)
    return entry, _currency_balances(balances)


def check_ledger_access(principal: Principal, organizer_id: str) -> None:
    """ADMIN reads any ledger; an ORGANIZER only its own. Raises Forbidden."""
    if principal.role is Role.ADMIN:
        return
    if principal.role is Role.ORGANIZER and principal.organizer_id == organizer_id:
        return
    raise Forbidden("You may only read your own ledger.", code="LEDGER_FORBIDDEN")


async def ledger(
    session: AsyncSession,
    organizer_id: str,
    *,
    offset: int,
    limit: int,
    event_id: str | None,
    entry_type: str | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[Organizer, int, list[LedgerEntry], LedgerTotals]:
    """A page of the ledger (newest first) with the filter's row count and whole-ledger totals."""
    organizer = await get_organizer(session, organizer_id)
    filters = {"organizer_id": organizer_id, "event_id": event_id, "entry_type": entry_type, "since": since, "until": until}
    total = await repository.count_entries(session, **filters)
    rows = await repository.list_entries(session, offset, limit, **filters)
    raw = await repository.balances(session, organizer_id)
    by_currency = _currency_balances(raw)
    single = by_currency[0] if len(by_currency) == 1 else None
    totals = LedgerTotals(
        ticketsEquivalent=sum(r["ticketsEquivalent"] for r in raw),
        tickets=sum(r["tickets"] for r in raw),
        currency=single.currency if single else None,
        assignedAmountCents=single.assignedAmountCents if single else (0 if not raw else None),
        paymentsCents=single.paymentsCents if single else (0 if not raw else None),
        balanceCents=single.balanceCents if single else (0 if not raw else None),
        byCurrency=by_currency,
    )
    return organizer, total, rows, totals


async def overview(session: AsyncSession, ctx: DirectorContext) -> tuple[OverviewOut | dict[str, Any], bool]:
    """The KPI overview (:class:`OverviewOut`, or its cached JSON) read from the views, cached for
    ``DIRECTOR_CACHE_TTL_SECONDS``; returns ``(data, cache_hit)``.

    Totals cover every organizer; open debt sums positive balances per currency and credits
    are reported apart (DOMAIN.md "Director").
    """
    key = await overview_cache_key(ctx.redis)
    cached = await cache_get_json(ctx.redis, key)
    if cached is not None:
        return cached, True
    views = await repository.read_overview(session)
    refreshed_at = await ctx.redis.get(REFRESHED_AT_KEY)
    counts = views["ticketTotals"][0]
    money = views["moneyTotals"]
    data = OverviewOut(
        refreshedAt=refreshed_at,
        totals=OverviewTotals(
            organizers=counts["organizers"],
            ticketsEquivalentes=int(counts["tickets_equivalentes"]),
            tickets=int(counts["tickets"]),
            deudaAbiertaCents=[
                CurrencyTotal(currency=m["currency"], amountCents=int(m["deuda_cents"]), organizers=m["deudores"])
                for m in money
                if m["deudores"]
            ],
            creditoCents=[
                CurrencyTotal(currency=m["currency"], amountCents=int(m["credito_cents"]), organizers=m["acreedores"])
                for m in money
                if m["acreedores"]
            ],
        ),
        topOrganizadores=[
            TopOrganizer(
                organizerId=r["organizer_id"],
                organizerName=r["organizer_name"],
                ticketsEquivalentes=int(r["tickets_equivalentes"]),
                ranking=r["ranking"],
            )
            for r in views["top"]
        ],
        deudaAbierta=[
            OpenDebt(
                organizerId=r["organizer_id"],
                currency=r["currency"],
                assignedAmountCents=int(r["assigned_amount_cents"]),
                paymentsCents=int(r["payments_cents"]),
                deudaCents=int(r["deuda_cents"]),
            )
            for r in views["debt"]
        ],
        creditos=[
            Credit(
                organizerId=r["organizer_id"],
                currency=r["currency"],
                assignedAmountCents=int(r["assigned_amount_cents"]),
                paymentsCents=int(r["payments_cents"]),
                creditoCents=-int(r["deuda_cents"]),
            )
            for r in views["credit"]
        ],
        ticketsEntregados=[
            Delivered(
                organizerId=r["organizer_id"],
                eventId=r["event_id"],
                tickets=int(r["tickets_entregados"]),
                ticketsEquivalentes=int(r["tickets_equivalentes"]),
                asignaciones=int(r["asignaciones"]),
                ultimaAsignacion=r["ultima_asignacion"],
            )
            for r in views["delivered"]
        ],
    )
    await cache_set_json(ctx.redis, key, data, ctx.cache_ttl_seconds)
    return data, False
