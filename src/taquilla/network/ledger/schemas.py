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

    ``bancaId`` (the front end sends it) must be the ventana's banca (400 ``BANCA_MISMATCH``);
    ``isFinal`` marks the movement that closes the day's balance (stored, shown on the movement).

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
    bancaId: ClientId | None = None
    isFinal: bool = False
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
    isFinal: bool = Field(False, validation_alias="is_final")
    kind: Literal["MOVEMENT", "ADJUSTMENT"] = "MOVEMENT"
    """``ADJUSTMENT``: a mayorization's settlement (never reversed), ``mayorizationId`` its record."""
    mayorizationId: str | None = Field(None, validation_alias="mayorization_id")
    reversedByUser: dict[str, str] | None = None
    """``{id, name}`` of who reversed it (filled on the reverse-payment answer)."""


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
    currency: str = "CRC"
    isActive: bool = True
    """The owner's (ventana's or vendedor's) active flag."""
    createdAt: datetime | None = None


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
    """One CR day with activity, the entity it belongs to and the movements of that day (reversed ones flagged).

    ``id`` = ``<date>:<dimension>:<entity id or "all">`` (stable); ``isSettled`` is true once the
    day lies in a settled mayorization period of the account (none exist yet: false);
    ``canEdit`` = the caller may register movements for this entity on this day (ADMIN; a
    listero for its vendedores) and it is not settled; ``totalPaymentsCollections`` =
    ``totalPaid + totalCollected`` (the day's movement volume, reversed ones excluded).
    """

    id: str
    date: date
    month: str
    bancaId: str | None = None
    bancaName: str | None = None
    bancaCode: str | None = None
    ventanaId: str | None = None
    ventanaName: str | None = None
    ventanaCode: str | None = None
    vendedorId: str | None = None
    vendedorName: str | None = None
    vendedorCode: str | None = None
    isSettled: bool = False
    canEdit: bool = False
    totalPaymentsCollections: Amount
    hasSorteos: bool = False
    bySorteo: list[dict[str, object]] = []
    movements: list[AccountMovementOut]
    movementsTruncated: bool = False
    """True when ``movements`` lists only the day's latest ones: the answer to a movement (``POST
    /accounts/payment``, ``reverse-payment``) lists the latest 20; ``GET /accounts/statement`` lists every one."""


class PeriodFigures(Figures):
    """Figures of a period under the front end's names (``total*``), plus settled/pending day counts.

    The per-day names (``balance``, ``remainingBalance``, ``listeroCommission``…) stay for
    earlier clients; both spellings are computed from the same cents.
    """

    totalListeroCommission: Amount
    totalVendedorCommission: Amount
    totalBalance: Amount
    totalRemainingBalance: Amount
    settledDays: int
    pendingDays: int


class MonthlyAccumulated(PeriodFigures):
    """The same figures over the whole calendar month (``month`` = ``YYYY-MM``)."""

    month: str
    startDate: date
    endDate: date


class StatementMeta(BaseModel):
    month: str
    monthStartDate: date
    monthEndDate: date
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
    totals: PeriodFigures
    monthlyAccumulated: MonthlyAccumulated
    meta: StatementMeta


class PaymentResult(BaseModel):
    """``POST /accounts/payment`` and ``reverse-payment``: the movement and the updated day statement of its entity."""

    payment: AccountMovementOut
    statement: DayStatement | None


class SorteoFigures(BaseModel):
    """One sorteo's figures on a statement day; ``sorteoAccumulated`` = running balance of the day's sorteos so far."""

    sorteoId: str
    sorteoName: str
    loteriaId: str
    loteriaName: str
    scheduledAt: datetime
    sales: Amount
    payouts: Amount
    listeroCommission: Amount
    vendedorCommission: Amount
    balance: Amount
    ticketCount: int
    sorteoAccumulated: Amount
