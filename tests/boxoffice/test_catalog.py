"""Catalog CRUD (seed 004 tables): validation, uniqueness, referential integrity, roles, event search and detail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from taquilla.boxoffice.events.schemas import EventDetailOut
from tests.boxoffice.builders import Venue, build_venue
from tests.builders import Builders

pytestmark = pytest.mark.asyncio
API = "/api/v1/boxoffice"


async def post(client: httpx.AsyncClient, path: str, body: dict, headers: dict, status: int = 201) -> dict:
    r = await client.post(API + path, json=body, headers=headers)
    assert r.status_code == status, r.text
    return r.json()["data"] if status < 300 else r.json()["error"]


async def test_build_a_whole_catalog_through_the_api(client: httpx.AsyncClient, admin_headers: dict) -> None:
    h = admin_headers
    loc = await post(client, "/locations", {"id": "loc_nac", "name": "Teatro Nacional", "city": "San José"}, h)
    assert loc["id"] == "loc_nac"
    numbered = await post(client, "/location-sections", {"locationId": "loc_nac", "name": "Platea", "indexPrefix": "P", "indexFrom": 1, "indexTo": 50}, h)
    assert numbered["capacity"] == 50 and numbered["numbered"] is True and numbered["id"].startswith("lsec_")
    general = await post(client, "/location-sections", {"locationId": "loc_nac", "name": "Gallery", "capacity": 80, "sort": 3}, h)
    assert general["numbered"] is False and general["indexPrefix"] is None
    pres = await post(client, "/presentations", {"locationId": "loc_nac", "title": "Tosca", "performerName": "Compañía Lírica", "organizer": "ProArte"}, h)
    zone = await post(client, "/presentation-sections", {"presentationId": pres["id"], "name": "Platea", "price": 35.505, "currency": "USD"}, h)
    assert zone["priceCents"] == 3551 and zone["price"] == 35.51 and zone["currency"] == "usd"
    item = await post(client, "/presentation-section-items", {"presentationSectionId": zone["id"], "locationSectionId": numbered["id"]}, h)
    start = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    event = await post(client, "/events", {"presentationId": pres["id"], "startAt": start.isoformat(), "type": "premium"}, h)
    assert event["title"] == "Tosca" and event["status"] == "on_sale" and event["type"] == "premium"
    sale = await client.post(
        API + "/tickets",
        json={"eventId": event["id"], "customerDocument": "V-123456", "customerName": "Luis",
              "ticketDetails": [{"presentationSectionId": zone["id"], "presentationSectionItemId": item["id"], "locationSectionIndex": 50}]},
    )
    assert sale.status_code == 201 and sale.json()["data"]["seatCodes"] == ["P50"] and sale.json()["data"]["totalCents"] == 3551
    patched = await client.patch(f"{API}/presentation-sections/{zone['id']}", json={"price": 40}, headers=h)
    assert patched.json()["data"]["priceCents"] == 4000
    ticket = await client.get(f"{API}/tickets/{sale.json()['data']['id']}", headers=h)
    assert ticket.json()["data"]["totalCents"] == 3551  # a sold ticket keeps its price


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "X", "indexPrefix": "A", "indexFrom": 10, "indexTo": 1}, "indexFrom"),
        ({"name": "X", "indexPrefix": "A", "indexFrom": 1}, "indexTo"),
        ({"name": "X", "indexPrefix": "A", "indexFrom": 1, "indexTo": 10, "capacity": 11}, "capacity"),
        ({"name": "X"}, "capacity"),
        ({"name": "X", "capacity": 0}, "capacity"),
        ({"name": "X", "capacity": -5}, "capacity"),
        ({"name": "X", "capacity": "10"}, "capacity"),
        ({"name": "", "capacity": 10}, "name"),
        ({"name": "X", "indexPrefix": "A B", "indexFrom": 1, "indexTo": 2}, "indexPrefix"),
    ],
)
async def test_section_ranges_are_validated(client: httpx.AsyncClient, admin_headers: dict, build: Builders, body: dict, fragment: str) -> None:
    await post(client, "/locations", {"id": "loc_v", "name": "Venue"}, admin_headers)
    err = await post(client, "/location-sections", {"locationId": "loc_v", **body}, admin_headers, status=400)
    assert err["code"] == "VALIDATION_ERROR" and fragment in err["message"] + str(err.get("details"))
    assert await build.scalar("SELECT count(*) FROM location_sections") == 0


async def test_uniqueness_is_409(client: httpx.AsyncClient, admin_headers: dict, venue: Venue) -> None:
    h = admin_headers
    assert (await post(client, "/locations", {"name": "teatro T"}, h, 409))["code"] == "LOCATION_EXISTS"
    assert (await post(client, "/locations", {"id": venue.location_id, "name": "Other"}, h, 409))["code"] == "LOCATION_EXISTS"
    assert (await post(client, "/location-sections", {"locationId": venue.location_id, "name": "Platea", "capacity": 3}, h, 409))["code"] == "SECTION_EXISTS"
    overlap = {"locationId": venue.location_id, "name": "Platea 2", "indexPrefix": "A", "indexFrom": 15, "indexTo": 40}
    assert (await post(client, "/location-sections", overlap, h, 409))["code"] == "SEAT_CODES_OVERLAP"
    assert (await post(client, "/presentation-sections", {"presentationId": venue.presentation_id, "name": "VIP", "price": 1, "currency": "usd"}, h, 409))["code"] == "ZONE_EXISTS"
    item = {"presentationSectionId": venue.vip_zone_id, "locationSectionId": venue.numbered_id}
    assert (await post(client, "/presentation-section-items", item, h, 409))["code"] == "ITEM_EXISTS"
    ev = await client.get(f"{API}/events/{venue.event_id}", headers=h)
    dup = {"presentationId": venue.presentation_id, "startAt": ev.json()["data"]["startAt"]}
    assert (await post(client, "/events", dup, h, 409))["code"] == "EVENT_EXISTS"


async def test_referential_integrity(client: httpx.AsyncClient, admin_headers: dict, venue: Venue, build: Builders) -> None:
    h = admin_headers
    assert (await post(client, "/location-sections", {"locationId": "loc_missing", "name": "X", "capacity": 1}, h, 404))["code"] == "LOCATION_NOT_FOUND"
    assert (await post(client, "/events", {"presentationId": "pres_missing", "startAt": "2030-01-01T20:00:00Z"}, h, 404))["code"] == "PRESENTATION_NOT_FOUND"
    other = await build_venue(build, key="x")
    cross = {"presentationSectionId": venue.vip_zone_id, "locationSectionId": other.general_id}
    assert (await post(client, "/presentation-section-items", cross, h, 400))["code"] == "LOCATION_MISMATCH"
    for path, code in (
        (f"/locations/{venue.location_id}", "LOCATION_IN_USE"),
        (f"/location-sections/{venue.numbered_id}", "SECTION_IN_USE"),
        (f"/presentations/{venue.presentation_id}", "PRESENTATION_IN_USE"),
        (f"/presentation-sections/{venue.vip_zone_id}", "ZONE_IN_USE"),
    ):
        r = await client.delete(API + path, headers=h)
        assert r.status_code == 409 and r.json()["error"]["code"] == code, path
    assert (await client.delete(f"{API}/locations/loc_missing", headers=h)).status_code == 404
    sale = await client.post(f"{API}/tickets", json=venue.order(venue.seat(1)))
    assert sale.status_code == 201
    r = await client.delete(f"{API}/presentation-section-items/{venue.vip_item_id}", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ITEM_IN_USE"
    r = await client.delete(f"{API}/events/{venue.event_id}", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "EVENT_IN_USE"
    r = await client.patch(f"{API}/location-sections/{venue.numbered_id}", json={"indexTo": 10}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "SECTION_HAS_SALES"
    # an unused item and event can go
    assert (await client.delete(f"{API}/presentation-section-items/{other.general_item_id}", headers=h)).status_code == 200
    assert (await client.delete(f"{API}/events/{other.event_id}", headers=h)).status_code == 200
    assert await build.scalar("SELECT count(*) FROM events WHERE id = :e", e=other.event_id) == 0


async def test_catalog_writes_need_admin_and_reads_need_a_token(client: httpx.AsyncClient, build: Builders, venue: Venue) -> None:
    await build.organizer("org_demo")
    await build.user("orgu", role="ORGANIZER", organizer_id="org_demo")
    org = await build.login(client, "orgu")
    assert (await client.post(f"{API}/locations", json={"name": "Nope"}, headers=org)).status_code == 403
    assert (await client.post(f"{API}/locations", json={"name": "Nope"})).status_code == 401
    assert (await client.get(f"{API}/events")).status_code == 401
    assert (await client.get(f"{API}/events", headers=org)).status_code == 200
    assert (await client.get(f"{API}/tickets", headers=org)).status_code == 403
    assert await build.scalar("SELECT count(*) FROM locations WHERE name = 'Nope'") == 0


async def test_event_status_is_writable_except_sold_out(client: httpx.AsyncClient, admin_headers: dict, venue: Venue) -> None:
    r = await client.patch(f"{API}/events/{venue.event_id}", json={"status": "sold_out"}, headers=admin_headers)
    assert r.status_code == 400
    r = await client.patch(f"{API}/events/{venue.event_id}", json={"status": "draft", "startAt": "2031-05-01T20:00:00"}, headers=admin_headers)
    assert r.status_code == 400  # naive datetime
    r = await client.patch(f"{API}/events/{venue.event_id}", json={"status": "draft"}, headers=admin_headers)
    assert r.status_code == 200 and r.json()["data"]["status"] == "draft"


# ------------------------------------------------------------------ search


@pytest.fixture
async def three_shows(build: Builders) -> list[Venue]:
    a = await build_venue(build, key="a", title="Hamlet", performer="Compañía 50% Drama", location_name="Teatro Melico", vip_price_cents=9000, general_price_cents=3000, start_in=timedelta(days=5))
    b = await build_venue(build, key="b", title="Carmen", performer="Ópera_Nacional", location_name="Auditorio Nacional", vip_price_cents=15000, general_price_cents=8000, start_in=timedelta(days=15))
    c = await build_venue(build, key="c", title="Hamlet Jr", performer="Kids", location_name="Sala (Lateral)", vip_price_cents=1000, general_price_cents=500, start_in=timedelta(days=25))
    return [a, b, c]


async def ids(client: httpx.AsyncClient, headers: dict, **params) -> list[str]:
    r = await client.get(f"{API}/events", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [row["id"] for row in r.json()["data"]]


async def test_event_search_filters_and_rows(client: httpx.AsyncClient, admin_headers: dict, three_shows: list[Venue]) -> None:
    h = admin_headers
    assert await ids(client, h, title="hamlet") == ["evt_a", "evt_c"]
    assert await ids(client, h, performer="50%") == ["evt_a"]
    assert await ids(client, h, performer="pa_ía") == []  # "_" is literal, not a wildcard (would match "pañía")
    assert await ids(client, h, performer="ópera_") == ["evt_b"]
    assert await ids(client, h, location="(lateral") == ["evt_c"]  # never a regex
    assert await ids(client, h, location=".*") == []
    assert await ids(client, h, priceFrom=100, priceTo=100) == []
    assert await ids(client, h, priceFrom=80, priceTo=90) == ["evt_a", "evt_b"]
    assert await ids(client, h, priceFrom=120) == ["evt_b"]
    day = (datetime.now(UTC) + timedelta(days=15)).date().isoformat()
    assert await ids(client, h, dateFrom=day, dateTo=day) == ["evt_b"]
    assert await ids(client, h, orderBy="minPrice", order="desc") == ["evt_b", "evt_a", "evt_c"]
    r = await client.get(f"{API}/events", params={"orderBy": "minPrice", "pageSize": 1, "page": 2}, headers=h)
    body = r.json()
    assert body["meta"] == {"page": 2, "pageSize": 1, "total": 3, "totalPages": 3, "hasNextPage": True, "hasPrevPage": True}
    row = body["data"][0]
    assert row["id"] == "evt_a" and row["minPrice"] == 30.0 and row["maxPrice"] == 90.0 and row["minPriceCents"] == 3000
    assert row["capacity"] == 50 and row["available"] == 50 and row["locationName"] == "Teatro Melico"


@pytest.mark.parametrize(
    "params",
    [
        {"orderBy": "startAt; DROP TABLE events"},
        {"orderBy": "id"},
        {"order": "sideways"},
        {"dateFrom": "2026-13-01"},
        {"dateFrom": "2026-02-01", "dateTo": "2026-01-01"},
        {"priceFrom": -1},
        {"priceFrom": 10, "priceTo": 5},
        {"pageSize": 1000},
    ],
)
async def test_event_search_bad_parameters_are_400(client: httpx.AsyncClient, admin_headers: dict, params: dict) -> None:
    r = await client.get(f"{API}/events", params=params, headers=admin_headers)
    assert r.status_code == 400, r.text


async def test_event_search_availability_follows_sales(client: httpx.AsyncClient, admin_headers: dict, venue: Venue) -> None:
    assert (await client.post(f"{API}/tickets", json=venue.order(venue.seat(1), venue.general(), venue.general()))).status_code == 201
    row = (await client.get(f"{API}/events", headers=admin_headers)).json()["data"][0]
    assert row["capacity"] == 50 and row["available"] == 47


async def test_event_detail_shape_and_cache(client: httpx.AsyncClient, admin_headers: dict, venue: Venue) -> None:
    first = await client.get(f"{API}/events/{venue.event_id}", headers=admin_headers)
    assert first.status_code == 200 and first.headers["x-cache"] == "miss"
    assert first.json()["requestId"] == first.headers["x-request-id"]
    second = await client.get(f"{API}/events/{venue.event_id}", headers=admin_headers)
    assert second.headers["x-cache"] == "hit" and second.json()["data"] == first.json()["data"]
    d = first.json()["data"]
    EventDetailOut.model_validate(d)  # the cached dict is the documented shape
    assert d["capacity"] == 50 and d["available"] == 50 and d["minPrice"] == 20.0 and d["maxPrice"] == 50.0
    assert d["presentation"]["performerName"] == "Orquesta Sinfónica" and d["location"]["id"] == venue.location_id
    vip, gen = d["zones"]
    assert (vip["name"], vip["priceCents"], vip["capacity"]) == ("VIP", 5000, 20)
    seats = vip["items"][0]["seats"]
    assert len(seats) == 20 and seats[0] == {"index": 1, "code": "A1", "available": True}
    assert gen["items"][0]["seats"] is None and gen["items"][0]["available"] == 30

    assert (await client.post(f"{API}/tickets", json=venue.order(venue.seat(2), venue.general()))).status_code == 201
    third = await client.get(f"{API}/events/{venue.event_id}", headers=admin_headers)
    assert third.headers["x-cache"] == "miss"  # the sale outdated it after commit
    d = third.json()["data"]
    assert d["available"] == 48 and d["zones"][0]["items"][0]["seats"][1] == {"index": 2, "code": "A2", "available": False}
    # a catalog change outdates it too
    await client.patch(f"{API}/presentation-sections/{venue.vip_zone_id}", json={"price": 60}, headers=admin_headers)
    fourth = await client.get(f"{API}/events/{venue.event_id}", headers=admin_headers)
    assert fourth.headers["x-cache"] == "miss" and fourth.json()["data"]["maxPrice"] == 60.0
    assert (await client.get(f"{API}/events/evt_missing", headers=admin_headers)).status_code == 404


async def test_two_zones_selling_one_section_share_its_capacity(client: httpx.AsyncClient, admin_headers: dict, build: Builders) -> None:
    v = await build_venue(build, key="s", general_capacity=2)
    promo = await post(client, "/presentation-sections", {"presentationId": v.presentation_id, "name": "PROMO", "price": 10, "currency": "usd"}, admin_headers)
    item = await post(client, "/presentation-section-items", {"presentationSectionId": promo["id"], "locationSectionId": v.general_id}, admin_headers)
    promo_line = {"presentationSectionId": promo["id"], "presentationSectionItemId": item["id"]}
    assert (await client.post(f"{API}/tickets", json=v.order(promo_line, v.general()))).status_code == 201
    r = await client.post(f"{API}/tickets", json=v.order(promo_line))
    assert r.status_code == 409
    d = (await client.get(f"{API}/events/{v.event_id}", headers=admin_headers)).json()["data"]
    assert d["capacity"] == 22 and d["available"] == 20
    assert [(z["name"], z["available"]) for z in d["zones"]] == [("PROMO", 0), ("VIP", 20), ("GENERAL", 0)]


async def test_demo_data_is_idempotent_and_sellable(app, client: httpx.AsyncClient, admin_headers: dict) -> None:
    from taquilla.boxoffice import demo

    for _ in range(2):
        async with app.state.sessionmaker() as session:
            await demo.seed(session, app.state.settings)
            await session.commit()
    rows = (await client.get(f"{API}/events", params={"performer": "lírica"}, headers=admin_headers)).json()
    assert rows["meta"]["total"] == 3 and {r["status"] for r in rows["data"]} == {"on_sale"}
    d = (await client.get(f"{API}/events/evt_traviata_1", headers=admin_headers)).json()["data"]
    assert [z["name"] for z in d["zones"]] == ["VIP", "Preferencial", "General"] and d["capacity"] == 380
    sale = {"eventId": "evt_traviata_1", "customerDocument": "1-0101-0101", "customerName": "Demo",
            "ticketDetails": [{"presentationSectionId": "zone_vip", "presentationSectionItemId": "item_vip_platea", "locationSectionIndex": 1},
                              {"presentationSectionId": "zone_general", "presentationSectionItemId": "item_general_galeria"}]}
    r = await client.post(f"{API}/tickets", json=sale)
    assert r.status_code == 201 and r.json()["data"]["totalCents"] == 4_300_000 and r.json()["data"]["seatCodes"] == ["P1"]


async def test_openapi_describes_every_box_office_route(client: httpx.AsyncClient) -> None:
    """Each route documents its envelope (``Envelope[...]``/``ListEnvelope[...]``) and its errors."""
    spec = (await client.get("/openapi.json")).json()
    ops = [(m, p, op) for p, item in spec["paths"].items() if p.startswith(API) for m, op in item.items()]
    assert len(ops) == 33
    for method, path, op in ops:
        ok_status = next(s for s in op["responses"] if s.startswith("2"))
        ref = op["responses"][ok_status]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert "Envelope_" in ref, (method, path, ref)
        assert any(s.startswith("4") for s in op["responses"]), (method, path)
    schemas = spec["components"]["schemas"]
    ticket = schemas["BoxOfficeTicketOut"]["properties"]
    assert ticket["total"]["type"] == "number" and ticket["totalCents"]["type"] == "integer" and "seatCodes" in ticket
    assert schemas["PresentationSectionOut"]["properties"]["price"]["type"] == "number"
