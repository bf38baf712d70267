"""SQLAlchemy models of the sales network context (DOMAIN.md "Sales network").

Design notes
------------
* A **vendedor is a user** (role ``VENDEDOR``): its ``vendedores`` row shares the user's
  id (``vendedores.id`` = ``users.id``), so the token's ``sub`` is the vendedor id and no
  lookup is needed to scope a request. A listero is a user with role ``VENTANA`` and
  ``users.ventana_id``.
* Money is integer cents (BIGINT). Multipliers and commission percentages are NUMERIC.
* ``network_daily_rollups`` holds the per-day figures of each (CR business date, ventana,
  vendedor); ``vendedor_id = ''`` is the row of movements made against a ventana itself.
  Every fact change (sale, cancellation, evaluation/revert, prize payment/reversal,
  movement/reversal) upserts it **in the same transaction** (``x = x + EXCLUDED.x``);
  ``taquilla network reconcile`` recomputes it from the facts.
* ``network_accounts``: one per ventana and per vendedor (``acc_…``); its balance is the
  all-time remaining balance read from the rollup.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from taquilla.core.db import Base

TICKET_ACTIVE, TICKET_CANCELLED, TICKET_EVALUATED = "ACTIVE", "CANCELLED", "EVALUATED"
SORTEO_STATES = ("SCHEDULED", "OPEN", "EVALUATED", "CLOSED")
MOVEMENT_KIND, ADJUSTMENT_KIND = "MOVEMENT", "ADJUSTMENT"
MAYORIZATION_OPEN, MAYORIZATION_SETTLED = "OPEN", "SETTLED"
NO_VENDEDOR = ""
"""``vendedor_id`` of rollup rows that belong to the ventana itself (ventana-level movements)."""


def sales_cutoff(scheduled_at: datetime, cutoff_minutes: int) -> datetime:
    """A sorteo's cutoff: ``scheduledAt − salesCutoffMinutes`` (UTC), the last moment to sell or cancel (exclusive)."""
    return scheduled_at - timedelta(minutes=cutoff_minutes)


class Banca(Base):
    """The house. ``commission_policy`` is the last fallback of every commission."""

    __tablename__ = "bancas"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    commission_policy: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __mapper_args__ = {"eager_defaults": True}


class Ventana(Base):
    """A sales point run by a listero; its policy is the listero's commission (→ banca)."""

    __tablename__ = "ventanas"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    banca_id: Mapped[str] = mapped_column(ForeignKey("bancas.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    commission_margin_x: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    commission_policy: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __mapper_args__ = {"eager_defaults": True}


class Vendedor(Base):
    """A seller of one ventana; ``id`` is its user's id (role VENDEDOR)."""

    __tablename__ = "vendedores"

    id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    ventana_id: Mapped[str] = mapped_column(ForeignKey("ventanas.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    commission_policy: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __mapper_args__ = {"eager_defaults": True}


class Loteria(Base):
    """A game: ``digits`` per number, base payout multiplier, CR draw times, optional limits (cents)."""

    __tablename__ = "loterias"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    digits: Mapped[int] = mapped_column(Integer, default=2)
    base_multiplier_x: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    reventado_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    draw_times: Mapped[list[str]] = mapped_column(JSONB, default=list)
    sales_cutoff_minutes: Mapped[int] = mapped_column(Integer, default=1)
    max_bet_cents: Mapped[int | None] = mapped_column(nullable=True)
    max_per_number_cents: Mapped[int | None] = mapped_column(nullable=True)
    min_bet_cents: Mapped[int | None] = mapped_column(nullable=True)
    max_numbers_per_ticket: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rules_extra: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    """The parts of the front end's ``rulesJson`` no typed column holds (draw frequency and days, sales hours…)."""
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __mapper_args__ = {"eager_defaults": True}


class Sorteo(Base):
    """One draw: ``SCHEDULED → OPEN → EVALUATED → CLOSED``; ``business_date`` = CR date of ``scheduled_at``."""

    __tablename__ = "sorteos"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    loteria_id: Mapped[str] = mapped_column(ForeignKey("loterias.id"))
    scheduled_at: Mapped[datetime]
    business_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="SCHEDULED")
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sales_cutoff_at: Mapped[datetime]
    """Fixed at creation (``scheduledAt − the lotería's salesCutoffMinutes then``); a later lotería change moves no cutoff."""
    winning_number: Mapped[str | None] = mapped_column(String(4), nullable=True)
    extra_multiplier_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    extra_multiplier_x: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    evaluated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __mapper_args__ = {"eager_defaults": True}


class LotteryTicket(Base):
    """A lottery sale (``network_tickets``). Totals are the sums of its jugadas (cents)."""

    __tablename__ = "network_tickets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ticket_number: Mapped[int]
    business_date: Mapped[date] = mapped_column(Date)
    sorteo_id: Mapped[str] = mapped_column(ForeignKey("sorteos.id"))
    loteria_id: Mapped[str] = mapped_column(ForeignKey("loterias.id"))
    ventana_id: Mapped[str] = mapped_column(ForeignKey("ventanas.id"))
    vendedor_id: Mapped[str] = mapped_column(ForeignKey("vendedores.id"))
    status: Mapped[str] = mapped_column(String(16), default=TICKET_ACTIVE)
    total_amount_cents: Mapped[int]
    commission_cents: Mapped[int]
    listero_commission_cents: Mapped[int]
    payout_cents: Mapped[int] = mapped_column(default=0)
    paid_cents: Mapped[int] = mapped_column(default=0)
    payment_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    """A prize payment marked final closed the ticket's payment (status PAID even if partly paid)."""
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __mapper_args__ = {"eager_defaults": True}
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Jugada(Base):
    """One bet line with its frozen multiplier and commission snapshots (percent and cents)."""

    __tablename__ = "network_jugadas"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("network_tickets.id"))
    sorteo_id: Mapped[str] = mapped_column(ForeignKey("sorteos.id"))
    number: Mapped[str] = mapped_column(String(4))
    bet_type: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int]
    multiplier_x: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    commission_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    commission_cents: Mapped[int]
    listero_commission_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    listero_commission_cents: Mapped[int]
    is_winner: Mapped[bool] = mapped_column(Boolean, default=False)
    payout_cents: Mapped[int] = mapped_column(default=0)


class PrizePayment(Base):
    """Money paid to a customer for a winning ticket; reversed, never deleted."""

    __tablename__ = "network_prize_payments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("network_tickets.id"))
    amount_cents: Mapped[int]
    method: Mapped[str] = mapped_column(String(16), default="cash")
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __mapper_args__ = {"eager_defaults": True}
    reversed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reversed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reverse_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Movement(Base):
    """A cobro (``collection``: money to the banca) or pago (``payment``: from the banca), on CR ``date``."""

    __tablename__ = "network_movements"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("network_accounts.id"))
    ventana_id: Mapped[str] = mapped_column(ForeignKey("ventanas.id"))
    vendedor_id: Mapped[str | None] = mapped_column(ForeignKey("vendedores.id"), nullable=True)
    date: Mapped[date] = mapped_column(Date)
    time: Mapped[str | None] = mapped_column(String(8), nullable=True)
    amount_cents: Mapped[int]
    type: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __mapper_args__ = {"eager_defaults": True}
    is_reversed: Mapped[bool] = mapped_column(Boolean, default=False)
    reversed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reversed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reverse_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(16), default=MOVEMENT_KIND, server_default=MOVEMENT_KIND)
    """``MOVEMENT`` (a cobro/pago recorded as such) or ``ADJUSTMENT`` (the settlement of a mayorization:
    never reversed; it counts as a collection/payment of its level like any other movement)."""
    mayorization_id: Mapped[str | None] = mapped_column(ForeignKey("network_mayorizations.id"), nullable=True)


class Account(Base):
    """The account of a ventana or a vendedor (``owner_type`` VENTANA | VENDEDOR)."""

    __tablename__ = "network_accounts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[str] = mapped_column(String(64))
    ventana_id: Mapped[str] = mapped_column(ForeignKey("ventanas.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __mapper_args__ = {"eager_defaults": True}


class DailyRollup(Base):
    """Per-day figures (cents) of one (CR business date, ventana, vendedor or ``''``)."""

    __tablename__ = "network_daily_rollups"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    ventana_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    vendedor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sales_cents: Mapped[int] = mapped_column(default=0)
    payouts_cents: Mapped[int] = mapped_column(default=0)
    listero_commission_cents: Mapped[int] = mapped_column(default=0)
    vendedor_commission_cents: Mapped[int] = mapped_column(default=0)
    collected_cents: Mapped[int] = mapped_column(default=0)
    paid_cents: Mapped[int] = mapped_column(default=0)
    paid_to_customer_cents: Mapped[int] = mapped_column(default=0)
    ticket_count: Mapped[int] = mapped_column(default=0)
    winner_count: Mapped[int] = mapped_column(default=0, server_default="0")
    jugada_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_ticket_at: Mapped[datetime | None] = mapped_column(nullable=True)
    """``created_at`` of the row's latest non-cancelled ticket (NULL without one)."""
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    """1 on insert, +1 on every change (same transaction as the fact): the sum over the rows under
    an answer versions it (ETag)."""


class MonthlyRollup(Base):
    """The daily rollup summed per (first day of the CR month, ventana, vendedor or ``''``), kept by
    triggers on ``network_daily_rollups`` (migration ``20261123_rollup_jugadas``); never written by the
    application. NUMERIC sums; ``revision_sum``/``day_rows``: the daily rows' revision sum and count."""

    __tablename__ = "network_monthly_rollups"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    ventana_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    vendedor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sales_cents: Mapped[Decimal] = mapped_column(Numeric, default=0)
    payouts_cents: Mapped[Decimal] = mapped_column(Numeric, default=0)
    listero_commission_cents: Mapped[Decimal] = mapped_column(Numeric, default=0)
    vendedor_commission_cents: Mapped[Decimal] = mapped_column(Numeric, default=0)
    collected_cents: Mapped[Decimal] = mapped_column(Numeric, default=0)
    paid_cents: Mapped[Decimal] = mapped_column(Numeric, default=0)
    paid_to_customer_cents: Mapped[Decimal] = mapped_column(Numeric, default=0)
    ticket_count: Mapped[Decimal] = mapped_column(Numeric, default=0)
    winner_count: Mapped[Decimal] = mapped_column(Numeric, default=0)
    jugada_count: Mapped[Decimal] = mapped_column(Numeric, default=0)
    revision_sum: Mapped[Decimal] = mapped_column(Numeric, default=0)
    day_rows: Mapped[int] = mapped_column(default=0)
    last_ticket_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Mayorization(Base):
    """The closing of a period for one account (seeds 002/003, DOMAIN.md "Mayorización"), ``maj_…``.

    Figures (cents) are those of the account's statement over ``[from_date, to_date]`` when it was
    last calculated: ``net_operative = total_sales − total_prizes − total_commission`` (the owner's
    commission), ``debt_status`` CXC (> 0, the owner owes its creditor) / CXP (< 0) / BALANCE,
    ``debt_amount = |net_operative|``. ``vendedor_id`` is set for a VENDEDOR record (scope filter).
    OPEN → SETTLED once (the settlement's ADJUSTMENT movement carries ``mayorization_id``); one
    record per (account, from_date, to_date).
    """

    __tablename__ = "network_mayorizations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("network_accounts.id"))
    owner_type: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[str] = mapped_column(String(64))
    ventana_id: Mapped[str] = mapped_column(ForeignKey("ventanas.id"))
    vendedor_id: Mapped[str | None] = mapped_column(ForeignKey("vendedores.id"), nullable=True)
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    total_sales_cents: Mapped[int]
    total_prizes_cents: Mapped[int]
    total_commission_cents: Mapped[int]
    net_operative_cents: Mapped[int]
    debt_status: Mapped[str] = mapped_column(String(8))
    debt_amount_cents: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=MAYORIZATION_OPEN)
    settled_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    settled_amount_cents: Mapped[int | None] = mapped_column(nullable=True)
    settlement_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    settlement_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    settlement_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    settled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    settled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    __mapper_args__ = {"eager_defaults": True}


class TicketCounter(Base):
    """Per CR business date, the value of ``network_ticket_number_seq`` just before the day's first ticket.

    Ticket number = ``nextval(seq) − base_value``: unique per day (the sequence never repeats),
    starting at 1, and taken without any row lock (a hot counter row would serialize all sales).
    Numbers may have gaps (rolled-back sales, sales for other days in between).
    """

    __tablename__ = "network_ticket_counters"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    base_value: Mapped[int]


class Multiplier(Base):
    """A payout multiplier of a lotería (``kind`` NUMERO | REVENTADO). The active NUMERO one is
    frozen on NUMERO jugadas at sale (fallback: the lotería's base); a REVENTADO one is named at evaluation."""

    __tablename__ = "network_multipliers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    loteria_id: Mapped[str] = mapped_column(ForeignKey("loterias.id"))
    name: Mapped[str] = mapped_column(String(200))
    value_x: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    kind: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    applies_to_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    applies_to_sorteo_id: Mapped[str | None] = mapped_column(ForeignKey("sorteos.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    __mapper_args__ = {"eager_defaults": True}


class Restriction(Base):
    """A sale limit of one banca, ventana or user (exactly one set); ``number`` None = every number.

    ``max_amount_cents`` per jugada, ``max_total_cents`` per number per sorteo (the scope's sales),
    ``sales_cutoff_minutes`` before ``scheduledAt``; ``applies_to_date`` (CR) / ``applies_to_hour`` (CR)
    narrow when it applies. The most specific active rule wins: user > ventana > banca, a rule
    on the number > a rule on all numbers.
    """

    __tablename__ = "network_restrictions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    banca_id: Mapped[str | None] = mapped_column(ForeignKey("bancas.id"), nullable=True)
    ventana_id: Mapped[str | None] = mapped_column(ForeignKey("ventanas.id"), nullable=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    number: Mapped[str | None] = mapped_column(String(4), nullable=True)
    max_amount_cents: Mapped[int | None] = mapped_column(nullable=True)
    max_total_cents: Mapped[int | None] = mapped_column(nullable=True)
    sales_cutoff_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    applies_to_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    applies_to_hour: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    __mapper_args__ = {"eager_defaults": True}
