"""Schemas of the multipliers catalogue and of sale restrictions (``/api/v1/multipliers``, ``/api/v1/restrictions``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints, computed_field

from taquilla.core.ids import ClientId
from taquilla.core.money import MajorAmount, Ratio
from taquilla.network.schemas import BetType, FromCents, InModel, Multiplier, Name, OutModel


def _date_part(value: Any) -> Any:
    """``2026-01-15`` or an ISO datetime (the client's date picker sends either): the date part."""
    return value[:10] if isinstance(value, str) and len(value) > 10 else value


DateOnly = Annotated[date, BeforeValidator(_date_part)]
LimitAmount = Annotated[MajorAmount, Field(gt=0)]
NumberText = Annotated[str, StringConstraints(strict=True, pattern=r"^\d{1,4}$")]
Hour = Annotated[int, Field(ge=0, le=23)]
Minutes = Annotated[int, Field(ge=0, le=1440)]


# ---- multipliers ----------------------------------------------------------------------------------


class MultiplierIn(InModel):
    """A multiplier of ``loteriaId``: NUMERO (the payout of NUMERO bets) or REVENTADO (named at evaluation)."""

    id: ClientId | None = None
    loteriaId: ClientId
    name: Name
    valueX: Multiplier
    kind: BetType = "NUMERO"
    isActive: bool = True
    appliesToDate: DateOnly | None = None
    appliesToSorteoId: ClientId | None = None


class MultiplierPatch(InModel):
    name: Name | None = None
    valueX: Multiplier | None = None
    kind: BetType | None = None
    isActive: bool | None = None
    appliesToDate: DateOnly | None = None
    appliesToSorteoId: ClientId | None = None


class ToggleIn(InModel):
    """The body of the client's ``DELETE /multipliers/{id}`` (``{isActive}``); absent → deactivate."""

    isActive: bool = False


class MultiplierOut(OutModel):
    id: str
    loteriaId: str = Field(validation_alias="loteria_id")
    name: str
    valueX: Ratio = Field(validation_alias="value_x")
    kind: BetType
    isActive: bool = Field(validation_alias="is_active")
    appliesToDate: date | None = Field(validation_alias="applies_to_date")
    appliesToSorteoId: str | None = Field(validation_alias="applies_to_sorteo_id")
    createdAt: datetime | None = Field(None, validation_alias="created_at")
    updatedAt: datetime | None = Field(None, validation_alias="updated_at")


# ---- restrictions ---------------------------------------------------------------------------------


class RestrictionIn(InModel):
    """A rule of exactly one of ``bancaId`` / ``ventanaId`` / ``userId``; ``number`` empty = every number.

    At least one limit: ``maxAmount`` (per jugada), ``maxTotal`` (per number per sorteo, the
    scope's sales), ``salesCutoffMinutes`` (before ``scheduledAt``). ``appliesToDate`` (CR date)
    and ``appliesToHour`` (CR hour 0–23) narrow when it applies.
    """

    bancaId: ClientId | None = None
    ventanaId: ClientId | None = None
    userId: ClientId | None = None
    number: NumberText | None = None
    maxAmount: LimitAmount | None = None
    maxTotal: LimitAmount | None = None
    salesCutoffMinutes: Minutes | None = None
    appliesToDate: DateOnly | None = None
    appliesToHour: Hour | None = None
    isActive: bool = True


class RestrictionPatch(InModel):
    """Same keys as create; a key sent as null clears that field (scope keys: give the new one)."""

    bancaId: ClientId | None = None
    ventanaId: ClientId | None = None
    userId: ClientId | None = None
    number: NumberText | None = None
    maxAmount: LimitAmount | None = None
    maxTotal: LimitAmount | None = None
    salesCutoffMinutes: Minutes | None = None
    appliesToDate: DateOnly | None = None
    appliesToHour: Hour | None = None
    isActive: bool | None = None


class RestrictionOut(OutModel):
    """A restriction; ``priority`` orders specificity (user 30, ventana 20, banca 10; +1 on one number)."""

    id: str
    bancaId: str | None = Field(validation_alias="banca_id")
    ventanaId: str | None = Field(validation_alias="ventana_id")
    userId: str | None = Field(validation_alias="user_id")
    number: str | None
    maxAmount: FromCents | None = Field(validation_alias="max_amount_cents")
    maxTotal: FromCents | None = Field(validation_alias="max_total_cents")
    salesCutoffMinutes: int | None = Field(validation_alias="sales_cutoff_minutes")
    appliesToDate: date | None = Field(validation_alias="applies_to_date")
    appliesToHour: int | None = Field(validation_alias="applies_to_hour")
    isActive: bool = Field(validation_alias="is_active")
    createdAt: datetime | None = Field(None, validation_alias="created_at")
    updatedAt: datetime | None = Field(None, validation_alias="updated_at")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def priority(self) -> int:
        level = 30 if self.userId else 20 if self.ventanaId else 10
        return level + (1 if self.number else 0)
