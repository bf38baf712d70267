"""SQLAlchemy models of the director context (seed 000)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from taquilla.core.db import Base


class Organizer(Base):
    """An event organizer that receives ticket allotments and owes for them."""

    __tablename__ = "organizers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class LedgerEntry(Base):
    """One row of ``director_ledger_entries``: an assignment (prepaid/loan) or a payment.

    Amounts are integer cents in ``currency`` (ISO-4217, lower case). Payments have no event
    and no tickets. Debt = Σ assignment ``amount_cents`` − Σ payment ``amount_cents``.
    """

    __tablename__ = "director_ledger_entries"
    __table_args__ = (
        CheckConstraint("entry_type IN ('assign_prepaid','assign_loan','payment')", name="entry_type"),
        CheckConstraint("amount_cents >= 0", name="amount_nonnegative"),
        CheckConstraint("tickets >= 0 AND tickets_equivalent >= 0", name="tickets_nonnegative"),
        Index("ix_director_ledger_entries_org_created", "organizer_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organizer_id: Mapped[str] = mapped_column(ForeignKey("organizers.id"))
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id"), nullable=True)
    entry_type: Mapped[str] = mapped_column(String(20))
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    tickets_equivalent: Mapped[int] = mapped_column(Integer, default=0)
    unit_price_cents: Mapped[int | None] = mapped_column(nullable=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict, server_default="{}")
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp())


class OrganizerBalance(Base):
    """The running totals of one organizer's ledger in one currency (``director_balances``).

    Kept by the database itself: the trigger ``director_balances_apply`` (migration
    ``20261124_director_balances``) adds or removes every ledger row's figures in the row's own
    transaction, whoever writes it, so a row always equals the ledger's sums of its (organizer,
    currency), and a currency without entries has no row. Sums are ``numeric`` (no overflow: one entry may hold ``MAX_CENTS``). A write's
    answer and the ledger page read it instead of summing the organizer's whole ledger (that sum
    grew with the ledger: ~0.9 ms of a 1.1 ms write at 628 entries, bench/README.md "Session 6").
    """

    __tablename__ = "director_balances"

    organizer_id: Mapped[str] = mapped_column(ForeignKey("organizers.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    tickets: Mapped[Decimal] = mapped_column(Numeric, default=0)
    tickets_equivalent: Mapped[Decimal] = mapped_column(Numeric, default=0)
    assigned_cents: Mapped[Decimal] = mapped_column(Numeric, default=0)
    """Σ ``amount_cents`` of the assignments (prepaid and loan)."""
    payments_cents: Mapped[Decimal] = mapped_column(Numeric, default=0)
    """Σ ``amount_cents`` of the payments."""
