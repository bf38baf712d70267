"""Schemas of the dashboards (``/api/v1/admin/dashboard``, ``/timeseries``, ``/cxc``, ``/cxp``, ``/ganancia``).

They document the answers in OpenAPI; the service builds the bodies from integer cents (amounts
are major units, exact decimals with two places; percentages two places; timestamps UTC).
``meta`` sits inside ``data``: the front end unwraps ``data`` when the body has no top-level
``meta`` and reads ``meta.etag`` from what it gets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from taquilla.core.money import Amount

AccountDimension = Literal["ventana", "vendedor"]
GananciaDimension = Literal["ventana", "loteria", "vendedor", "global"]
Granularity = Literal["hour", "day", "week"]


class DashMeta(BaseModel):
    """``range`` of the period, ``month`` (YYYY-MM) of saldoAHoy, the ``etag`` of the answer, timing."""

    range: dict[str, str]
    month: str
    monthRange: dict[str, str]
    dimension: str
    etag: str
    cacheHit: bool
    queryExecutionTime: float
    totalQueries: int
    generatedAt: datetime


class SaldoAHoyMeta(BaseModel):
    """The whole reference month of one entity: ``monthRemainingBalance = monthBalance − monthCollected + monthPaid``."""

    monthSales: Amount
    monthPayouts: Amount
    monthBalance: Amount
    monthCollected: Amount
    monthPaid: Amount
    monthRemainingBalance: Amount


class AccountItem(BaseModel):
    """One ventana (or vendedor, with its ventana) of CxC/CxP: seed 001's fields for the period plus saldoAHoy.

    ``amount`` = |remainingBalance|; ``remainingBalance`` signed as in the statement (> 0 CxC, < 0 CxP);
    ``totalPaidOut`` = prizes paid to customers (= ``totalPaidToCustomer``).
    """

    ventanaId: str
    ventanaName: str
    ventanaCode: str
    vendedorId: str | None = None
    vendedorName: str | None = None
    vendedorCode: str | None = None
    totalSales: Amount
    totalPayouts: Amount
    totalListeroCommission: Amount
    totalVendedorCommission: Amount
    balance: Amount
    totalPaid: Amount
    totalPaidOut: Amount
    totalCollected: Amount
    totalPaidToCustomer: Amount
    amount: Amount
    remainingBalance: Amount
    isActive: bool
    ticketCount: int
    saldoAHoy: Amount
    saldoAHoyMeta: SaldoAHoyMeta


class AccountsOut(BaseModel):
    """CxC or CxP: ``totalAmount`` (= ``total``) sums the items' ``amount``; with dimension=vendedor the
    ``byVentana`` items are vendedores (DOMAIN.md "Dashboard")."""

    totalAmount: Amount
    total: Amount
    dimension: AccountDimension
    byVentana: list[AccountItem]
    meta: DashMeta


class GananciaItem(BaseModel):
    """The banca's profit from one entity: ``netProfit = sales − payout − commissions`` (listero's)."""

    dimension: str
    key: str
    name: str
    sales: Amount
    payout: Amount
    commissions: Amount
    commissionVentana: Amount
    commissionUser: Amount
    netProfit: Amount
    margin: Amount
    tickets: int


class GananciaGlobal(BaseModel):
    """The period's totals in the ganancia's terms."""

    sales: Amount
    payout: Amount
    commissions: Amount
    commissionVentana: Amount
    commissionUser: Amount
    netProfit: Amount
    margin: Amount
    tickets: int


class GananciaOut(BaseModel):
    """``items`` by sales desc (empty for dimension=global) and ``global``."""

    dimension: GananciaDimension
    items: list[GananciaItem]
    global_: GananciaGlobal = Field(alias="global")
    meta: DashMeta


class VendedorRow(BaseModel):
    """One vendedor of ``/admin/dashboard/vendedores``: its sales, own commission, tickets and winners of the period."""

    vendedorId: str
    vendedorName: str
    vendedorCode: str
    ventanaId: str
    ventanaName: str
    sales: Amount
    commissions: Amount
    tickets: int
    winners: int
    avgTicket: Amount
    winRate: Amount


class VendedoresPagination(BaseModel):
    """The page of ``/admin/dashboard/vendedores`` (the front end's ``pagination`` block)."""

    page: int
    pageSize: int
    total: int
    totalPages: int


class VendedoresOut(BaseModel):
    """A page of vendedores, sorted as asked."""

    data: list[VendedorRow]
    pagination: VendedoresPagination
    meta: DashMeta


class ExportOut(BaseModel):
    """Where to download an export: ``url`` (a capability link, no token), ``filename``, ``format``, ``expiresAt`` (UTC)."""

    url: str
    filename: str
    format: str
    expiresAt: datetime
    sections: list[str]


class MonthToDateMeta(DashMeta):
    """``meta`` of ganancia month-to-date: the month's first day, today (CR), the zone and the month's name."""

    fromDate: str
    toDate: str
    timezone: str
    monthName: str
    description: str


class MonthToDateOut(GananciaOut):
    """Ganancia from the 1st of the current month to today."""

    meta: MonthToDateMeta


class ExposureNumber(BaseModel):
    """One (number, bet type) of the pending sorteos: sales, potential payout if it wins, their ratio."""

    number: str
    betType: str
    sales: Amount
    potentialPayout: Amount
    ratio: Amount
    ticketCount: int | None = None


class ExposureLoteria(BaseModel):
    """A lotería's pending sales and potential payout, with its five riskiest numbers."""

    loteriaId: str
    loteriaName: str
    totalSales: Amount
    totalPotentialPayout: Amount
    ratio: Amount
    topNumbers: list[ExposureNumber]


class HeatCell(BaseModel):
    """One of the 100 two-digit numbers: its pending sales and potential payout (all bet types)."""

    number: str
    sales: Amount
    potentialPayout: Amount


class ExposureOut(BaseModel):
    """Contract row 72: ``topNumbers``, ``byLoteria``, ``heatmap`` (00–99) and ``meta``."""

    topNumbers: list[ExposureNumber]
    byLoteria: list[ExposureLoteria]
    heatmap: list[HeatCell]
    meta: DashMeta


class Kpis(BaseModel):
    """KPIs of a period: percentages with two places."""

    totalSales: Amount
    totalTickets: int
    totalWinners: int
    totalCommissions: Amount
    totalPayouts: Amount
    netProfit: Amount
    winRate: Amount
    margin: Amount


class KpisWithPrevious(Kpis):
    """The KPIs and those of the previous period of the same length."""

    previousPeriod: Kpis


class AlertEntity(BaseModel):
    type: str
    id: str
    name: str


class Alert(BaseModel):
    """One alert (contract row 66)."""

    id: str
    type: str
    severity: Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"]
    message: str
    suggestedAction: str
    entity: AlertEntity | None
    value: Amount
    threshold: Amount
    timestamp: datetime


class AccountSummary(BaseModel):
    """The ventanas' CxC (or CxP) of the period and of the reference month (saldoAHoy)."""

    totalAmount: Amount
    count: int
    saldoAHoy: Amount
    saldoAHoyCount: int


class VentanaRow(BaseModel):
    """One ventana of the dashboard."""

    ventanaId: str
    ventanaName: str
    ventanaCode: str
    sales: Amount
    payout: Amount
    commissions: Amount
    netProfit: Amount
    margin: Amount
    tickets: int
    winners: int
    winRate: Amount
    cxc: Amount
    cxp: Amount
    remainingBalance: Amount
    saldoAHoy: Amount


class DashboardOut(BaseModel):
    """The admin dashboard."""

    kpis: KpisWithPrevious
    cxc: AccountSummary
    cxp: AccountSummary
    ganancia: dict[str, Amount]
    byVentana: list[VentanaRow]
    alerts: list[Alert]
    meta: DashMeta


class SeriesPoint(BaseModel):
    """One bucket: ``timestamp`` = its start (UTC)."""

    timestamp: datetime
    sales: Amount
    commissions: Amount
    tickets: int
    winners: int
    payout: Amount


class SeriesOut(BaseModel):
    """The series, its granularity and (``compare=true``) the previous period's."""

    data: list[SeriesPoint]
    granularity: Granularity
    comparison: list[SeriesPoint] | None = None
    meta: DashMeta
