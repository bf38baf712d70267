"""Schemas of sorteos (draws) and their evaluation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.core.money import Ratio
from taquilla.network.models import Loteria, Sorteo
from taquilla.network.schemas import InModel, Multiplier, Name, OutModel

SorteoStatus = Literal["SCHEDULED", "OPEN", "EVALUATED", "CLOSED"]


class SorteoIn(InModel):
    """A draw of ``loteriaId`` at ``scheduledAt`` (aware ISO-8601; its CR date is the business date)."""

    id: ClientId | None = None
    name: Name | None = None
    loteriaId: ClientId
    scheduledAt: AwareDatetime


class SorteoPatch(InModel):
    name: Name | None = None
    scheduledAt: AwareDatetime | None = None
    extraOutcomeCode: Annotated[str, StringConstraints(max_length=64)] | None = None
    extraMultiplierId: ClientId | None = None


class EvaluateIn(InModel):
    """``winningNumber`` with the lotería's digits; ``extraMultiplierId`` names a REVENTADO multiplier of the
    sorteo's lotería (its ``valueX`` pays REVENTADO winners; none → they win 0). ``extraMultiplierX`` (a bare
    value) is kept for earlier callers; both given → 400."""

    winningNumber: Annotated[str, StringConstraints(strict=True)]
    extraMultiplierId: ClientId | None = None
    extraOutcomeCode: Annotated[str, StringConstraints(max_length=64)] | None = None
    extraMultiplierX: Multiplier | None = None


class LoteriaRef(OutModel):
    id: str
    name: str


class SorteoOut(OutModel):
    """A sorteo; ``cutoffAt`` = ``scheduledAt − salesCutoffMinutes`` (last instant to sell or cancel, exclusive)."""

    id: str
    name: str | None
    loteriaId: str = Field(validation_alias="loteria_id")
    loteria: LoteriaRef | None = None
    scheduledAt: datetime = Field(validation_alias="scheduled_at")
    businessDate: date = Field(validation_alias="business_date")
    cutoffAt: datetime = Field(validation_alias="sales_cutoff_at")
    status: SorteoStatus
    isActive: bool = True
    winningNumber: str | None = Field(validation_alias="winning_number")
    extraOutcomeCode: str | None = None
    extraMultiplierId: str | None = Field(validation_alias="extra_multiplier_id")
    extraMultiplierX: Ratio | None = Field(validation_alias="extra_multiplier_x")
    evaluatedAt: datetime | None = Field(validation_alias="evaluated_at")

    @classmethod
    def of(cls, sorteo: Sorteo, loteria: Loteria | None) -> Self:
        """The sorteo with its lotería embedded (``{id, name}``)."""
        out = cls.model_validate(sorteo)
        if loteria is not None:
            out.loteria = LoteriaRef.model_validate(loteria)
        return out
