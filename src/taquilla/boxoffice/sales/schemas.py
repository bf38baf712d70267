"""Pydantic schemas of box office sales (seed 004 ``tickets`` / ``ticket_details``; API fields in camelCase).

Responses carry ``price``/``total`` in major units (``Amount``: Decimal, two places, from the
stored cents) beside ``priceCents``/``totalCents`` (integers). Out-schemas read ORM rows
directly (``from_attributes``); the sale itself answers with a dict of the same shape built on
the hot path (:func:`taquilla.boxoffice.sales.service.record_sale`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    EmailStr,
    Field,
    StringConstraints,
    computed_field,
    field_validator,
)

from taquilla.boxoffice.catalog.schemas import MAX_INDEX, In, Name, Out
from taquilla.core.ids import ClientId
from taquilla.core.money import Amount, from_cents

MAX_LINES_HARD = 1000
"""Schema bound of ``ticketDetails``; the configured ``MAX_PLACES_PER_TICKET`` is checked by the service."""


def _has_digit(value: str) -> str:
    if not any(ch.isdigit() for ch in value):
        raise ValueError("a document number must contain digits")
    return value


Document = Annotated[
    str,
    StringConstraints(strict=True, strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]{2,30}[A-Za-z0-9]$"),
    AfterValidator(_has_digit),
]
"""An identity document: 4–32 letters, digits, ``.`` or ``-``, with at least one digit (``1-2345-6789``)."""


class TicketDetailIn(In):
    """One place: a zone, one of its items and, for a numbered section, the seat index."""

    presentationSectionId: ClientId
    presentationSectionItemId: ClientId
    locationSectionIndex: Annotated[int, Field(strict=True, ge=-MAX_INDEX, le=MAX_INDEX)] | None = None


class BoxOfficeTicketIn(In):
    """``POST /api/v1/boxoffice/tickets``: all places are sold together or none is."""

    eventId: ClientId
    customerDocument: Document
    customerName: Name
    customerEmail: EmailStr | None = None
    ticketDetails: Annotated[list[TicketDetailIn], Field(min_length=1, max_length=MAX_LINES_HARD)]

    @field_validator("customerEmail", mode="before")
    @classmethod
    def _email_is_string(cls, value: Any) -> Any:
        if value is not None and (not isinstance(value, str) or len(value) > 254):
            raise ValueError("must be an email address of at most 254 characters")
        return value


class TicketDetailOut(Out):
    """One line of a ticket (a ``TicketDetail`` row): the place and its price at sale time."""

    id: str
    presentationSectionId: str = Field(validation_alias="presentation_section_id")
    presentationSectionItemId: str = Field(validation_alias="presentation_section_item_id")
    locationSectionId: str = Field(validation_alias="location_section_id")
    locationSectionIndex: int | None = Field(validation_alias="location_section_index")
    seatCode: str | None = Field(validation_alias="seat_code")
    priceCents: int = Field(validation_alias="price_cents")
    currency: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def price(self) -> Amount:
        """``priceCents`` in major units."""
        return from_cents(self.priceCents)


class BoxOfficeTicketOut(Out):
    """A ticket (a ``Ticket`` row with ``details`` loaded): ``total``/``totalCents`` = Σ the lines' prices.

    ``createdAt``/``cancelledAt`` are UTC; ``seatCodes`` lists the numbered seats in line order.
    """

    id: str
    eventId: str = Field(validation_alias="event_id")
    customerDocument: str = Field(validation_alias="customer_document")
    customerName: str = Field(validation_alias="customer_name")
    customerEmail: str | None = Field(validation_alias="customer_email")
    status: str
    totalCents: int = Field(validation_alias="total_cents")
    currency: str
    createdAt: datetime = Field(validation_alias="created_at")
    cancelledAt: datetime | None = Field(validation_alias="cancelled_at")
    ticketDetails: list[TicketDetailOut] = Field(validation_alias="details")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> Amount:
        """``totalCents`` in major units."""
        return from_cents(self.totalCents)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def places(self) -> int:
        """Number of lines."""
        return len(self.ticketDetails)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def seatCodes(self) -> list[str]:
        """Seat codes of the numbered lines, in line order."""
        return [d.seatCode for d in self.ticketDetails if d.seatCode]
