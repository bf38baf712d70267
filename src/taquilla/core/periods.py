"""Business dates and periods of the sales network (DOMAIN.md "Time", "Periods").

The network's business day is the date in ``America/Costa_Rica`` (UTC−6, no DST).
Periods: ``today``, ``yesterday``, ``week`` (Monday–Sunday containing today),
``month`` (1st – last day), ``year`` (Jan 1 – Dec 31), ``range`` (``fromDate`` ≤ ``toDate``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from taquilla.core.errors import BadRequest

CR_TZ = ZoneInfo("America/Costa_Rica")


class Period(StrEnum):
    """Named periods accepted by ``date=`` / ``period=``."""

    TODAY = "today"
    YESTERDAY = "yesterday"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of CR business dates."""

    start: date
    end: date

    def days(self) -> list[date]:
        """Every date from ``start`` to ``end`` inclusive."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """``[start 00:00 CR, end+1 00:00 CR)`` as UTC datetimes."""
        return cr_day_start_utc(self.start), cr_day_start_utc(self.end + timedelta(days=1))


def cr_today(now: datetime | None = None) -> date:
    """Today's date in Costa Rica (``now`` in UTC, default the clock)."""
    return (now or datetime.now(UTC)).astimezone(CR_TZ).date()


def cr_date_of(moment: datetime) -> date:
    """The CR business date of an aware ``moment``."""
    return moment.astimezone(CR_TZ).date()


def cr_day_start_utc(day: date) -> datetime:
    """00:00 of ``day`` in Costa Rica, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=CR_TZ).astimezone(UTC)


def parse_cr_date(value: str, field: str) -> date:
    """Parse ``YYYY-MM-DD``. Raises BadRequest ``INVALID_DATE`` naming ``field``."""
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{field} must be a date YYYY-MM-DD, got {value!r}.", code="INVALID_DATE") from exc


def month_range(day: date) -> DateRange:
    """The whole calendar month containing ``day``."""
    last = calendar.monthrange(day.year, day.month)[1]
    return DateRange(day.replace(day=1), day.replace(day=last))


def resolve_period(
    period: str | None,
    from_date: str | None = None,
    to_date: str | None = None,
    *,
    today: date | None = None,
    default: Period = Period.TODAY,
) -> DateRange:
    """Resolve a period name (+ ``fromDate``/``toDate`` for ``range``) to CR dates.

    Raises BadRequest for an unknown period, a bad date, a missing bound or ``fromDate > toDate``.
    """
    today = today or cr_today()
    try:
        p = Period(period) if period else default
    except ValueError as exc:
        allowed = ", ".join(x.value for x in Period)
        raise BadRequest(f"Unknown period {period!r}; use one of {allowed}.", code="INVALID_PERIOD") from exc
    if p is Period.TODAY:
        return DateRange(today, today)
    if p is Period.YESTERDAY:
        y = today - timedelta(days=1)
        return DateRange(y, y)
    if p is Period.WEEK:
        monday = today - timedelta(days=today.weekday())
        return DateRange(monday, monday + timedelta(days=6))
    if p is Period.MONTH:
        return month_range(today)
    if p is Period.YEAR:
        return DateRange(date(today.year, 1, 1), date(today.year, 12, 31))
    if not from_date or not to_date:
        raise BadRequest("period=range needs fromDate and toDate (YYYY-MM-DD).", code="INVALID_RANGE")
    start, end = parse_cr_date(from_date, "fromDate"), parse_cr_date(to_date, "toDate")
    if start > end:
        raise BadRequest("fromDate must be on or before toDate.", code="INVALID_RANGE")
    return DateRange(start, end)
