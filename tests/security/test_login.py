"""Issue 12 item 3: login is rate-limited per username and per address, leaks no usernames by timing,
and never blocks the event loop with argon2."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.builders import PASSWORD, Builders

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def limits(app: Any) -> Iterator[Any]:
    """Set the login limits of the running app for one test (restored after)."""
    original = app.state.settings

    def set_(**values: str) -> None:
        app.state.settings = original.model_copy(update=values)

    yield set_
    app.state.settings = original


async def test_twenty_wrong_logins_then_429_even_with_the_right_password(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("ana", role="ADMIN")
    statuses = [(await client.post(LOGIN, json={"username": "ana", "password": f"wrong-{i}"})).status_code for i in range(20)]
    assert statuses[0] == 401 and statuses[-1] == 429
    assert statuses.count(401) == 10  # LOGIN_RATE_LIMIT_USERNAME default: 10 failures per 15 minutes
    right = await client.post(LOGIN, json={"username": "ana", "password": PASSWORD})
    assert right.status_code == 429
    body = right.json()
    assert body["error"]["code"] == "RATE_LIMITED" and "accessToken" not in str(body)
    retry = int(right.headers["Retry-After"])
    assert 1 <= retry <= 15 * 60 and body["error"]["details"]["retryAfterSeconds"] == retry


async def test_right_password_refused_until_the_window_passes(client: httpx.AsyncClient, build: Builders, limits: Any) -> None:
    limits(login_rate_limit_username="3/2 seconds")
    await build.user("bea", role="ADMIN")
    for _ in range(3):
        assert (await client.post(LOGIN, json={"username": "bea", "password": "wrong-password"})).status_code == 401
    assert (await client.post(LOGIN, json={"username": "bea", "password": PASSWORD})).status_code == 429
    assert (await client.post(LOGIN, json={"username": "BEA", "password": PASSWORD})).status_code == 429  # case-folded key
    await asyncio.sleep(2.2)
    assert (await client.post(LOGIN, json={"username": "bea", "password": PASSWORD})).status_code == 200


async def test_failures_are_limited_per_client_address(client: httpx.AsyncClient, build: Builders, limits: Any) -> None:
    limits(login_rate_limit_address="5/minute")
    await build.user("cai", role="ADMIN")
    for i in range(5):  # spraying one password over many usernames
        assert (await client.post(LOGIN, json={"username": f"user{i}", "password": "Winter2026!"})).status_code == 401
    blocked = await client.post(LOGIN, json={"username": "cai", "password": PASSWORD})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers


async def test_successful_logins_are_not_counted(client: httpx.AsyncClient, build: Builders, limits: Any) -> None:
    limits(login_rate_limit_username="3/minute")
    await build.user("dan", role="ADMIN")
    for _ in range(6):
        assert (await client.post(LOGIN, json={"username": "dan", "password": PASSWORD})).status_code == 200


async def test_unknown_username_takes_as_long_as_a_wrong_password(client: httpx.AsyncClient, build: Builders) -> None:
    await build.user("eva", role="ADMIN")

    async def timed(username: str) -> float:
        started = time.perf_counter()
        r = await client.post(LOGIN, json={"username": username, "password": "wrong-password"})
        assert r.status_code == 401
        return time.perf_counter() - started

    await timed("warm-up")  # the dummy hash is made once
    known = statistics.median([await timed("eva") for _ in range(5)])
    unknown = statistics.median([await timed(f"ghost{i}") for i in range(5)])
    assert known > 0.005  # argon2 really ran
    assert unknown > 0.5 * known, (known, unknown)


async def test_password_hashing_does_not_block_the_event_loop(client: httpx.AsyncClient, build: Builders, limits: Any) -> None:
    limits(login_rate_limit_address="1000/minute", login_rate_limit_username="1000/minute")
    await build.user("fer", role="ADMIN")
    lags: list[float] = []
    done = asyncio.Event()

    async def ping() -> None:
        """Serve /healthz every 10 ms and record how late the event loop let each turn start."""
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            assert (await client.get("/healthz")).status_code == 200
            lags.append(time.perf_counter() - started - 0.01)

    async def wrong_logins() -> None:
        async def one(i: int) -> None:
            r = await client.post(LOGIN, json={"username": "fer", "password": f"wrong-password-{i}"})
            assert r.status_code == 401

        await asyncio.gather(*(one(i) for i in range(16)))
        done.set()

    assert (await client.post(LOGIN, json={"username": "fer", "password": "warm-up"})).status_code == 401
    await asyncio.gather(ping(), wrong_logins())
    # On the event loop, each argon2 check (~0.1-0.3 s here) held every other request that long:
    # 16 of them delayed /healthz by seconds.
    assert len(lags) >= 5 and statistics.median(lags) < 0.05 and max(lags) < 1.0, sorted(lags)[-5:]
