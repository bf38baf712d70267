"""Field types and base classes shared by the sub-domain schemas of the sales network.

Amounts in requests and responses are decimal numbers in major units (``1500000.00``);
inside they are integer cents. Dates are CR business dates ``YYYY-MM-DD``. Field names are
camelCase as the seeds and the network's front end spell them.

* :class:`InModel` — request bodies: unknown keys refused (400).
* :class:`OutModel` — responses built from ORM rows (``from_attributes``); a field whose
  column has another name declares it with ``validation_alias``.
* :data:`FromCents` — a response amount read from an integer-cents column.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from taquilla.core.ids import ClientId
from taquilla.core.money import from_cents

Name = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=32)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]
Multiplier = Annotated[Decimal, Field(gt=0, le=100000, max_digits=10, decimal_places=2)]
BetType = Literal["NUMERO", "REVENTADO"]
HHMM = Annotated[str, StringConstraints(strict=True, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Note = Annotated[str, StringConstraints(strict=True, max_length=1000)]
Reason = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=500)]


def _cents_to_major(value: Any) -> Any:
    return from_cents(value) if isinstance(value, int) and not isinstance(value, bool) else value


FromCents = Annotated[
    Decimal,
    BeforeValidator(_cents_to_major),
    WithJsonSchema({"type": "number", "description": "major units, two decimals"}),
]
"""A response amount: an integer-cents attribute shown in major units (``150000`` → ``1500.00``), exact."""


class InModel(BaseModel):
    """A request body: unknown keys are refused (400)."""

    model_config = ConfigDict(extra="forbid")


class OutModel(BaseModel):
    """A response shape that maps itself from an ORM row (``Model.model_validate(row)``)."""

    model_config = ConfigDict(from_attributes=True, validate_by_name=True)


class CommissionRule(InModel):
    """A percentage for one lotería and/or bet type (the most specific matching rule wins)."""

    loteriaId: ClientId | None = None
    betType: BetType | None = None
    percent: Percent


class CommissionPolicy(InModel):
    """``percent`` (default) and ``rules``; a level with neither defers to the next level."""

    percent: Percent | None = None
    rules: list[CommissionRule] = Field(default_factory=list, max_length=200)


class MultiplierRange(InModel):
    min: Annotated[Decimal, Field(ge=0, le=100000, max_digits=10, decimal_places=2)]
    max: Annotated[Decimal, Field(ge=0, le=100000, max_digits=10, decimal_places=2)]

    @model_validator(mode="after")
    def _ordered(self) -> MultiplierRange:
        if self.min > self.max:
            raise ValueError("multiplierRange.min exceeds max")
        return self


class CommissionRuleJson(InModel):
    """A rule of the front end's policy: lotería, bet type and/or multiplier range → percent."""

    id: Annotated[str, StringConstraints(strict=True, max_length=64)] | None = None
    loteriaId: ClientId | None = None
    betType: BetType | None = None
    multiplierRange: MultiplierRange | None = None
    percent: Percent


class CommissionPolicyJson(InModel):
    """The front end's ``commissionPolicyJson``: one version with its validity window (ISO instants or dates, CR)."""

    version: Literal[1] = 1
    effectiveFrom: datetime | None = None
    effectiveTo: datetime | None = None
    defaultPercent: Percent | None = None
    rules: list[CommissionRuleJson] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _window(self) -> CommissionPolicyJson:
        if self.effectiveFrom and self.effectiveTo and _aware(self.effectiveFrom) >= _aware(self.effectiveTo):
            raise ValueError("effectiveFrom must be before effectiveTo")
        return self


def _aware(moment: datetime) -> datetime:
    from taquilla.core.periods import CR_TZ

    return moment if moment.tzinfo else moment.replace(tzinfo=CR_TZ)
