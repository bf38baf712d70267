"""Pydantic schemas of the director context (seed 000 field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.core.money import CurrencyCode, MajorAmount

MAX_TICKETS = 10_000_000

Metadata = dict[str, Any]


class AssignIn(BaseModel):
    """``POST /director/assign``: tickets allotted to an organizer at ``price`` (major units) each."""

    model_config = ConfigDict(extra="forbid")
    organizerId: ClientId
    eventId: ClientId
    type: Literal["prepaid", "loan"]
    tickets: Annotated[int, Field(strict=True, gt=0, le=MAX_TICKETS)]
    price: Annotated[MajorAmount, Field(ge=0)]
    currency: CurrencyCode = "mxn"
    metadata: Metadata | None = None


class PaymentIn(BaseModel):
    """``POST /director/payments``: money received from an organizer (major units, > 0)."""

    model_config = ConfigDict(extra="forbid")
    organizerId: ClientId
    amount: Annotated[MajorAmount, Field(gt=0)]
    currency: CurrencyCode
    metadata: Metadata | None = None


class OrganizerIn(BaseModel):
    """``POST /director/organizers``: ``id`` may be chosen by the client (``org_demo``)."""

    model_config = ConfigDict(extra="forbid")
    id: ClientId | None = None
    name: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
    email: Annotated[str, StringConstraints(strict=True, max_length=254)] | None = None


class OrganizerOut(BaseModel):
    id: str
    name: str
    email: str | None
    createdAt: datetime


class EntryOut(BaseModel):
    """One ledger entry; amounts in cents."""

    id: str
    organizerId: str
    eventId: str | None
    entryType: str
    tickets: int
    ticketsEquivalent: int
    unitPriceCents: int | None
    amountCents: int
    currency: str
    metadata: Metadata
    createdBy: str | None
    createdAt: datetime


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


class MovementOut(BaseModel):
    """Answer of assign/payment: the entry written and the organizer's updated balances."""

    entry: EntryOut
    balanceCents: int
    balances: list[CurrencyBalance]
