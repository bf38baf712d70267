"""No oversell with two API processes sharing one database and one Redis (DOMAIN.md "No oversell, ever").

64 buyers race for the last 100 places of an event (50 numbered seats, 50 general places).
With the guard on exactly 100 are sold and every other attempt gets 409; with the guard
off (``TAQUILLA_DEBUG_DISABLE_OVERSELL_GUARD``) the same race oversells — so the first
test can fail.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest

from tests.boxoffice.builders import Venue, build_venue
from tests.builders import Builders
from tests.live import live_servers

pytestmark = pytest.mark.asyncio

SEATS = (1, 60)  # A1..A60; A1..A10 pre-sold → 50 left
PRESOLD_SEATS = range(1, 11)
GENERAL_CAPACITY = 80  # 30 pre-sold → 50 left
PRESOLD_GENERAL = 30
BUYERS = 64
# Small pools: the test PostgreSQL is shared (max_connections); buyers queue for a connection, the race stays.
LIVE_ENV = {"STOREFRONT_RATE_LIMIT": "100000/minute", "DB_POOL_SIZE": "10", "DB_MAX_OVERFLOW": "6"}


async def prepare(client: httpx.AsyncClient, build: Builders) -> Venue:
    v = await build_venue(build, key="race", seats=SEATS, general_capacity=GENERAL_CAPACITY)
    for chunk in (list(PRESOLD_SEATS),):
        r = await client.post("/api/v1/boxoffice/tickets", json=v.order(*(v.seat(i) for i in chunk), document="0-0000-0000"))
        assert r.status_code == 201, r.text
    for _ in range(PRESOLD_GENERAL // 10):
        r = await client.post("/api/v1/boxoffice/tickets", json=v.order(*([v.general()] * 10), document="0-0000-0000"))
        assert r.status_code == 201, r.text
    return v


async def race(urls: list[str], v: Venue) -> tuple[list[int], list[dict[str, Any]]]:
    """Half the buyers walk free seats in their own random order (8 buyers per seat), half buy 1–2 general places until refused."""
    statuses: list[int] = []
    sold: list[dict[str, Any]] = []
    free_seats = [i for i in range(SEATS[0], SEATS[1] + 1) if i not in PRESOLD_SEATS]
    start = asyncio.Event()

    async def buy(http: httpx.AsyncClient, n: int, lines: list[dict[str, Any]]) -> int:
        r = await http.post("/api/v1/boxoffice/tickets", json=v.order(*lines, document=f"{n}-{len(statuses):05d}"))
        statuses.append(r.status_code)
        if r.status_code == 201:
            sold.append(r.json()["data"])
        return r.status_code

    async def seat_buyer(n: int, http: httpx.AsyncClient) -> None:
        order = [i for i in free_seats if i % 4 == (n // 2) % 4]
        random.Random(n).shuffle(order)
        await start.wait()
        for i in order:
            await buy(http, n, [v.seat(i)])

    async def general_buyer(n: int, http: httpx.AsyncClient) -> None:
        want = 2 if n % 2 else 1
        await start.wait()
        while True:
            status = await buy(http, n, [v.general()] * want)
            if status != 201:
                if want == 1:
                    return
                want = 1

    limits = httpx.Limits(max_connections=BUYERS)
    clients = [httpx.AsyncClient(base_url=u, timeout=60, limits=limits) for u in urls]
    try:
        tasks = [
            asyncio.create_task((seat_buyer if n % 2 == 0 else general_buyer)(n, clients[n % len(clients)])) for n in range(BUYERS)
        ]
        await asyncio.sleep(0.05)
        start.set()
        await asyncio.gather(*tasks)
    finally:
        for c in clients:
            await c.aclose()
    return statuses, sold


async def live_places(build: Builders, v: Venue) -> tuple[int, int, int]:
    """(live numbered lines, distinct live seats, live general lines) in the database."""
    numbered = int(await build.scalar("SELECT count(*) FROM ticket_details WHERE NOT cancelled AND location_section_id = :s", s=v.numbered_id))
    distinct = int(
        await build.scalar(
            "SELECT count(DISTINCT location_section_index) FROM ticket_details WHERE NOT cancelled AND location_section_id = :s", s=v.numbered_id
        )
    )
    general = int(await build.scalar("SELECT count(*) FROM ticket_details WHERE NOT cancelled AND location_section_id = :s", s=v.general_id))
    return numbered, distinct, general


async def test_64_buyers_two_processes_never_oversell(client: httpx.AsyncClient, build: Builders, settings) -> None:
    v = await prepare(client, build)
    with live_servers(settings, count=2, extra_env=LIVE_ENV) as urls:
        statuses, sold = await race(urls, v)
    assert set(statuses) <= {201, 409}, sorted(set(statuses))
    assert sum(t["places"] for t in sold) == 100
    assert statuses.count(409) == len(statuses) - len(sold) > 0
    numbered, distinct, general = await live_places(build, v)
    assert (numbered, distinct, general) == (60, 60, 80)
    counter = int(await build.scalar("SELECT sum(sold) FROM event_inventory WHERE event_id = :e", e=v.event_id))
    assert counter == 60 + GENERAL_CAPACITY  # the counters agree with the lines
    assert await build.scalar("SELECT status FROM events WHERE id = :e", e=v.event_id) == "sold_out"


async def test_race_oversells_when_the_guard_is_off(client: httpx.AsyncClient, build: Builders, settings) -> None:
    v = await prepare(client, build)
    with live_servers(settings, count=2, extra_env={**LIVE_ENV, "TAQUILLA_DEBUG_DISABLE_OVERSELL_GUARD": "true"}) as urls:
        _statuses, sold = await race(urls, v)
    numbered, distinct, general = await live_places(build, v)
    assert sum(t["places"] for t in sold) > 100, "the unguarded race should oversell; if not, the race test proves nothing"
    assert numbered > distinct or general > GENERAL_CAPACITY
