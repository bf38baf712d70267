"""Schemas of the network's structure: bancas, ventanas, vendedores, loterías.

Requests refuse unknown keys; responses map themselves from the ORM rows. Limits of a
lotería are amounts in major units (stored as cents).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import Field, StringConstraints

from taquilla.core.ids import ClientId
from taquilla.core.money import MajorAmount, Ratio
from taquilla.network.schemas import (
    HHMM,
    Code,
    CommissionPolicy,
    FromCents,
    InModel,
    Multiplier,
    Name,
    OutModel,
)

PositiveAmount = Annotated[MajorAmount, Field(gt=0)]
CutoffMinutes = Annotated[int, Field(strict=True, ge=0, le=1440)]


class BancaIn(InModel):
    id: ClientId | None = None
    code: Code
    name: Name
    isActive: bool = True
    commissionPolicy: CommissionPolicy | None = None


class BancaPatch(InModel):
    name: Name | None = None
    isActive: bool | None = None
    commissionPolicy: CommissionPolicy | None = None


class VentanaIn(InModel):
    id: ClientId | None = None
    bancaId: ClientId
    code: Code
    name: Name
    isActive: bool = True
    commissionPolicy: CommissionPolicy | None = None


class VentanaPatch(InModel):
    name: Name | None = None
    isActive: bool | None = None
    commissionPolicy: CommissionPolicy | None = None


class VendedorIn(InModel):
    """Creates the VENDEDOR user and its vendedor record (same id). A VENTANA caller may omit ``ventanaId``."""

    username: Annotated[str, StringConstraints(strict=True, min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")]
    password: Annotated[str, StringConstraints(strict=True, min_length=8, max_length=256)]
    name: Name
    code: Code
    ventanaId: ClientId | None = None
    isActive: bool = True
    commissionPolicy: CommissionPolicy | None = None


class VendedorPatch(InModel):
    name: Name | None = None
    isActive: bool | None = None
    commissionPolicy: CommissionPolicy | None = None


class LoteriaIn(InModel):
    id: ClientId | None = None
    name: Name
    digits: Annotated[int, Field(strict=True, ge=1, le=4)] = 2
    baseMultiplierX: Multiplier
    reventadoEnabled: bool = False
    drawTimes: list[HHMM] = Field(default_factory=list, max_length=48)
    salesCutoffMinutes: CutoffMinutes = 1
    maxAmountPerBet: PositiveAmount | None = None
    maxAmountPerNumber: PositiveAmount | None = None
    isActive: bool = True


class LoteriaPatch(InModel):
    name: Name | None = None
    baseMultiplierX: Multiplier | None = None
    reventadoEnabled: bool | None = None
    drawTimes: list[HHMM] | None = None
    salesCutoffMinutes: CutoffMinutes | None = None
    maxAmountPerBet: PositiveAmount | None = None
    maxAmountPerNumber: PositiveAmount | None = None
    isActive: bool | None = None


# ---- responses -----------------------------------------------------------------------------------


class BancaOut(OutModel):
    id: str
    code: str
    name: str
    isActive: bool = Field(validation_alias="is_active")
    commissionPolicy: dict[str, Any] | None = Field(validation_alias="commission_policy")
    createdAt: datetime | None = Field(None, validation_alias="created_at")


class _WithAccount(OutModel):
    accountId: str | None = None

    @classmethod
    def of(cls, pair: tuple[Any, str | None]) -> Self:
        """The shape of ``(row, account id)`` as the structure service returns it."""
        row, account_id = pair
        out = cls.model_validate(row)
        out.accountId = account_id
        return out


class VentanaOut(_WithAccount):
    """A ventana and the id of its account (the listero's position with the banca)."""

    id: str
    bancaId: str = Field(validation_alias="banca_id")
    code: str
    name: str
    isActive: bool = Field(validation_alias="is_active")
    commissionPolicy: dict[str, Any] | None = Field(validation_alias="commission_policy")
    createdAt: datetime | None = Field(None, validation_alias="created_at")


class VendedorOut(_WithAccount):
    """A vendedor (``id`` = its user's id) and the id of its account (its position with its ventana)."""

    id: str
    ventanaId: str = Field(validation_alias="ventana_id")
    code: str
    name: str
    isActive: bool = Field(validation_alias="is_active")
    commissionPolicy: dict[str, Any] | None = Field(validation_alias="commission_policy")
    createdAt: datetime | None = Field(None, validation_alias="created_at")


class LoteriaOut(OutModel):
    id: str
    name: str
    digits: int
    baseMultiplierX: Ratio = Field(validation_alias="base_multiplier_x")
    reventadoEnabled: bool = Field(validation_alias="reventado_enabled")
    drawTimes: list[str] = Field(validation_alias="draw_times")
    salesCutoffMinutes: int = Field(validation_alias="sales_cutoff_minutes")
    maxAmountPerBet: FromCents | None = Field(validation_alias="max_bet_cents")
    maxAmountPerNumber: FromCents | None = Field(validation_alias="max_per_number_cents")
    isActive: bool = Field(validation_alias="is_active")
