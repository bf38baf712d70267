"""Schemas of sorteos (draws) and their evaluation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.core.money import Ratio
from taquilla.network.models import Loteria, Sorteo, sales_cutoff
from taquilla.network.schemas import InModel, Multiplier, OutModel

SorteoStatus = Literal["SCHEDULED", "OPEN", "EVALUATED", "CLOSED"]


class SorteoIn(InModel):
    """A draw of ``loteriaId`` at ``scheduledAt`` (aware ISO-8601; its CR date is the business date)."""

    id: ClientId | None = None
    loteriaId: ClientId
    scheduledAt: AwareDatetime


class SorteoPatch(InModel):
    scheduledAt: AwareDatetime | None = None


class EvaluateIn(InModel):
    """``winningNumber`` with the lotería's digits; ``extraMultiplierX`` pays REVENTADO winners (none → they win 0)."""

    winningNumber: Annotated[str, StringConstraints(strict=True)]
    extraMultiplierX: Multiplier | None = None


class SorteoOut(OutModel):
    """A sorteo; ``cutoffAt`` = ``scheduledAt − salesCutoffMinutes`` (last instant to sell or cancel, exclusive)."""

    id: str
    loteriaId: str = Field(validation_alias="loteria_id")
    scheduledAt: datetime = Field(validation_alias="scheduled_at")
    businessDate: date = Field(validation_alias="business_date")
    cutoffAt: datetime | None = None
    status: SorteoStatus
    winningNumber: str | None = Field(validation_alias="winning_number")
    extraMultiplierX: Ratio | None = Field(validation_alias="extra_multiplier_x")
    evaluatedAt: datetime | None = Field(validation_alias="evaluated_at")

    @classmethod
    def of(cls, sorteo: Sorteo, loteria: Loteria | None) -> Self:
        """The sorteo with the cutoff of its lotería."""
        out = cls.model_validate(sorteo)
        if loteria is not None:
            out.cutoffAt = sales_cutoff(sorteo.scheduled_at, loteria.sales_cutoff_minutes)
        return out
