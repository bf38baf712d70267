"""Pydantic schemas of box office events (seed 004 ``events``; API fields in camelCase).

Times are UTC (requests need an offset). Prices: ``…Cents`` integers as stored and major-unit
``Amount`` (Decimal from ``from_cents``). ``EventOut``/``EventRow`` read ORM rows and search rows
(``from_attributes``); the event detail is documented by :class:`EventDetailOut`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, computed_field

from taquilla.boxoffice.catalog.schemas import In, Name, Out, Text
from taquilla.core.ids import ClientId
from taquilla.core.money import Amount, from_cents

# ---------------------------------------------------------------------- events

WritableStatus = Literal["draft", "on_sale", "cancelled"]
EventType = Literal["standard", "premium"]


class EventIn(In):
    """``POST /api/v1/boxoffice/events``: a dated function; ``title`` defaults to the presentation's."""

    id: ClientId | None = None
    presentationId: ClientId
    startAt: AwareDatetime
    status: WritableStatus = "on_sale"
    type: EventType = "standard"
    title: Name | None = None
    description: Text | None = None


class EventPatch(In):
    """``PATCH /api/v1/boxoffice/events/{id}``. ``sold_out`` is never written by hand: it follows sales."""

    presentationId: ClientId | None = None
    startAt: AwareDatetime | None = None
    status: WritableStatus | None = None
    type: EventType | None = None
    title: Name | None = None
    description: Text | None = None


class EventOut(Out):
    """A dated function; ``status`` draft|on_sale|sold_out|cancelled, ``type`` standard|premium, times UTC."""

    id: str
    presentationId: str | None = Field(validation_alias="presentation_id")
    title: str
    description: str
    startAt: datetime | None = Field(validation_alias="start_at")
    status: str
    type: str
    createdAt: datetime = Field(validation_alias="created_at")
    updatedAt: datetime = Field(validation_alias="updated_at")


class EventRow(EventOut):
    """A row of ``GET /api/v1/boxoffice/events``: prices over the zones (cents and major units) and availability."""

    performerName: str | None = Field(validation_alias="performer_name")
    locationId: str | None = Field(validation_alias="location_id")
    locationName: str | None = Field(validation_alias="location_name")
    minPriceCents: int | None = Field(validation_alias="min_price")
    maxPriceCents: int | None = Field(validation_alias="max_price")
    currency: str | None
    capacity: int
    available: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def minPrice(self) -> Amount | None:
        """Cheapest zone in major units."""
        return None if self.minPriceCents is None else from_cents(self.minPriceCents)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def maxPrice(self) -> Amount | None:
        """Dearest zone in major units."""
        return None if self.maxPriceCents is None else from_cents(self.maxPriceCents)


# --------------------------------------------- event detail (documentation)
# The detail is built as a dict and cached as JSON (events.service.build_event_detail); these
# classes describe it in OpenAPI, and the tests validate a real detail against them.


class SeatOut(BaseModel):
    """A seat of a numbered section: ``code`` = prefix + index."""

    index: int
    code: str
    available: bool


class DetailItemOut(BaseModel):
    """A zone item with its location section and availability in the event; ``seats`` null when general admission."""

    id: str
    locationSectionId: str
    name: str
    numbered: bool
    indexPrefix: str | None
    indexFrom: int | None
    indexTo: int | None
    sort: int
    capacity: int
    available: int
    seats: list[SeatOut] | None


class DetailZoneOut(BaseModel):
    """A price zone of the event with its items; capacity/available summed over them."""

    id: str
    name: str
    price: Amount
    priceCents: int
    currency: str
    sort: int
    capacity: int
    available: int
    items: list[DetailItemOut]


class DetailPresentationOut(BaseModel):
    """The event's show."""

    id: str
    title: str
    description: str
    performerName: str
    organizer: str


class DetailLocationOut(BaseModel):
    """The event's venue."""

    id: str
    name: str
    address: str
    city: str


class EventDetailOut(BaseModel):
    """``GET /api/v1/boxoffice/events/{id}``: the event fields, its show and venue, capacity/available
    over its distinct sections and prices over its zones."""

    id: str
    presentationId: str | None
    title: str
    description: str
    startAt: datetime | None
    status: str
    type: str
    createdAt: datetime
    updatedAt: datetime
    presentation: DetailPresentationOut | None
    location: DetailLocationOut | None
    capacity: int
    available: int
    minPrice: Amount | None
    maxPrice: Amount | None
    minPriceCents: int | None
    maxPriceCents: int | None
    currency: str | None
    zones: list[DetailZoneOut]
