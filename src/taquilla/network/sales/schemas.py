"""Schemas of lottery tickets (sales, cancellation) and prize payments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import Field, StringConstraints, computed_field

from taquilla.core.ids import ClientId
from taquilla.core.money import Amount, MajorAmount, Ratio
from taquilla.network.schemas import BetType, FromCents, InModel, Note, OutModel, Reason

TicketStatus = Literal["ACTIVE", "CANCELLED", "EVALUATED", "PAID"]
"""``PAID`` is shown (and filtered) for an EVALUATED winner whose prize is fully paid or whose payment was closed as final."""
PaymentMethod = Literal["cash", "check", "transfer", "system"]
NumberText = Annotated[str, StringConstraints(strict=True, max_length=8)]


class JugadaIn(InModel):
    """One bet line: ``number`` with the lotería's digits (``"05"``), ``amount`` in major units.

    A REVENTADO line may repeat its number as ``reventadoNumber`` (the client does); it must
    then equal ``number``, and the ticket needs a NUMERO line on that number.
    """

    number: NumberText
    amount: Annotated[MajorAmount, Field(gt=0)]
    type: BetType = "NUMERO"
    reventadoNumber: NumberText | None = None


class TicketIn(InModel):
    """A sale: the vendedor is the caller (VENDEDOR) or ``vendedorId`` (ADMIN, listero).

    ``loteriaId`` and ``ventanaId``, when sent (the client sends them), must be the sorteo's
    lotería and the vendedor's ventana (400 otherwise).
    """

    loteriaId: ClientId | None = None
    sorteoId: ClientId
    ventanaId: ClientId | None = None
    vendedorId: ClientId | None = None
    jugadas: Annotated[list[JugadaIn], Field(min_length=1, max_length=100)]


class PrizePaymentIn(InModel):
    """``amount`` omitted → the whole remaining prize."""

    amount: Annotated[MajorAmount, Field(gt=0)] | None = None
    notes: Note | None = None


class PayIn(InModel):
    """``POST /tickets/{id}/pay`` as the client sends it: ``isFinal`` closes the ticket's payment
    (status PAID) even when part of the prize stays unpaid. ``idempotencyKey`` works like the header."""

    amountPaid: Annotated[MajorAmount, Field(gt=0)]
    method: PaymentMethod = "cash"
    notes: Note | None = None
    isFinal: bool = False
    idempotencyKey: Annotated[str, StringConstraints(strict=True, min_length=8, max_length=255)] | None = None


class ReverseIn(InModel):
    reason: Reason


class ReverseLastIn(InModel):
    reason: Reason | None = None


# ---- responses -----------------------------------------------------------------------------------


class JugadaOut(OutModel):
    """A jugada with its frozen multiplier and both commission snapshots.

    ``finalMultiplierX`` is the multiplier that pays it: the frozen one for NUMERO, the sorteo's
    ``extraMultiplierX`` for REVENTADO (null before the evaluation). ``reventadoNumber`` = ``number`` for REVENTADO.
    """

    id: str
    number: str
    type: BetType = Field(validation_alias="bet_type")
    amount: FromCents = Field(validation_alias="amount_cents")
    multiplierX: Ratio = Field(validation_alias="multiplier_x")
    finalMultiplierX: Ratio | None = None
    reventadoNumber: str | None = None
    multiplier: MultiplierRef | None = None
    commissionPercent: Ratio = Field(validation_alias="commission_percent")
    commissionAmount: FromCents = Field(validation_alias="commission_cents")
    listeroCommissionPercent: Ratio = Field(validation_alias="listero_commission_percent")
    listeroCommissionAmount: FromCents = Field(validation_alias="listero_commission_cents")
    isWinner: bool = Field(validation_alias="is_winner")
    payout: FromCents = Field(validation_alias="payout_cents")


class NamedRef(OutModel):
    """An embedded vendedor / ventana / lotería (``phone``: vendedores have none stored; ``rulesJson``: loterías)."""

    id: str
    name: str
    code: str | None = None
    phone: str | None = None
    rulesJson: dict[str, Any] | None = None


class MultiplierRef(OutModel):
    """The multiplier that pays a jugada, named by its value (``90x``); the catalogue is ``/api/v1/multipliers``."""

    name: str
    valueX: Ratio


class SorteoRef(OutModel):
    id: str
    name: str | None
    scheduledAt: datetime = Field(validation_alias="scheduled_at")
    status: str
    winningNumber: str | None = Field(validation_alias="winning_number")
    extraMultiplierX: Ratio | None = Field(validation_alias="extra_multiplier_x")


class PaymentHistoryItem(OutModel):
    """A prize payment as the client's payment history reads it."""

    id: str
    amountPaid: FromCents = Field(validation_alias="amount_cents")
    paidAt: datetime | None = Field(validation_alias="created_at")
    paidById: str = Field(validation_alias="created_by")
    paidByName: str | None = None
    method: str
    notes: str | None
    isFinal: bool = Field(validation_alias="is_final")
    reversedAt: datetime | None = Field(validation_alias="reversed_at")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def isReversed(self) -> bool:
        return self.reversedAt is not None


class TicketOut(OutModel):
    """A lottery ticket; totals are the sums of its jugadas. ``jugadas`` are listed by the ticket routes.

    ``status`` is ``PAID`` for an evaluated winner fully paid or closed as final; ``totalPaid`` =
    ``totalPaidToCustomer``; ``remainingAmount`` = payout − paid (0 once the payment is closed).
    The embedded ``vendedor``/``ventana``/``loteria``/``sorteo`` and ``paymentHistory`` are set by the routes that show them.
    """

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
    paymentClosed: bool = Field(False, validation_alias="payment_closed")
    createdAt: datetime | None = Field(validation_alias="created_at")
    cancelledAt: datetime | None = Field(validation_alias="cancelled_at")
    clienteNombre: str | None = None
    jugadas: list[JugadaOut] | None = None
    vendedor: NamedRef | None = None
    ventana: NamedRef | None = None
    loteria: NamedRef | None = None
    sorteo: SorteoRef | None = None
    lastPaymentAt: datetime | None = None
    paymentMethod: str | None = None
    paymentHistory: list[PaymentHistoryItem] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def isWinner(self) -> bool:
        """The ticket has a prize (after evaluation)."""
        return self.totalPayout > Decimal(0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def totalPaid(self) -> Amount:  # Amount: documented as a number, as it is rendered
        return self.totalPaidToCustomer

    @computed_field  # type: ignore[prop-decorator]
    @property
    def remainingAmount(self) -> Amount:
        return Decimal("0.00") if self.paymentClosed else self.totalPayout - self.totalPaidToCustomer

    @classmethod
    def of(cls, ticket: Any, jugadas: list[Any] | None = None, sorteo: Any = None, names: Any = None) -> Self:
        """The ticket (an ORM row or the sale's in-memory ticket), with ``jugadas`` when given; ``sorteo``
        (its row) fills ``finalMultiplierX`` of REVENTADO jugadas; ``names`` (:class:`TicketNames`) the embedded refs."""
        out = cls.model_validate(ticket)
        if out.status == "EVALUATED" and out.totalPayout > 0 and (out.paymentClosed or out.totalPaidToCustomer >= out.totalPayout):
            out.status = "PAID"
        if jugadas is not None:
            extra = getattr(sorteo, "extra_multiplier_x", None) if sorteo is not None else None
            out.jugadas = []
            for j in jugadas:
                jo = JugadaOut.model_validate(j)
                if jo.type == "REVENTADO":
                    jo.reventadoNumber, jo.finalMultiplierX = jo.number, extra
                else:
                    jo.finalMultiplierX = jo.multiplierX
                if jo.finalMultiplierX is not None:
                    jo.multiplier = MultiplierRef(name=f"{jo.finalMultiplierX.normalize():f}x", valueX=jo.finalMultiplierX)
                out.jugadas.append(jo)
        if sorteo is not None:
            out.sorteo = SorteoRef.model_validate(sorteo)
        if names is not None:
            out.vendedor = names.vendedores.get(out.vendedorId)
            out.ventana = names.ventanas.get(out.ventanaId)
            out.loteria = names.loterias.get(out.loteriaId)
        return out

    def with_payments(self, payments: list[Any], user_names: dict[str, str]) -> Self:
        """``paymentHistory`` (oldest first), ``lastPaymentAt`` and ``paymentMethod`` of the last live payment."""
        self.paymentHistory = []
        for p in payments:
            item = PaymentHistoryItem.model_validate(p)
            item.paidByName = user_names.get(item.paidById)
            self.paymentHistory.append(item)
        live = [p for p in self.paymentHistory if not p.isReversed]
        if live:
            self.lastPaymentAt, self.paymentMethod = live[-1].paidAt, live[-1].method
        return self


class PrizePaymentOut(OutModel):
    """Money paid to a customer for a winning ticket; a reversal keeps it, marked."""

    id: str
    ticketId: str = Field(validation_alias="ticket_id")
    amount: FromCents = Field(validation_alias="amount_cents")
    method: str = "cash"
    isFinal: bool = Field(False, validation_alias="is_final")
    notes: str | None
    createdBy: str = Field(validation_alias="created_by")
    createdAt: datetime | None = Field(validation_alias="created_at")
    reversedAt: datetime | None = Field(validation_alias="reversed_at")
    reverseReason: str | None = Field(validation_alias="reverse_reason")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def isReversed(self) -> bool:
        return self.reversedAt is not None


class PrizePaidOut(OutModel):
    """The answer of a prize payment: the payment and the ticket's new totals."""

    payment: PrizePaymentOut
    ticket: TicketOut




@dataclass(slots=True)
class TicketNames:
    """The embedded references of a page of tickets, by id."""

    vendedores: dict[str, NamedRef] = field(default_factory=dict)
    ventanas: dict[str, NamedRef] = field(default_factory=dict)
    loterias: dict[str, NamedRef] = field(default_factory=dict)
