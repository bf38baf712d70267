"""Fixtures of the sales network tests: a controllable clock and the :class:`Net` helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.builders import Builders
from tests.network.builders import Clock, Net


@pytest.fixture
async def clock(app: Any) -> AsyncIterator[Clock]:
    """Installs a fixed network clock (2026-01-15 12:00 CR) for the test; removed afterwards."""
    c = Clock()
    app.state.network_clock = c
    yield c
    app.state.network_clock = None


@pytest.fixture
async def net(client: httpx.AsyncClient, build: Builders, admin_headers: dict[str, str], clock: Clock) -> Net:
    return Net(client, build, admin_headers, clock)
