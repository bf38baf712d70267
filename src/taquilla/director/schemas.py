"""Pydantic schemas of the director context (seed 000 field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.core.money import MAX_COUNT, CurrencyCode, MajorAmount
from taquilla.core.pagination import Meta

Metadata = dict[str, Any]


class AssignIn(BaseModel):
    """``POST /director/assign``: tickets allotted to an organizer at ``price`` (major units) each."""

    model_config = ConfigDict(extra="forbid")
    organizerId: ClientId
    eventId: ClientId
    type: Literal["prepaid", "loan"]
    tickets: Annotated[int, Field(strict=True, gt=0, description=f"at most {MAX_COUNT:,} (more is 400 AMOUNT_TOO_LARGE)")]
    price: Annotated[MajorAmount, Field(ge=0, description="major units; 0 or at least 0.01 (a price that rounds to 0 cents is a 400)")]
    currency: CurrencyCode = "mxn"
    metadata: Metadata | None = None


class PaymentIn(BaseModel):
    """``POST /director/payments``: money received from an organizer (major units, > 0)."""

    model_config = ConfigDict(extra="forbid")
    organizerId: ClientId
    amount: Annotated[MajorAmount, Field(gt=0, description="major units, at least 0.01 after rounding")]
    currency: CurrencyCode
    metadata: Metadata | None = None


class OrganizerIn(BaseModel):
    """``POST /director/organizers``: ``id`` may be chosen by the client (``org_demo``)."""

    model_config = ConfigDict(extra="forbid")
    id: ClientId | None = None
    name: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
    email: Annotated[str, StringConstraints(strict=True, max_length=254)] | None = None


class OrganizerOut(BaseModel):
    """An organizer (maps itself from :class:`~taquilla.director.models.Organizer`)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)
    id: str
    name: str
    email: str | None
    createdAt: datetime = Field(validation_alias="created_at")


class EntryOut(BaseModel):
    """One ledger entry; amounts in cents (maps itself from :class:`~taquilla.director.models.LedgerEntry`)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)
    id: str
    organizerId: str = Field(validation_alias="organizer_id")
    eventId: str | None = Field(validation_alias="event_id")
    entryType: str = Field(validation_alias="entry_type")
    tickets: int
    ticketsEquivalent: int = Field(validation_alias="tickets_equivalent")
    unitPriceCents: int | None = Field(validation_alias="unit_price_cents")
    amountCents: int = Field(validation_alias="amount_cents")
    currency: str
    metadata: Metadata = Field(validation_alias="metadata_")
    createdBy: str | None = Field(validation_alias="created_by")
    createdAt: datetime = Field(validation_alias="created_at")


class CurrencyBalance(BaseModel):
    """Debt in one currency: assigned − payments (negative = credit)."""

    currency: str
    assignedAmountCents: int
    paymentsCents: int
    balanceCents: int


class LedgerTotals(BaseModel):
    """Totals over the whole ledger. Money fields are set when the ledger has one currency."""

    ticketsEquivalent: int
    tickets: int
    currency: str | None
    assignedAmountCents: int | None
    paymentsCents: int | None
    balanceCents: int | None
    byCurrency: list[CurrencyBalance]


class LedgerOut(BaseModel):
    """``GET /director/organizers/:id/ledger``: one page of entries (newest first) and whole-ledger totals."""

    organizerId: str
    organizerName: str
    entries: list[EntryOut]
    totals: LedgerTotals


class LedgerEnvelope(BaseModel):
    """The ledger in the envelope: ``data`` is the ledger, ``meta`` pages its ``entries``."""

    success: bool = True
    data: LedgerOut
    meta: Meta
    requestId: str


class MovementOut(BaseModel):
    """Answer of assign/payment: the entry written and the organizer's updated balances."""

    entry: EntryOut
    balanceCents: int
    balances: list[CurrencyBalance]


class CurrencyTotal(BaseModel):
    """One currency's total over every organizer, and how many organizers make it up."""

    currency: str
    amountCents: int
    organizers: int


class OverviewTotals(BaseModel):
    """Totals over every organizer (not only the rows listed).

    ``organizers`` counts organizers with at least one allotment. ``deudaAbiertaCents`` sums the
    positive balances per currency; ``creditoCents`` the credits (overpayments, shown positive),
    apart: one organizer's credit never nets against another's debt.
    """

    organizers: int
    ticketsEquivalentes: int
    tickets: int
    deudaAbiertaCents: list[CurrencyTotal]
    creditoCents: list[CurrencyTotal]


class TopOrganizer(BaseModel):
    organizerId: str
    organizerName: str
    ticketsEquivalentes: int
    ranking: int


class OpenDebt(BaseModel):
    """An organizer's positive balance in one currency."""

    organizerId: str
    currency: str
    assignedAmountCents: int
    paymentsCents: int
    deudaCents: int


class Credit(BaseModel):
    """An organizer's credit (payments beyond assignments) in one currency, as positive cents."""

    organizerId: str
    currency: str
    assignedAmountCents: int
    paymentsCents: int
    creditoCents: int


class Delivered(BaseModel):
    """Tickets allotted to one organizer for one event."""

    organizerId: str
    eventId: str | None
    tickets: int
    ticketsEquivalentes: int
    asignaciones: int
    ultimaAsignacion: datetime | None


class OverviewOut(BaseModel):
    """``GET /director/overview``: KPIs read from the materialized views as of ``refreshedAt``.

    Lists hold the first rows (10 top organizers, 100 debts, credits and deliveries); ``totals``
    cover every organizer.
    """

    refreshedAt: datetime | None
    totals: OverviewTotals
    topOrganizadores: list[TopOrganizer]
    deudaAbierta: list[OpenDebt]
    creditos: list[Credit]
    ticketsEntregados: list[Delivered]
