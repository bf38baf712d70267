"""``POST /api/v1/tickets`` is hand-resolved (``core.routing.hand_resolved``, issue 13): the same answers as
FastAPI's dependency layer gave, in the same order — auth before the body, an invalid body answered by
FastAPI itself, the ``Idempotency-Key`` replay, nothing written by a refused request."""

from __future__ import annotations

from typing import Any

from tests.network.builders import Net
from tests.network.test_sales import _nothing_written, _setup


async def test_the_hand_resolved_sale_answers_as_the_dependency_layer_did(net: Net) -> None:
    x: dict[str, Any] = await _setup(net)
    body = {"sorteoId": x["s"]["id"], "jugadas": [{"number": "07", "amount": 100}]}
    post = net.client.post
    # FastAPI reads the JSON before the dependencies (malformed → 400 even without a token), then auth, then
    # validates the body: no token / another scheme / a bad token → 401 whatever the JSON holds
    r = await post("/api/v1/tickets", content=b"{", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "MALFORMED_JSON")
    assert (await post("/api/v1/tickets", json=body)).json()["error"]["code"] == "MISSING_TOKEN"
    assert (await post("/api/v1/tickets", json={})).json()["error"]["code"] == "MISSING_TOKEN"
    assert (await post("/api/v1/tickets", json=body, headers={"Authorization": "Basic abc"})).status_code == 401
    r = await post("/api/v1/tickets", json=body, headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401 and r.json()["success"] is False
    # with a token: malformed JSON, a wrong content type, a body that does not validate → FastAPI's 400s
    r = await post("/api/v1/tickets", content=b'{"sorteoId": ', headers={**x["hv"], "Content-Type": "application/json"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "MALFORMED_JSON")
    r = await post("/api/v1/tickets", content=b'{"sorteoId": "x"}', headers={**x["hv"], "Content-Type": "text/plain"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "VALIDATION_ERROR")
    r = await post("/api/v1/tickets", json={"jugadas": body["jugadas"]}, headers=x["hv"])
    assert (r.status_code, r.json()["error"]["code"]) == (400, "VALIDATION_ERROR") and "sorteoId" in r.json()["error"]["message"]
    assert await _nothing_written(net) == (0, 0, 0)
    # a sale through the hand-resolved path, application/*+json accepted as FastAPI accepts it, then its replay
    h = {**x["hv"], "Idempotency-Key": "hand-1"}
    first = await post("/api/v1/tickets", json=body, headers=h)
    assert first.status_code == 201, first.text
    again = await post("/api/v1/tickets", json=body, headers=h)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = await post("/api/v1/tickets", json={**body, "jugadas": [{"number": "08", "amount": 100}]}, headers=h)
    assert other.status_code in (409, 422) and await net.count("network_tickets") == 1
    r = await post("/api/v1/tickets", content=b'{"sorteoId": "%s", "jugadas": [{"number": "09", "amount": 0.5}]}' % x["s"]["id"].encode(),
                   headers={**x["hv"], "Content-Type": "application/vnd.api+json"})
    assert r.status_code == 201 and r.json()["data"]["jugadas"][0]["amount"] == 0.5
    assert await net.count("network_tickets") == 2
