"""Ticket sales (seed 004): all-or-nothing, prices from zones, per-event inventory, bad input, cancellation."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from taquilla.core.money import MAX_CENTS, MAX_MAJOR
from tests.boxoffice.builders import Venue, build_venue
from tests.builders import Builders

pytestmark = pytest.mark.asyncio


async def count(build: Builders, table: str) -> int:
    return int(await build.scalar(f"SELECT count(*) FROM {table}"))


async def nothing_written(build: Builders) -> None:
    assert await count(build, "tickets") == 0
    assert await count(build, "ticket_details") == 0
    assert int(await build.scalar("SELECT coalesce(sum(sold), 0) FROM event_inventory")) == 0
    assert await count(build, "idempotency_keys") == 0


async def test_sale_prices_lines_from_zones_and_returns_seat_codes(client: httpx.AsyncClient, venue: Venue, build: Builders) -> None:
    body = venue.order(venue.seat(12), venue.seat(3), venue.general(), venue.general(), customerEmail="ana@example.com")
    r = await client.post("/api/v1/boxoffice/tickets", json=body)
    assert r.status_code == 201, r.text
    t = r.json()["data"]
    assert t["totalCents"] == 5000 * 2 + 2000 * 2 and t["total"] == 140.0 and t["currency"] == "usd"
    assert t["places"] == 4 and sorted(t["seatCodes"]) == ["A12", "A3"]
    assert t["status"] == "paid" and t["customerDocument"] == "1-1111-1111" and t["customerEmail"] == "ana@example.com"
    assert {d["priceCents"] for d in t["ticketDetails"] if d["seatCode"]} == {5000}
    assert await count(build, "ticket_details") == 4
    assert int(await build.scalar("SELECT sold FROM event_inventory WHERE location_section_id = :s", s=venue.general_id)) == 2


async def test_same_customer_buys_again_and_several_places_in_one_zone(client: httpx.AsyncClient, venue: Venue) -> None:
    for seats in ((1, 2), (3, 4)):
        r = await client.post("/api/v1/boxoffice/tickets", json=venue.order(*(venue.seat(i) for i in seats)))
        assert r.status_code == 201, r.text
    r = await client.post("/api/v1/boxoffice/tickets", json=venue.order(venue.general(), venue.general(), venue.general()))
    assert r.status_code == 201


async def test_taken_seat_is_409_naming_it_and_the_whole_ticket_fails(client: httpx.AsyncClient, venue: Venue, build: Builders) -> None:
    assert (await client.post("/api/v1/boxoffice/tickets", json=venue.order(venue.seat(7)))).status_code == 201
    r = await client.post("/api/v1/boxoffice/tickets", json=venue.order(venue.seat(8), venue.seat(7), venue.general(), document="2-2222-2222"))
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "SEAT_TAKEN" and "A7" in err["message"]
    assert await count(build, "tickets") == 1 and await count(build, "ticket_details") == 1
    assert int(await build.scalar("SELECT coalesce(sum(sold),0) FROM event_inventory WHERE location_section_id = :s", s=venue.general_id)) == 0


async def test_general_admission_never_exceeds_capacity_and_event_sells_out(client: httpx.AsyncClient, build: Builders, admin_headers: dict) -> None:
    v = await build_venue(build, key="small", seats=(1, 2), general_capacity=3)
    assert (await client.post("/api/v1/boxoffice/tickets", json=v.order(v.general(), v.general()))).status_code == 201
    r = await client.post("/api/v1/boxoffice/tickets", json=v.order(v.general(), v.general()))
    assert r.status_code == 409 and r.json()["error"]["code"] == "SOLD_OUT"
    assert (await client.post("/api/v1/boxoffice/tickets", json=v.order(v.general(), v.seat(1), v.seat(2)))).status_code == 201
    assert await build.scalar("SELECT status FROM events WHERE id = :e", e=v.event_id) == "sold_out"
    r = await client.post("/api/v1/boxoffice/tickets", json=v.order(v.general()))
    assert r.status_code == 409 and r.json()["error"]["code"] == "SOLD_OUT"
    detail = (await client.get(f"/api/v1/boxoffice/events/{v.event_id}", headers=admin_headers)).json()["data"]
    assert detail["available"] == 0 and detail["capacity"] == 5 and detail["status"] == "sold_out"


async def test_cancel_releases_places_and_puts_event_back_on_sale(client: httpx.AsyncClient, build: Builders, admin_headers: dict) -> None:
    v = await build_venue(build, key="c", seats=(1, 1), general_capacity=1)
    r = await client.post("/api/v1/boxoffice/tickets", json=v.order(v.seat(1), v.general()))
    assert r.status_code == 201
    tid = r.json()["data"]["id"]
    assert await build.scalar("SELECT status FROM events WHERE id = :e", e=v.event_id) == "sold_out"
    before = (await client.get(f"/api/v1/boxoffice/events/{v.event_id}", headers=admin_headers)).json()["data"]
    assert before["available"] == 0
    assert (await client.post(f"/api/v1/boxoffice/tickets/{tid}/cancel")).status_code == 401
    r = await client.post(f"/api/v1/boxoffice/tickets/{tid}/cancel", headers=admin_headers)
    assert r.status_code == 200 and r.json()["data"]["status"] == "cancelled"
    assert await build.scalar("SELECT status FROM events WHERE id = :e", e=v.event_id) == "on_sale"
    after = await client.get(f"/api/v1/boxoffice/events/{v.event_id}", headers=admin_headers)
    assert after.headers["x-cache"] == "miss" and after.json()["data"]["available"] == 2
    again = await client.post(f"/api/v1/boxoffice/tickets/{tid}/cancel", headers=admin_headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "TICKET_ALREADY_CANCELLED"
    r = await client.post("/api/v1/boxoffice/tickets", json=v.order(v.seat(1), v.general(), document="3-3333-3333"))
    assert r.status_code == 201, r.text


async def test_inventory_is_per_event(client: httpx.AsyncClient, venue: Venue, build: Builders) -> None:
    from datetime import UTC, datetime

    from taquilla.boxoffice.models import Event

    await build.add(Event(id="evt_t2", presentation_id=venue.presentation_id, title="Otra función", start_at=datetime.now(UTC) + timedelta(days=40)))
    assert (await client.post("/api/v1/boxoffice/tickets", json=venue.order(venue.seat(5)))).status_code == 201
    other = {**venue.order(venue.seat(5)), "eventId": "evt_t2"}
    assert (await client.post("/api/v1/boxoffice/tickets", json=other)).status_code == 201


@pytest.mark.parametrize(
    ("mutate", "status", "code"),
    [
        (lambda v, b: {**b, "eventId": "evt_nope"}, 404, "EVENT_NOT_FOUND"),
        (lambda v, b: {**b, "ticketDetails": [{**v.seat(1), "presentationSectionId": "zone_nope"}]}, 404, "ZONE_NOT_FOUND"),
        (lambda v, b: {**b, "ticketDetails": [{**v.seat(1), "presentationSectionItemId": "item_nope"}]}, 404, "ITEM_NOT_FOUND"),
        (lambda v, b: {**b, "ticketDetails": [{**v.seat(1), "presentationSectionItemId": v.general_item_id}]}, 400, "ITEM_NOT_IN_ZONE"),
        (lambda v, b: {**b, "ticketDetails": [{k: x for k, x in v.seat(1).items() if k != "locationSectionIndex"}]}, 400, "SEAT_INDEX_REQUIRED"),
        (lambda v, b: {**b, "ticketDetails": [v.seat(21)]}, 400, "SEAT_INDEX_OUT_OF_RANGE"),
        (lambda v, b: {**b, "ticketDetails": [v.seat(0)]}, 400, "SEAT_INDEX_OUT_OF_RANGE"),
        (lambda v, b: {**b, "ticketDetails": [{**v.general(), "locationSectionIndex": 3}]}, 400, "SEAT_INDEX_NOT_ALLOWED"),
        (lambda v, b: {**b, "ticketDetails": [v.seat(4), v.general(), v.seat(4)]}, 400, "DUPLICATE_SEAT"),
        (lambda v, b: {**b, "ticketDetails": []}, 400, "VALIDATION_ERROR"),
        (lambda v, b: {**b, "ticketDetails": [v.general()] * 21}, 400, "TOO_MANY_PLACES"),
        (lambda v, b: {**b, "customerEmail": "not-an-email"}, 400, "VALIDATION_ERROR"),
        (lambda v, b: {**b, "customerEmail": 42}, 400, "VALIDATION_ERROR"),
        (lambda v, b: {**b, "customerDocument": "abc"}, 400, "VALIDATION_ERROR"),
        (lambda v, b: {**b, "customerDocument": "ABCDEFG"}, 400, "VALIDATION_ERROR"),
        (lambda v, b: {**b, "customerDocument": "12 34; DROP"}, 400, "VALIDATION_ERROR"),
        (lambda v, b: {**b, "customerName": "   "}, 400, "VALIDATION_ERROR"),
        (lambda v, b: {**b, "ticketDetails": [{**v.seat(1), "locationSectionIndex": "1"}]}, 400, "VALIDATION_ERROR"),
        (lambda v, b: {**b, "extra": True}, 400, "VALIDATION_ERROR"),
    ],
)
async def test_bad_input_is_4xx_and_writes_nothing(
    client: httpx.AsyncClient, venue: Venue, build: Builders, mutate, status: int, code: str
) -> None:
    body = mutate(venue, venue.order(venue.seat(1), venue.general()))
    r = await client.post("/api/v1/boxoffice/tickets", json=body, headers={"Idempotency-Key": "bad-1"})
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    await nothing_written(build)


async def test_zone_of_another_presentation_is_refused(client: httpx.AsyncClient, venue: Venue, build: Builders) -> None:
    other = await build_venue(build, key="o")
    r = await client.post("/api/v1/boxoffice/tickets", json=venue.order(other.seat(1)))
    assert r.status_code == 400 and r.json()["error"]["code"] == "ZONE_NOT_IN_EVENT"
    await nothing_written(build)


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"status": "draft"}, "EVENT_NOT_ON_SALE"),
        ({"status": "cancelled"}, "EVENT_NOT_ON_SALE"),
        ({"start_in": timedelta(minutes=-5)}, "EVENT_STARTED"),
    ],
)
async def test_event_not_on_sale_or_started_is_409(client: httpx.AsyncClient, build: Builders, kw: dict, code: str) -> None:
    v = await build_venue(build, key="ns", **kw)
    r = await client.post("/api/v1/boxoffice/tickets", json=v.order(v.seat(1)))
    assert r.status_code == 409 and r.json()["error"]["code"] == code
    await nothing_written(build)


async def test_idempotency_key_replays_the_sale_once(client: httpx.AsyncClient, venue: Venue, build: Builders) -> None:
    body = venue.order(venue.seat(9))
    first = await client.post("/api/v1/boxoffice/tickets", json=body, headers={"Idempotency-Key": "buy-9"})
    second = await client.post("/api/v1/boxoffice/tickets", json=body, headers={"Idempotency-Key": "buy-9"})
    assert first.status_code == second.status_code == 201
    assert second.headers.get("idempotent-replayed") == "true"
    assert first.json()["data"]["id"] == second.json()["data"]["id"]
    assert await count(build, "tickets") == 1
    other = await client.post("/api/v1/boxoffice/tickets", json=venue.order(venue.seat(10)), headers={"Idempotency-Key": "buy-9"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_ticket_reads_need_staff_token(client: httpx.AsyncClient, venue: Venue, build: Builders, admin_headers: dict) -> None:
    r = await client.post("/api/v1/boxoffice/tickets", json=venue.order(venue.seat(1), document="9-9999-9999"))
    tid = r.json()["data"]["id"]
    assert (await client.get(f"/api/v1/boxoffice/tickets/{tid}")).status_code == 401
    got = await client.get(f"/api/v1/boxoffice/tickets/{tid}", headers=admin_headers)
    assert got.status_code == 200 and got.json()["data"]["seatCodes"] == ["A1"]
    assert got.json()["data"] == r.json()["data"]  # the sale's hand-built answer is the BoxOfficeTicketOut shape
    listed = await client.get("/api/v1/boxoffice/tickets", params={"customerDocument": "9-9999-9999"}, headers=admin_headers)
    assert listed.json()["meta"]["total"] == 1 and listed.json()["data"][0]["id"] == tid
    by_event = await client.get("/api/v1/boxoffice/tickets", params={"eventId": "evt_other"}, headers=admin_headers)
    assert by_event.json()["data"] == []
    assert (await client.get("/api/v1/boxoffice/tickets/tkt_missing", headers=admin_headers)).status_code == 404


async def test_storefront_rate_limit_per_client(client: httpx.AsyncClient, venue: Venue, app) -> None:
    original = app.state.settings
    app.state.settings = original.model_copy(update={"storefront_rate_limit": "3/minute"})
    try:
        codes = [(await client.post("/api/v1/boxoffice/tickets", json=venue.order(venue.seat(i)))).status_code for i in range(1, 6)]
    finally:
        app.state.settings = original
    assert codes[:3] == [201, 201, 201] and codes[3:] == [429, 429]


async def test_total_that_cannot_be_stored_is_400_and_writes_nothing(
    client: httpx.AsyncClient, venue: Venue, build: Builders, admin_headers: dict
) -> None:
    """Zone price × places is bounded before any write (DOMAIN.md "Errors": AMOUNT_TOO_LARGE)."""
    top = await client.patch(f"/api/v1/boxoffice/presentation-sections/{venue.vip_zone_id}", json={"price": int(MAX_MAJOR)}, headers=admin_headers)
    assert top.status_code == 200 and top.json()["data"]["priceCents"] == MAX_CENTS  # one place at the largest price is fine
    r = await client.post("/api/v1/boxoffice/tickets", json=venue.order(venue.seat(1), venue.seat(2)), headers={"Idempotency-Key": "big-1"})
    assert r.status_code == 400 and r.json()["code"] == "AMOUNT_TOO_LARGE", r.text
    await nothing_written(build)
    over = await client.patch(
        f"/api/v1/boxoffice/presentation-sections/{venue.vip_zone_id}", json={"price": int(MAX_MAJOR) + 1}, headers=admin_headers
    )
    assert over.status_code == 400
    one = await client.post("/api/v1/boxoffice/tickets", json=venue.order(venue.seat(1)))
    assert one.status_code == 201 and one.json()["data"]["totalCents"] == MAX_CENTS
    assert '"total":100000000000000.00' in one.text  # exact, never through a float


async def test_sold_out_at_the_counter_rolls_back_the_stored_response(client: httpx.AsyncClient, build: Builders) -> None:
    """The idempotent response is stored before the counters are raised, in the same transaction."""
    v = await build_venue(build, key="idem", seats=(1, 1), general_capacity=1)
    body = v.order(v.general(), v.general(), v.general())  # 3 > capacity 1 is refused before any write
    r = await client.post("/api/v1/boxoffice/tickets", json=body, headers={"Idempotency-Key": "gone-1"})
    assert r.status_code == 409 and r.json()["code"] == "NOT_ENOUGH_PLACES"
    assert (await client.post("/api/v1/boxoffice/tickets", json=v.order(v.general(), document="5-5555-5555"))).status_code == 201
    late = v.order(v.general(), document="6-6666-6666")  # passes the checks, refused by the guarded counter
    for _ in range(2):
        r = await client.post("/api/v1/boxoffice/tickets", json=late, headers={"Idempotency-Key": "late-1"})
        assert r.status_code == 409 and r.json()["code"] == "SOLD_OUT" and "idempotent-replayed" not in r.headers
    assert await count(build, "tickets") == 1 and await count(build, "idempotency_keys") == 0
