"""Schemas of the network's structure: bancas, ventanas, vendedores, loterías.

Requests refuse unknown keys; responses map themselves from the ORM rows. Limits of a
lotería are amounts in major units (stored as cents).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import Field, StringConstraints, field_validator

from taquilla.core.ids import ClientId
from taquilla.core.money import MajorAmount, Ratio, from_cents
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


class _Contact(InModel):
    email: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=200)] | None = None
    phone: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=40)] | None = None
    address: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=300)] | None = None


class BancaIn(_Contact):
    id: ClientId | None = None
    code: Code
    name: Name
    isActive: bool = True
    commissionPolicy: CommissionPolicy | None = None


class BancaPatch(_Contact):
    code: Code | None = None
    name: Name | None = None
    isActive: bool | None = None
    commissionPolicy: CommissionPolicy | None = None


MarginX = Annotated[Decimal, Field(ge=0, le=100000, max_digits=10, decimal_places=2)]


class VentanaPrintIn(InModel):
    name: Annotated[str, StringConstraints(strict=True, max_length=200)] | None = None
    phone: Annotated[str, StringConstraints(strict=True, max_length=200)] | None = None
    width: Annotated[int, Field(strict=True, ge=0, le=200)] | None = None
    footer: Annotated[str, StringConstraints(strict=True, max_length=500)] | None = None
    barcode: bool | None = None


class VentanaSettingsIn(InModel):
    print: VentanaPrintIn | None = None


class VentanaIn(_Contact):
    """The front end's body: ``code`` optional (one is derived), ``commissionMarginX`` always sent (number or null)."""

    id: ClientId | None = None
    bancaId: ClientId
    code: Code | None = None
    name: Name
    isActive: bool = True
    commissionMarginX: MarginX | None = None
    commissionPolicy: CommissionPolicy | None = None
    settings: VentanaSettingsIn | None = None


class VentanaPatch(_Contact):
    bancaId: ClientId | None = None
    code: Code | None = None
    name: Name | None = None
    isActive: bool | None = None
    commissionMarginX: MarginX | None = None
    commissionPolicy: CommissionPolicy | None = None
    settings: VentanaSettingsIn | None = None


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


class ReventadoConfig(InModel):
    enabled: bool = False
    allowedMultiplierIds: list[ClientId] = Field(default_factory=list, max_length=100)


class NumberRange(InModel):
    min: Annotated[int, Field(strict=True, ge=0)]
    max: Annotated[int, Field(strict=True, ge=0, le=9999)]


class DrawSchedule(InModel):
    frequency: Literal["diario", "semanal", "personalizado"] = "diario"
    times: list[HHMM] | None = Field(None, max_length=48)
    daysOfWeek: list[Annotated[int, Field(strict=True, ge=0, le=6)]] | None = Field(None, max_length=7)


class RulesJson(InModel):
    """The front end's ``rulesJson`` of a lotería (``types/loteriaRules.ts``).

    Mapped onto the lotería's typed columns: ``reventadoConfig.enabled`` → reventado,
    ``minBetAmount``/``maxBetAmount`` (major units) → bet limits, ``maxNumbersPerTicket``,
    ``numberRange`` ↔ ``digits`` (0…10^digits−1 only), ``closingTimeBeforeDraw`` → sales cutoff
    minutes, ``drawSchedule.times`` → draw times, ``baseMultiplierX``. The rest (frequency and
    days, ``allowedMultiplierIds``, sales hours, bet types, display…) is kept as given in
    ``rules_extra``. Each value has one home: nothing is stored twice.
    """

    salesHours: dict[Literal["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"], dict[Literal["start", "end"], HHMM]] | None = None
    closingTimeBeforeDraw: CutoffMinutes | None = None
    allowedBetTypes: list[Literal["NUMERO", "REVENTADO"]] | None = Field(None, max_length=2)
    reventadoConfig: ReventadoConfig | None = None
    minBetAmount: PositiveAmount | None = None
    maxBetAmount: PositiveAmount | None = None
    maxNumbersPerTicket: Annotated[int, Field(strict=True, ge=1, le=1000)] | None = None
    numberRange: NumberRange | None = None
    drawSchedule: DrawSchedule | None = None
    autoCreateSorteos: bool | None = None
    commissionRules: dict[Literal["ventanaPercentage", "vendedorPercentage", "bonusThreshold"], Annotated[Decimal, Field(ge=0, le=10**9)]] | None = None
    display: dict[Literal["color", "icon", "description", "featured"], Annotated[str, StringConstraints(max_length=500)] | bool] | None = None
    baseMultiplierX: Multiplier | None = None


class LoteriaIn(InModel):
    """``baseMultiplierX`` (or ``rulesJson.baseMultiplierX``) defaults to :data:`DEFAULT_BASE_MULTIPLIER_X`."""

    id: ClientId | None = None
    name: Name
    digits: Annotated[int, Field(strict=True, ge=1, le=4)] = 2
    baseMultiplierX: Multiplier | None = None
    rulesJson: RulesJson | None = None
    reventadoEnabled: bool = False
    drawTimes: list[HHMM] = Field(default_factory=list, max_length=48)
    salesCutoffMinutes: CutoffMinutes = 1
    maxAmountPerBet: PositiveAmount | None = None
    maxAmountPerNumber: PositiveAmount | None = None
    isActive: bool = True


class LoteriaPatch(InModel):
    name: Name | None = None
    rulesJson: RulesJson | None = None
    baseMultiplierX: Multiplier | None = None
    reventadoEnabled: bool | None = None
    drawTimes: list[HHMM] | None = None
    salesCutoffMinutes: CutoffMinutes | None = None
    maxAmountPerBet: PositiveAmount | None = None
    maxAmountPerNumber: PositiveAmount | None = None
    isActive: bool | None = None


# ---- responses -----------------------------------------------------------------------------------


class _ContactOut(OutModel):
    email: str | None = None
    phone: str | None = None
    address: str | None = None


class BancaOut(_ContactOut):
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
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    commissionMarginX: Ratio | None = Field(None, validation_alias="commission_margin_x")
    settings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("settings", mode="before")
    @classmethod
    def _settings(cls, value: Any) -> Any:
        return {"print": {}} if not value else value
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
    rulesJson: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, loteria: Any) -> Self:
        """The lotería with its ``rulesJson`` read from the typed columns and ``rules_extra``."""
        out = cls.model_validate(loteria)
        out.rulesJson = rules_json_of(loteria)
        return out


def rules_json_of(loteria: Any) -> dict[str, Any]:
    """The front end's ``rulesJson`` of ``loteria``: typed columns + the stored rest (see :class:`RulesJson`)."""
    extra = dict(loteria.rules_extra or {})
    schedule = dict(extra.pop("drawSchedule", None) or {"frequency": "diario"})
    schedule["times"] = list(loteria.draw_times or [])
    reventado = {"enabled": bool(loteria.reventado_enabled), "allowedMultiplierIds": extra.pop("allowedMultiplierIds", [])}
    rules: dict[str, Any] = {
        **extra,
        "reventadoConfig": reventado,
        "minBetAmount": from_cents(loteria.min_bet_cents) if loteria.min_bet_cents is not None else None,
        "maxBetAmount": from_cents(loteria.max_bet_cents) if loteria.max_bet_cents is not None else None,
        "maxNumbersPerTicket": loteria.max_numbers_per_ticket,
        "numberRange": {"min": 0, "max": 10 ** loteria.digits - 1},
        "closingTimeBeforeDraw": loteria.sales_cutoff_minutes,
        "drawSchedule": schedule,
        "baseMultiplierX": loteria.base_multiplier_x,
    }
    return rules
