"""Schemas of mayorizations (seeds 002/003, DOMAIN.md "Mayorización").

Amounts are major units (exact decimals); dates are CR business dates ``YYYY-MM-DD``. A
record's ``date`` is its ``toDate`` (the period's end, what the front end shows).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.core.money import Amount, MajorAmount
from taquilla.network.schemas import InModel, Note

OwnerType = Literal["VENTANA", "VENDEDOR"]
DebtStatus = Literal["CXC", "CXP", "BALANCE"]
SettlementType = Literal["PAYMENT", "COLLECTION"]
OrderBy = Literal["date", "debtAmount", "netOperative"]


class MayorizationOut(BaseModel):
    """A mayorization record (seed 003's calculate answer plus seed 002/003's history fields).

    ``netOperative = totalSales − totalPrizes − totalCommission`` (the owner's commission);
    ``debtStatus`` CXC (> 0: the owner owes its creditor — the banca for a ventana, the ventana
    for a vendedor), CXP (< 0), BALANCE (0); ``debtAmount = |netOperative|``. The settlement
    fields are null while ``status`` is OPEN.
    """

    id: str
    accountId: str
    ownerType: OwnerType
    ownerId: str
    ownerCode: str
    ownerName: str
    ventanaId: str
    date: date
    fromDate: date
    toDate: date
    totalSales: Amount
    totalPrizes: Amount
    totalCommission: Amount
    netOperative: Amount
    debtStatus: DebtStatus
    debtAmount: Amount
    debtDescription: str
    status: Literal["OPEN", "SETTLED"]
    isSettled: bool
    settledDate: date | None = None
    settledAmount: Amount | None = None
    settlementType: SettlementType | None = None
    settlementRef: str | None = None
    settledBy: str | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class Pagination(BaseModel):
    """Seed 002's ``pagination`` block."""

    page: int
    pageSize: int
    total: int
    totalPages: int


class HistorySummary(BaseModel):
    """Over every record matching the filters (not only the page): ``totalDebtAmount`` = Σ debtAmount,
    ``totalSettledAmount`` = Σ settledAmount, ``pendingSettlement`` = their difference (Σ debtAmount of OPEN records)."""

    totalDebtAmount: Amount
    totalSettledAmount: Amount
    pendingSettlement: Amount


class HistoryOut(BaseModel):
    """``GET /accounts/mayorizations/history`` (seed 002's top-level keys, no ``data``)."""

    success: bool = True
    mayorizations: list[MayorizationOut]
    pagination: Pagination
    summary: HistorySummary
    requestId: str


class SettleIn(InModel):
    """``POST /accounts/mayorizations/settle``: settle an OPEN record in full.

    ``amount`` must equal the record's ``debtAmount``; ``settlementType`` PAYMENT (the owner pays
    its creditor) for CXC, COLLECTION (the owner collects from it) for CXP. ``requestId`` works
    like the ``Idempotency-Key`` header.
    """

    mayorizationId: ClientId
    amount: Annotated[MajorAmount, Field(gt=0)]
    settlementType: SettlementType
    date: Annotated[str, StringConstraints(strict=True)]
    reference: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=100)]
    note: Note | None = None
    requestId: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=255)] | None = None


class LedgerEntryOut(BaseModel):
    """The settlement's ADJUSTMENT movement: ``valueSigned`` −amount for PAYMENT, +amount for COLLECTION."""

    id: str
    type: Literal["ADJUSTMENT"] = "ADJUSTMENT"
    valueSigned: Amount
    note: str
    date: date
    referenceType: Literal["MAYORIZATION"] = "MAYORIZATION"
    referenceId: str
    createdAt: datetime | None = None


class SettleOut(BaseModel):
    """The settled record, its ledger entry and the account's new (all-time remaining) balance."""

    mayorization: MayorizationOut
    ledgerEntry: LedgerEntryOut
    newBalance: Amount
