"""Fixtures of the client-contract tests: one live API process per module (real HTTP, real clock),
the network's :class:`~tests.network.builders.Net` helpers for setting data up, and :func:`shape`
to assert that every field a client reads is present with the right type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from taquilla.core.settings import Settings
from tests.live import live_servers
from tests.network.conftest import clock, net  # noqa: F401  (fixtures re-exported)

NUM = (int, float)
OPT = type(None)


@pytest.fixture(scope="module")
def live_url(settings: Settings) -> Iterator[str]:
    """The base URL of one live API process (small pool: the test database server is shared)."""
    with live_servers(settings, count=1, extra_env={"DB_POOL_SIZE": "4", "DB_MAX_OVERFLOW": "0"}) as urls:
        yield urls[0]


@pytest.fixture
async def http(live_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_url + "/api/v1", timeout=30) as c:
        yield c


def shape(value: Any, spec: Any, where: str = "$") -> None:
    """Assert ``value`` matches ``spec``: a dict spec lists required keys (each with its spec), a list
    spec ``[item]`` checks every element, a type or tuple of types checks ``isinstance``."""
    if isinstance(spec, dict):
        assert isinstance(value, dict), f"{where}: expected an object, got {value!r}"
        for key, sub in spec.items():
            assert key in value, f"{where}.{key} missing in {sorted(value)}"
            shape(value[key], sub, f"{where}.{key}")
    elif isinstance(spec, tuple) and not all(isinstance(t, type) for t in spec):  # alternatives, e.g. ({...}, None)
        errors = []
        for alt in spec:
            try:
                shape(value, alt, where)
                return
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{where}: {value!r} matches none of {errors}")
    elif isinstance(spec, list):
        assert isinstance(value, list), f"{where}: expected a list, got {value!r}"
        for i, item in enumerate(value):
            shape(item, spec[0], f"{where}[{i}]")
    else:
        assert isinstance(value, spec) and not (isinstance(value, bool) and spec in (NUM, int, float)), (
            f"{where}: {value!r} is not {spec}"
        )


META = {"page": int, "pageSize": int, "total": int, "totalPages": int}
