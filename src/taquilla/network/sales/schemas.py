"""Schemas of lottery tickets (sales, cancellation) and prize payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import Field, StringConstraints, computed_field

from taquilla.core.ids import ClientId
from taquilla.core.money import MajorAmount, Ratio
from taquilla.network.schemas import BetType, FromCents, InModel, Note, OutModel, Reason

TicketStatus = Literal["ACTIVE", "CANCELLED", "EVALUATED"]


class JugadaIn(InModel):
    """One bet line: ``number`` with the lotería's digits (``"05"``), ``amount`` in major units."""

    number: Annotated[str, StringConstraints(strict=True, max_length=8)]
    amount: Annotated[MajorAmount, Field(gt=0)]
    type: BetType = "NUMERO"


class TicketIn(InModel):
    """A sale: the vendedor is the caller (VENDEDOR) or ``vendedorId`` (ADMIN, listero)."""

    sorteoId: ClientId
    vendedorId: ClientId | None = None
    jugadas: Annotated[list[JugadaIn], Field(min_length=1, max_length=100)]


class PrizePaymentIn(InModel):
    """``amount`` omitted → the whole remaining prize."""

    amount: Annotated[MajorAmount, Field(gt=0)] | None = None
    notes: Note | None = None


class ReverseIn(InModel):
    reason: Reason


# ---- responses -----------------------------------------------------------------------------------


class JugadaOut(OutModel):
    """A jugada with its frozen multiplier and both commission snapshots."""

    id: str
    number: str
    type: BetType = Field(validation_alias="bet_type")
    amount: FromCents = Field(validation_alias="amount_cents")
    multiplierX: Ratio = Field(validation_alias="multiplier_x")
    commissionPercent: Ratio = Field(validation_alias="commission_percent")
    commissionAmount: FromCents = Field(validation_alias="commission_cents")
    listeroCommissionPercent: Ratio = Field(validation_alias="listero_commission_percent")
    listeroCommissionAmount: FromCents = Field(validation_alias="listero_commission_cents")
    isWinner: bool = Field(validation_alias="is_winner")
    payout: FromCents = Field(validation_alias="payout_cents")


class TicketOut(OutModel):
    """A lottery ticket; totals are the sums of its jugadas. ``jugadas`` are listed by the ticket routes."""

    id: str
    ticketNumber: int = Field(validation_alias="ticket_number")
    businessDate: date = Field(validation_alias="business_date")
    sorteoId: str = Field(validation_alias="sorteo_id")
    loteriaId: str = Field(validation_alias="loteria_id")
    ventanaId: str = Field(validation_alias="ventana_id")
    vendedorId: str = Field(validation_alias="vendedor_id")
    status: TicketStatus
    totalAmount: FromCents = Field(validation_alias="total_amount_cents")
    commissionAmount: FromCents = Field(validation_alias="commission_cents")
    listeroCommissionAmount: FromCents = Field(validation_alias="listero_commission_cents")
    totalPayout: FromCents = Field(validation_alias="payout_cents")
    totalPaidToCustomer: FromCents = Field(validation_alias="paid_cents")
    createdAt: datetime | None = Field(validation_alias="created_at")
    cancelledAt: datetime | None = Field(validation_alias="cancelled_at")
    jugadas: list[JugadaOut] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def isWinner(self) -> bool:  # noqa: N802
        """The ticket has a prize (after evaluation)."""
        return self.totalPayout > Decimal(0)

    @classmethod
    def of(cls, ticket: Any, jugadas: list[Any] | None = None) -> Self:
        """The ticket (an ORM row or the sale's in-memory ticket), with ``jugadas`` when given."""
        out = cls.model_validate(ticket)
        if jugadas is not None:
            out.jugadas = [JugadaOut.model_validate(j) for j in jugadas]
        return out


class PrizePaymentOut(OutModel):
    """Money paid to a customer for a winning ticket; a reversal keeps it, marked."""

    id: str
    ticketId: str = Field(validation_alias="ticket_id")
    amount: FromCents = Field(validation_alias="amount_cents")
    notes: str | None
    createdBy: str = Field(validation_alias="created_by")
    createdAt: datetime | None = Field(validation_alias="created_at")
    reversedAt: datetime | None = Field(validation_alias="reversed_at")
    reverseReason: str | None = Field(validation_alias="reverse_reason")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def isReversed(self) -> bool:  # noqa: N802
        return self.reversedAt is not None


class PrizePaidOut(OutModel):
    """The answer of a prize payment: the payment and the ticket's new totals."""

    payment: PrizePaymentOut
    ticket: TicketOut


