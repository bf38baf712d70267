"""Pydantic schemas of the sales network (camelCase fields as the seeds name them).

Amounts in requests and responses are decimal numbers in major units (``1500000.00``);
internally they are integer cents. Dates are CR business dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.core.money import Amount, MajorAmount, Ratio

Name = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=32)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]
Multiplier = Annotated[Decimal, Field(gt=0, le=100000, max_digits=10, decimal_places=2)]
BetType = Literal["NUMERO", "REVENTADO"]
HHMM = Annotated[str, StringConstraints(strict=True, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Note = Annotated[str, StringConstraints(strict=True, max_length=1000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommissionRule(_In):
    """A percentage for one lotería and/or bet type (the most specific matching rule wins)."""

    loteriaId: ClientId | None = None
    betType: BetType | None = None
    percent: Percent


class CommissionPolicy(_In):
    """``percent`` (default) and ``rules``; a level with neither defers to the next level."""

    percent: Percent | None = None
    rules: list[CommissionRule] = Field(default_factory=list, max_length=200)


class BancaIn(_In):
    id: ClientId | None = None
    code: Code
    name: Name
    isActive: bool = True
    commissionPolicy: CommissionPolicy | None = None


class BancaPatch(_In):
    name: Name | None = None
    isActive: bool | None = None
    commissionPolicy: CommissionPolicy | None = None


class VentanaIn(_In):
    id: ClientId | None = None
    bancaId: ClientId
    code: Code
    name: Name
    isActive: bool = True
    commissionPolicy: CommissionPolicy | None = None


class VentanaPatch(_In):
    name: Name | None = None
    isActive: bool | None = None
    commissionPolicy: CommissionPolicy | None = None


class VendedorIn(_In):
    """Creates the VENDEDOR user and its vendedor record (same id). A VENTANA caller may omit ``ventanaId``."""

    username: Annotated[str, StringConstraints(strict=True, min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")]
    password: Annotated[str, StringConstraints(strict=True, min_length=8, max_length=256)]
    name: Name
    code: Code
    ventanaId: ClientId | None = None
    isActive: bool = True
    commissionPolicy: CommissionPolicy | None = None


class VendedorPatch(_In):
    name: Name | None = None
    isActive: bool | None = None
    commissionPolicy: CommissionPolicy | None = None


class LoteriaIn(_In):
    id: ClientId | None = None
    name: Name
    digits: Annotated[int, Field(strict=True, ge=1, le=4)] = 2
    baseMultiplierX: Multiplier
    reventadoEnabled: bool = False
    drawTimes: list[HHMM] = Field(default_factory=list, max_length=48)
    salesCutoffMinutes: Annotated[int, Field(strict=True, ge=0, le=1440)] = 1
    maxAmountPerBet: Annotated[MajorAmount, Field(gt=0)] | None = None
    maxAmountPerNumber: Annotated[MajorAmount, Field(gt=0)] | None = None
    isActive: bool = True


class LoteriaPatch(_In):
    name: Name | None = None
    baseMultiplierX: Multiplier | None = None
    reventadoEnabled: bool | None = None
    drawTimes: list[HHMM] | None = None
    salesCutoffMinutes: Annotated[int, Field(strict=True, ge=0, le=1440)] | None = None
    maxAmountPerBet: Annotated[MajorAmount, Field(gt=0)] | None = None
    maxAmountPerNumber: Annotated[MajorAmount, Field(gt=0)] | None = None
    isActive: bool | None = None


class SorteoIn(_In):
    id: ClientId | None = None
    loteriaId: ClientId
    scheduledAt: AwareDatetime


class SorteoPatch(_In):
    scheduledAt: AwareDatetime | None = None


class EvaluateIn(_In):
    """``winningNumber`` with the lotería's digits; ``extraMultiplierX`` pays REVENTADO winners (none → they win 0)."""

    winningNumber: Annotated[str, StringConstraints(strict=True)]
    extraMultiplierX: Multiplier | None = None


class JugadaIn(_In):
    number: Annotated[str, StringConstraints(strict=True, max_length=8)]
    amount: Annotated[MajorAmount, Field(gt=0)]
    type: BetType = "NUMERO"


class TicketIn(_In):
    sorteoId: ClientId
    vendedorId: ClientId | None = None
    jugadas: Annotated[list[JugadaIn], Field(min_length=1, max_length=100)]


class PrizePaymentIn(_In):
    """``amount`` omitted → the whole remaining prize."""

    amount: Annotated[MajorAmount, Field(gt=0)] | None = None
    notes: Note | None = None


class ReverseIn(_In):
    reason: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=500)]


class MovementIn(_In):
    """``POST /api/v1/accounts/payment``: a cobro (``collection``) or pago (``payment``) on a CR ``date``."""

    date: Annotated[str, StringConstraints(strict=True)]
    time: HHMM | None = None
    ventanaId: ClientId | None = None
    vendedorId: ClientId | None = None
    amount: Annotated[MajorAmount, Field(gt=0)]
    type: Literal["payment", "collection"]
    method: Literal["cash", "transfer", "check", "other"]
    notes: Note | None = None
    idempotencyKey: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=255)] | None = None


class ReversePaymentIn(_In):
    paymentId: ClientId
    reason: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=500)]


# ---- responses -----------------------------------------------------------------------------------


class BancaOut(BaseModel):
    id: str
    code: str
    name: str
    isActive: bool
    commissionPolicy: dict[str, Any] | None
    createdAt: datetime | None = None


class VentanaOut(BaseModel):
    id: str
    bancaId: str
    code: str
    name: str
    isActive: bool
    commissionPolicy: dict[str, Any] | None
    accountId: str | None = None
    createdAt: datetime | None = None


class VendedorOut(BaseModel):
    id: str
    ventanaId: str
    code: str
    name: str
    isActive: bool
    commissionPolicy: dict[str, Any] | None
    accountId: str | None = None
    createdAt: datetime | None = None


class LoteriaOut(BaseModel):
    id: str
    name: str
    digits: int
    baseMultiplierX: Ratio
    reventadoEnabled: bool
    drawTimes: list[str]
    salesCutoffMinutes: int
    maxAmountPerBet: Amount | None
    maxAmountPerNumber: Amount | None
    isActive: bool


class SorteoOut(BaseModel):
    id: str
    loteriaId: str
    scheduledAt: datetime
    businessDate: date
    cutoffAt: datetime | None = None
    status: str
    winningNumber: str | None
    extraMultiplierX: Ratio | None
    evaluatedAt: datetime | None


class JugadaOut(BaseModel):
    id: str
    number: str
    type: str
    amount: Amount
    multiplierX: Ratio
    commissionPercent: Ratio
    commissionAmount: Amount
    listeroCommissionPercent: Ratio
    listeroCommissionAmount: Amount
    isWinner: bool
    payout: Amount


class TicketOut(BaseModel):
    id: str
    ticketNumber: int
    businessDate: date
    sorteoId: str
    loteriaId: str
    ventanaId: str
    vendedorId: str
    status: str
    totalAmount: Amount
    commissionAmount: Amount
    listeroCommissionAmount: Amount
    totalPayout: Amount
    totalPaidToCustomer: Amount
    isWinner: bool
    createdAt: datetime | None
    cancelledAt: datetime | None
    jugadas: list[JugadaOut] | None = None


class PrizePaymentOut(BaseModel):
    id: str
    ticketId: str
    amount: Amount
    notes: str | None
    createdBy: str
    createdAt: datetime | None
    isReversed: bool
    reversedAt: datetime | None
    reverseReason: str | None


class MovementOut(BaseModel):
    id: str
    accountId: str
    ventanaId: str
    vendedorId: str | None
    date: date
    time: str | None
    amount: Amount
    type: str
    method: str
    notes: str | None
    createdBy: str
    createdAt: datetime | None
    isReversed: bool
    reversedAt: datetime | None
    reversedBy: str | None
    reverseReason: str | None


class AccountOut(BaseModel):
    """An account and its all-time remaining balance (positive = CxC, the owner owes the banca)."""

    id: str
    ownerType: str
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
