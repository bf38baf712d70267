"""Schemas of the sales home screens (``/api/v1/ventas/summary|breakdown|timeseries``).

Amounts are major units (exact decimals, two places); counts are integers; timestamps are
ISO-8601 UTC instants. Periods are CR business dates (DOMAIN.md "Periods").
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from taquilla.core.money import Amount

BreakdownDimension = Literal["ventana", "vendedor", "loteria", "sorteo", "numero"]
Granularity = Literal["hour", "day", "week"]
ScopeParam = Literal["mine", "all"]


class VentasSummary(BaseModel):
    """Sales of the period and filters: ``neto = ventasTotal − payoutTotal``; ``lastTicketAt`` None without sales."""

    ventasTotal: Amount
    ticketsCount: int
    jugadasCount: int
    payoutTotal: Amount
    neto: Amount
    lastTicketAt: datetime | None


class BreakdownItem(BaseModel):
    """One group of the breakdown: ``key`` is the id (or the number for ``numero``), ``name`` its label."""

    key: str
    name: str
    ventasTotal: Amount
    ticketsCount: int
    payoutTotal: Amount
    neto: Amount


class TimePoint(BaseModel):
    """One bucket: ``ts`` = the bucket's start (CR hour, CR midnight, or CR Monday midnight) as a UTC instant."""

    ts: datetime
    ventasTotal: Amount
    ticketsCount: int
