"""Pydantic schemas of the box office context (seed 004; API fields in camelCase).

Money: requests give ``price`` in major units (a JSON number) and ``currency``
(ISO-4217); responses give both ``price`` (major units, a number) and
``priceCents`` (integer), likewise ``total``/``totalCents`` on tickets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from taquilla.core.ids import ClientId
from taquilla.core.money import Amount, CurrencyCode, MajorAmount

MAX_CAPACITY = 1_000_000
MAX_INDEX = 10_000_000
MAX_LINES_HARD = 1000  # schema bound; the configured MAX_PLACES_PER_TICKET is checked by the service

Name = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
ShortName = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=120)]
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=5000)]
Prefix = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, pattern=r"^[A-Za-z0-9\-]{1,16}$")]
Sort = Annotated[int, Field(strict=True, ge=-1_000_000, le=1_000_000)]
Index = Annotated[int, Field(strict=True, ge=0, le=MAX_INDEX)]
Capacity = Annotated[int, Field(strict=True, gt=0, le=MAX_CAPACITY)]
Price = Annotated[MajorAmount, Field(ge=0)]


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


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- locations


class LocationIn(_In):
    """``POST /api/v1/boxoffice/locations``; ``id`` may be chosen by the client."""

    id: ClientId | None = None
    name: Name
    address: Text = ""
    city: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=120)] = ""


class LocationPatch(_In):
    """``PATCH /api/v1/boxoffice/locations/{id}``: only the fields sent change."""

    name: Name | None = None
    address: Text | None = None
    city: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=120)] | None = None


class LocationOut(BaseModel):
    id: str
    name: str
    address: str
    city: str
    createdAt: datetime
    updatedAt: datetime


# ---------------------------------------------------------- location sections


class SectionFields(_In):
    """Numbering rule shared by create and (merged) update.

    Numbered: ``indexPrefix``, ``indexFrom`` ≤ ``indexTo`` all given; ``capacity`` may be omitted
    (it is the seat count) and must equal it when given. General admission: none of the three,
    ``capacity`` required.
    """

    name: ShortName
    capacity: Capacity | None = None
    indexPrefix: Prefix | None = None
    indexFrom: Index | None = None
    indexTo: Index | None = None
    sort: Sort = 0

    @model_validator(mode="after")
    def _numbering(self) -> SectionFields:
        numbering = (self.indexPrefix, self.indexFrom, self.indexTo)
        if any(v is not None for v in numbering):
            if any(v is None for v in numbering):
                raise ValueError("a numbered section needs indexPrefix, indexFrom and indexTo")
            assert self.indexFrom is not None and self.indexTo is not None
            if self.indexFrom > self.indexTo:
                raise ValueError("indexFrom must be ≤ indexTo")
            seats = self.indexTo - self.indexFrom + 1
            if seats > MAX_CAPACITY:
                raise ValueError(f"a section has at most {MAX_CAPACITY} seats")
            if self.capacity is None:
                self.capacity = seats
            elif self.capacity != seats:
                raise ValueError(f"capacity {self.capacity} must equal the seat count {seats} (indexFrom..indexTo)")
        elif self.capacity is None:
            raise ValueError("a general-admission section needs capacity")
        return self


class LocationSectionIn(SectionFields):
    """``POST /api/v1/boxoffice/location-sections``."""

    id: ClientId | None = None
    locationId: ClientId


class LocationSectionPatch(_In):
    """``PATCH /api/v1/boxoffice/location-sections/{id}``: merged with the stored values, then checked as a whole."""

    name: ShortName | None = None
    capacity: Capacity | None = None
    indexPrefix: Prefix | None = None
    indexFrom: Index | None = None
    indexTo: Index | None = None
    sort: Sort | None = None


class LocationSectionOut(BaseModel):
    id: str
    locationId: str
    name: str
    capacity: int
    numbered: bool
    indexPrefix: str | None
    indexFrom: int | None
    indexTo: int | None
    sort: int


# -------------------------------------------------------------- presentations


class PresentationIn(_In):
    """``POST /api/v1/boxoffice/presentations``: a show at a location."""

    id: ClientId | None = None
    locationId: ClientId
    title: Name
    description: Text = ""
    performerName: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=200)] = ""
    organizer: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=200)] = ""


class PresentationPatch(_In):
    title: Name | None = None
    description: Text | None = None
    performerName: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=200)] | None = None
    organizer: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=200)] | None = None


class PresentationOut(BaseModel):
    id: str
    locationId: str
    title: str
    description: str
    performerName: str
    organizer: str


# ----------------------------------------------- presentation sections (zones)


class PresentationSectionIn(_In):
    """``POST /api/v1/boxoffice/presentation-sections``: a price zone; ``price`` in major units."""

    id: ClientId | None = None
    presentationId: ClientId
    name: ShortName
    price: Price
    currency: CurrencyCode
    sort: Sort = 0


class PresentationSectionPatch(_In):
    name: ShortName | None = None
    price: Price | None = None
    currency: CurrencyCode | None = None
    sort: Sort | None = None


class PresentationSectionOut(BaseModel):
    id: str
    presentationId: str
    name: str
    price: Amount
    priceCents: int
    currency: str
    sort: int


class PresentationSectionItemIn(_In):
    """``POST /api/v1/boxoffice/presentation-section-items``: the zone sells this location section."""

    id: ClientId | None = None
    presentationSectionId: ClientId
    locationSectionId: ClientId


class PresentationSectionItemOut(BaseModel):
    id: str
    presentationSectionId: str
    locationSectionId: str


# ---------------------------------------------------------------------- events

WritableStatus = Literal["draft", "on_sale", "cancelled"]


class EventIn(_In):
    """``POST /api/v1/boxoffice/events``: a dated function; ``title`` defaults to the presentation's."""

    id: ClientId | None = None
    presentationId: ClientId
    startAt: AwareDatetime
    status: WritableStatus = "on_sale"
    type: Literal["standard", "premium"] = "standard"
    title: Name | None = None
    description: Text | None = None


class EventPatch(_In):
    """``PATCH /api/v1/boxoffice/events/{id}``. ``sold_out`` is never written by hand: it follows sales."""

    presentationId: ClientId | None = None
    startAt: AwareDatetime | None = None
    status: WritableStatus | None = None
    type: Literal["standard", "premium"] | None = None
    title: Name | None = None
    description: Text | None = None


class EventOut(BaseModel):
    id: str
    presentationId: str | None
    title: str
    description: str
    startAt: datetime | None
    status: str
    type: str
    createdAt: datetime
    updatedAt: datetime


class EventRow(EventOut):
    """A row of ``GET /api/v1/boxoffice/events``: prices over the zones and availability over the sections."""

    performerName: str | None
    locationId: str | None
    locationName: str | None
    minPrice: Amount | None
    maxPrice: Amount | None
    minPriceCents: int | None
    maxPriceCents: int | None
    currency: str | None
    capacity: int
    available: int


# --------------------------------------------------------------------- tickets


class TicketDetailIn(_In):
    """One place: a zone, one of its items and, for a numbered section, the seat index."""

    presentationSectionId: ClientId
    presentationSectionItemId: ClientId
    locationSectionIndex: Annotated[int, Field(strict=True, ge=-MAX_INDEX, le=MAX_INDEX)] | None = None


class TicketIn(_In):
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


class TicketDetailOut(BaseModel):
    id: str
    presentationSectionId: str
    presentationSectionItemId: str
    locationSectionId: str
    locationSectionIndex: int | None
    seatCode: str | None
    price: Amount
    priceCents: int
    currency: str


class TicketOut(BaseModel):
    """A ticket with its lines; ``total``/``totalCents`` is the sum of the lines' prices."""

    id: str
    eventId: str
    customerDocument: str
    customerName: str
    customerEmail: str | None
    status: str
    total: Amount
    totalCents: int
    currency: str
    places: int
    seatCodes: list[str]
    createdAt: datetime
    cancelledAt: datetime | None
    ticketDetails: list[TicketDetailOut]
