"""The network's clock and period filters, as route dependencies.

``now`` is the current instant in UTC; tests may set ``app.state.network_clock`` to a
callable returning an aware datetime. Period filters (``date=today|yesterday|week|month|
year|range`` with ``fromDate``/``toDate``) are CR business dates (DOMAIN.md "Periods").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from taquilla.core.periods import DateRange, Period, cr_date_of, resolve_period


def now_of(request: Request) -> datetime:
    """The current instant (aware, UTC), or the test clock's."""
    clock = getattr(request.app.state, "network_clock", None)
    return clock() if clock is not None else datetime.now(UTC)


async def _now(request: Request) -> datetime:
    """:func:`now_of` as an ``async`` dependency: FastAPI runs a plain ``def`` one in the thread pool (issue 13)."""
    return now_of(request)


NowDep = Annotated[datetime, Depends(_now)]
"""The current instant (aware, UTC)."""


async def _today(now: NowDep) -> date:
    return cr_date_of(now)


TodayDep = Annotated[date, Depends(_today)]
"""Today's CR business date."""


async def _optional_period(
    today: TodayDep,
    date: Annotated[str | None, Query(description="today|yesterday|week|month|year|range; omitted = no date filter")] = None,
    fromDate: Annotated[str | None, Query(description="YYYY-MM-DD (CR), with date=range")] = None,  # noqa: N803
    toDate: Annotated[str | None, Query(description="YYYY-MM-DD (CR), with date=range")] = None,  # noqa: N803
) -> DateRange | None:
    if date is None:
        return None
    return resolve_period(date, fromDate, toDate, today=today)


PeriodFilter = Annotated[DateRange | None, Depends(_optional_period)]
"""An optional period of CR business dates (None = all). 400 for an unknown period or a bad range."""


async def _period(
    today: TodayDep,
    date: Annotated[str | None, Query(description="today|yesterday|week|month|year|range (default today)")] = None,
    fromDate: Annotated[str | None, Query(description="YYYY-MM-DD (CR), with date=range")] = None,  # noqa: N803
    toDate: Annotated[str | None, Query(description="YYYY-MM-DD (CR), with date=range")] = None,  # noqa: N803
) -> DateRange:
    return resolve_period(date, fromDate, toDate, today=today, default=Period.TODAY)


PeriodDep = Annotated[DateRange, Depends(_period)]
"""The period of the dashboards and sales home screens: CR business dates, ``date`` defaults to today.
400 for an unknown period or a bad range."""
