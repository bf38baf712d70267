"""Pydantic schemas of the box office catalog (seed 004; API fields in camelCase).

Money: requests give ``price`` in major units (a JSON number) and ``currency`` (ISO-4217);
responses give ``priceCents`` (integer, as stored) and ``price`` (``Amount``: Decimal in
major units computed with ``from_cents``, written to JSON exactly). Out-schemas read ORM rows
directly (``from_attributes``, snake_case columns as validation aliases). Timestamps are UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    computed_field,
    model_validator,
)

from taquilla.core.ids import ClientId
from taquilla.core.money import Amount, CurrencyCode, MajorAmount, from_cents

MAX_CAPACITY = 1_000_000
MAX_INDEX = 10_000_000

Name = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
ShortName = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=120)]
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=5000)]
Line = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=200)]
City = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=120)]
Prefix = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, pattern=r"^[A-Za-z0-9\-]{1,16}$")]
Sort = Annotated[int, Field(strict=True, ge=-1_000_000, le=1_000_000)]
Index = Annotated[int, Field(strict=True, ge=0, le=MAX_INDEX)]
Capacity = Annotated[int, Field(strict=True, gt=0, le=MAX_CAPACITY)]
Price = Annotated[MajorAmount, Field(ge=0)]


class In(BaseModel):
    """Base of request bodies: unknown keys are refused (400)."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """Base of responses that read ORM rows (``Model.model_validate(row)``)."""

    model_config = ConfigDict(from_attributes=True)


class Deleted(BaseModel):
    """Answer of a DELETE route."""

    id: str
    deleted: bool = True


# ---------------------------------------------------------------- locations


class LocationIn(In):
    """``POST /api/v1/boxoffice/locations``; ``id`` may be chosen by the client."""

    id: ClientId | None = None
    name: Name
    address: Text = ""
    city: City = ""


class LocationPatch(In):
    """``PATCH /api/v1/boxoffice/locations/{id}``: only the fields sent change."""

    name: Name | None = None
    address: Text | None = None
    city: City | None = None


class LocationOut(Out):
    """A venue."""

    id: str
    name: str
    address: str
    city: str
    createdAt: datetime = Field(validation_alias="created_at")
    updatedAt: datetime = Field(validation_alias="updated_at")


# ---------------------------------------------------------- location sections


class SectionFields(In):
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


class LocationSectionPatch(In):
    """``PATCH /api/v1/boxoffice/location-sections/{id}``: merged with the stored values, then checked as a whole."""

    name: ShortName | None = None
    capacity: Capacity | None = None
    indexPrefix: Prefix | None = None
    indexFrom: Index | None = None
    indexTo: Index | None = None
    sort: Sort | None = None


class LocationSectionOut(Out):
    """A section of a venue: numbered (seats ``indexPrefix`` + ``indexFrom..indexTo``) or general admission."""

    id: str
    locationId: str = Field(validation_alias="location_id")
    name: str
    capacity: int
    numbered: bool
    indexPrefix: str | None = Field(validation_alias="index_prefix")
    indexFrom: int | None = Field(validation_alias="index_from")
    indexTo: int | None = Field(validation_alias="index_to")
    sort: int


# -------------------------------------------------------------- presentations


class PresentationIn(In):
    """``POST /api/v1/boxoffice/presentations``: a show at a location."""

    id: ClientId | None = None
    locationId: ClientId
    title: Name
    description: Text = ""
    performerName: Line = ""
    organizer: Line = ""


class PresentationPatch(In):
    """``PATCH /api/v1/boxoffice/presentations/{id}``: only the fields sent change."""

    title: Name | None = None
    description: Text | None = None
    performerName: Line | None = None
    organizer: Line | None = None


class PresentationOut(Out):
    """A show at a location."""

    id: str
    locationId: str = Field(validation_alias="location_id")
    title: str
    description: str
    performerName: str = Field(validation_alias="performer_name")
    organizer: str


# ----------------------------------------------- presentation sections (zones)


class PresentationSectionIn(In):
    """``POST /api/v1/boxoffice/presentation-sections``: a price zone; ``price`` in major units."""

    id: ClientId | None = None
    presentationId: ClientId
    name: ShortName
    price: Price
    currency: CurrencyCode
    sort: Sort = 0


class PresentationSectionPatch(In):
    """``PATCH /api/v1/boxoffice/presentation-sections/{id}``; tickets already sold keep their price."""

    name: ShortName | None = None
    price: Price | None = None
    currency: CurrencyCode | None = None
    sort: Sort | None = None


class PresentationSectionOut(Out):
    """A price zone: ``priceCents`` as stored, ``price`` in major units."""

    id: str
    presentationId: str = Field(validation_alias="presentation_id")
    name: str
    priceCents: int = Field(validation_alias="price_cents")
    currency: str
    sort: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def price(self) -> Amount:
        """``priceCents`` in major units."""
        return from_cents(self.priceCents)


class PresentationSectionItemIn(In):
    """``POST /api/v1/boxoffice/presentation-section-items``: the zone sells this location section."""

    id: ClientId | None = None
    presentationSectionId: ClientId
    locationSectionId: ClientId


class PresentationSectionItemOut(Out):
    """A zone item: the zone sells the location section."""

    id: str
    presentationSectionId: str = Field(validation_alias="presentation_section_id")
    locationSectionId: str = Field(validation_alias="location_section_id")
