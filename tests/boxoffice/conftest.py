"""Fixtures of the box office tests."""

from __future__ import annotations

import pytest

from tests.boxoffice.builders import Venue, build_venue
from tests.builders import Builders


@pytest.fixture
async def venue(build: Builders) -> Venue:
    """Theatre with seats A1–A20 (VIP, 50.00 usd) and 30 general places (GENERAL, 20.00 usd), event on sale in 30 days."""
    return await build_venue(build)
