"""Schemas of the ledger: movements (cobros and pagos), accounts and day statements.

Amounts are major units (exact decimals); dates are CR business dates. Sign of a balance:
positive = the entity owes its creditor (CxC for the creditor), negative = CxP.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.core.money import Amount, MajorAmount
from taquilla.network.schemas import HHMM, FromCents, InModel, Note, OutModel, Reason

MovementType = Literal["payment", "collection"]
Dimension = Literal["banca", "ventana", "vendedor"]
OwnerType = Literal["VENTANA", "VENDEDOR"]


class MovementIn(InModel):
    """``POST /api/v1/accounts/payment``: a cobro (``collection``) or pago (``payment``) on a CR ``date``.

    Only ``ventanaId``: between the banca and that ventana (ADMIN). ``vendedorId``: between the
    vendedor and its ventana (ADMIN or the listero). ``idempotencyKey`` works like the header.
    """

    date: Annotated[str, StringConstraints(strict=True)]
    time: HHMM | None = None
    ventanaId: ClientId | None = None
    vendedorId: ClientId | None = None
    amount: Annotated[MajorAmount, Field(gt=0)]
    type: MovementType
    method: Literal["cash", "transfer", "check", "other"]
    notes: Note | None = None
    idempotencyKey: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=255)] | None = None


class ReversePaymentIn(InModel):
    paymentId: ClientId
    reason: Reason


class AccountMovementOut(OutModel):
    """A movement; a reversed one stays listed with ``isReversed``."""

    id: str
    accountId: str = Field(validation_alias="account_id")
    ventanaId: str = Field(validation_alias="ventana_id")
    vendedorId: str | None = Field(validation_alias="vendedor_id")
    date: date
    time: str | None
    amount: FromCents = Field(validation_alias="amount_cents")
    type: MovementType
    method: str
    notes: str | None
    createdBy: str = Field(validation_alias="created_by")
    createdAt: datetime | None = Field(validation_alias="created_at")
    isReversed: bool = Field(validation_alias="is_reversed")
    reversedAt: datetime | None = Field(validation_alias="reversed_at")
    reversedBy: str | None = Field(validation_alias="reversed_by")
    reverseReason: str | None = Field(validation_alias="reverse_reason")


class AccountOut(BaseModel):
    """An account and its all-time figures; ``balance`` = remaining balance (+ CxC, − CxP).

    ``totalCommission`` is the owner's: the listero's for a VENTANA account, the vendedor's for a VENDEDOR one.
    """

    id: str
    ownerType: OwnerType
    ownerId: str
    ownerCode: str
    ownerName: str
    ventanaId: str
    balance: Amount
    totalSales: Amount
    totalPayouts: Amount
    totalCommission: Amount
    totalCollected: Amount
    totalPaid: Amount


class Figures(BaseModel):
    """Statement figures of a day or a period.

    ``balance = totalSales − totalPayouts − commission`` (listero's for dimension banca/ventana,
    vendedor's for dimension vendedor); ``remainingBalance = balance − totalCollected + totalPaid``.
    """

    totalSales: Amount
    totalPayouts: Amount
    listeroCommission: Amount
    vendedorCommission: Amount
    balance: Amount
    totalCollected: Amount
    totalPaid: Amount
    remainingBalance: Amount
    totalPaidToCustomer: Amount
    ticketCount: int


class DayStatement(Figures):
    """One CR day with activity, and the movements of that day (reversed ones flagged)."""

    date: date
    movements: list[AccountMovementOut]


class MonthlyAccumulated(Figures):
    """The same figures over the whole calendar month (``month`` = ``YYYY-MM``)."""

    month: str
    startDate: date
    endDate: date


class StatementMeta(BaseModel):
    dimension: Dimension
    bancaId: str | None
    ventanaId: str | None
    vendedorId: str | None
    startDate: date
    endDate: date
    totalDays: int
    daysWithActivity: int
    currency: str


class StatementOut(BaseModel):
    """``GET /api/v1/accounts/statement``: days with activity (ascending), period totals, month, meta."""

    statements: list[DayStatement]
    totals: Figures
    monthlyAccumulated: MonthlyAccumulated
    meta: StatementMeta
