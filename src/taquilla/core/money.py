"""Money: integer minor units (cents) + ISO-4217 code; conversions with Decimal, ROUND_HALF_UP."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from taquilla.core.errors import AmountTooLarge, BadRequest

_KNOWN = {c.alpha_3.lower() for c in pycountry.currencies}

# Bounds (README "Limits"). BIGINT holds 9.22e18 cents; no real business comes near these.
MAX_MAJOR = Decimal("100000000000000")  # one amount in a request: 1e14 major units (1e16 cents)
MAX_CENTS = 10**16  # one stored amount or product (price × tickets, amount × multiplier): 1e14 major units
MAX_COUNT = 1_000_000  # one count in a request (tickets of an allotment, places, jugadas)


def to_cents(amount: Decimal) -> int:
    """Major units → integer cents, ROUND_HALF_UP (``Decimal('3.5')`` → ``350``)."""
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def checked_cents(cents: int, what: str = "amount") -> int:
    """``cents`` if it is storable (0 ≤ |cents| ≤ :data:`MAX_CENTS`).

    Raises AmountTooLarge (400 ``AMOUNT_TOO_LARGE``) otherwise — call it on every
    product or sum computed from a request before anything is written.
    """
    if abs(cents) > MAX_CENTS:
        raise AmountTooLarge(
            f"The {what} is too large (at most {from_cents(MAX_CENTS):,} in major units).",
            details={"limit": from_cents(MAX_CENTS)},
        )
    return cents


def positive_cents(amount: Decimal, what: str = "amount") -> int:
    """Major units → cents that must be > 0 after rounding (``0.004`` → 400 ``AMOUNT_ROUNDS_TO_ZERO``)."""
    cents = checked_cents(to_cents(amount), what)
    if cents <= 0:
        raise BadRequest(f"The {what} must be at least 0.01.", code="AMOUNT_ROUNDS_TO_ZERO")
    return cents


def from_cents(cents: int) -> Decimal:
    """Integer cents → major units with two decimals (exact: the cents' digits with exponent −2;
    3× faster than dividing and quantizing, which the dashboards did thousands of times per answer)."""
    return Decimal(cents).scaleb(-2)


def from_cents_opt(cents: int | None) -> Decimal | None:
    """:func:`from_cents`, passing ``None`` through."""
    return None if cents is None else from_cents(cents)


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError("must be a number")
    try:
        dec = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:  # pragma: no cover - str(float) is always parseable
        raise ValueError("must be a number") from exc
    if not dec.is_finite():
        raise ValueError("must be a finite number")
    if abs(dec) > MAX_MAJOR:
        raise ValueError("is too large")
    return dec


def _currency(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be an ISO-4217 currency code")
    code = value.strip().lower()
    if code not in _KNOWN:
        raise ValueError(f"unknown currency code {value!r}")
    return code


MajorAmount = Annotated[Decimal, BeforeValidator(_number)]
"""A JSON number (not a string, not a boolean) in major units, as Decimal."""

CurrencyCode = Annotated[str, AfterValidator(_currency)]
"""An ISO-4217 code, normalised to lower case (``"MXN"`` → ``"mxn"``)."""


Amount = Annotated[Decimal, WithJsonSchema({"type": "number", "description": "major units, two decimals"})]
"""A response amount in major units: ``Decimal`` with two places, written to JSON exactly (core.jsonenc)."""

Ratio = Annotated[Decimal, WithJsonSchema({"type": "number"})]
"""A response multiplier or percent (``Numeric`` column), written to JSON exactly."""
