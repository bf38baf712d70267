"""The 500s found by fuzzing (issue 12, item 5) that were not identity's: each is now a 4xx, nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.builders import Builders


async def test_patch_location_with_any_body_answers(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    loc = await client.post("/api/v1/boxoffice/locations", json={"name": "Teatro", "city": "Heredia"}, headers=admin_headers)
    assert loc.status_code == 201, loc.text
    lid = loc.json()["data"]["id"]
    for body in ({}, {"name": "Teatro Nacional"}, {"city": "San José", "address": "Av. 2"}):
        r = await client.patch(f"/api/v1/boxoffice/locations/{lid}", json=body, headers=admin_headers)
        assert r.status_code == 200, r.text
    got = (await client.get(f"/api/v1/boxoffice/locations/{lid}", headers=admin_headers)).json()["data"]
    assert got["name"] == "Teatro Nacional" and got["city"] == "San José"


async def test_moving_a_sorteo_onto_a_taken_slot_is_409(client: httpx.AsyncClient, admin_headers: dict[str, str], build: Builders) -> None:
    lot = await client.post(
        "/api/v1/loterias", json={"name": "Tica", "digits": 2, "baseMultiplierX": 90}, headers=admin_headers
    )
    assert lot.status_code == 201, lot.text
    lid = lot.json()["data"]["id"]
    first_at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    second_at = first_at + timedelta(hours=3)
    ids = []
    for at in (first_at, second_at):
        r = await client.post("/api/v1/sorteos", json={"loteriaId": lid, "scheduledAt": at.isoformat(), "name": f"Tica {at:%H}"},
                              headers=admin_headers)
        if r.status_code == 400 and "name" in r.text:  # before sorteos take a name
            r = await client.post("/api/v1/sorteos", json={"loteriaId": lid, "scheduledAt": at.isoformat()}, headers=admin_headers)
        assert r.status_code == 201, r.text
        ids.append(r.json()["data"]["id"])
    moved = await client.patch(f"/api/v1/sorteos/{ids[1]}", json={"scheduledAt": first_at.isoformat()}, headers=admin_headers)
    assert moved.status_code == 409, moved.text
    assert moved.json()["code"] in ("SORTEO_EXISTS", "CONFLICT")
    still = await build.scalar("SELECT scheduled_at FROM sorteos WHERE id = :i", i=ids[1])
    assert still == second_at
