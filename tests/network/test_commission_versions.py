"""Commission policies in the front end's shape: versions by validity window, multiplier ranges, 400 on malformed."""

from __future__ import annotations

from tests.network.builders import Net, cr


async def _setup(net: Net) -> tuple[dict, dict, dict, dict]:
    lot = await net.loteria(multiplier=90, reventado=False)
    banca = await net.banca(percent=5)
    ventana = await net.ventana(banca["id"])
    vend = await net.vendedor(ventana["id"])
    return lot, banca, ventana, vend


def _policy(**kw: object) -> dict:
    return {"commissionPolicyJson": {"version": 1, "effectiveFrom": None, "effectiveTo": None, "defaultPercent": 8, "rules": [], **kw}}


async def test_sale_before_and_after_a_new_version(net: Net) -> None:
    lot, _, _, vend = await _setup(net)
    net.clock.set(cr(2026, 1, 10, 8))
    sorteo = await net.sorteo(lot["id"], cr(2026, 1, 12, 12, 55))
    await net.client.put(f"/api/v1/users/{vend['id']}/commission-policy", json=_policy(), headers=net.admin)
    r = await net.client.put(f"/api/v1/users/{vend['id']}/commission-policy",
                             json=_policy(effectiveFrom="2026-01-11T00:00:00", defaultPercent=12), headers=net.admin)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["commissionPolicyJson"]["defaultPercent"] == 12 and len(data["versions"]) == 2
    before = await net.sell(net.admin, sorteo["id"], [("07", 100)], vendedor_id=vend["id"])
    net.clock.set(cr(2026, 1, 11, 0, 0))  # the new version's effectiveFrom (CR)
    after = await net.sell(net.admin, sorteo["id"], [("07", 100)], vendedor_id=vend["id"])
    assert before["jugadas"][0]["commissionPercent"] == 8 and after["jugadas"][0]["commissionPercent"] == 12
    got = (await net.get(f"/api/v1/users/{vend['id']}/commission-policy"))["data"]
    assert got["commissionPolicyJson"]["effectiveFrom"].startswith("2026-01-11")


async def test_multiplier_range_rule_applies_only_inside(net: Net) -> None:
    lot, _, ventana, vend = await _setup(net)
    rules = [{"id": "r1", "loteriaId": lot["id"], "betType": "NUMERO", "multiplierRange": {"min": 80, "max": 85}, "percent": 15},
             {"id": "r2", "loteriaId": lot["id"], "betType": None, "multiplierRange": {"min": 86, "max": 95}, "percent": 9}]
    r = await net.client.put(f"/api/v1/ventanas/{ventana['id']}/commission-policy", json=_policy(rules=rules, defaultPercent=3),
                             headers=net.admin)
    assert r.status_code == 200, r.text
    net.clock.set(cr(2026, 1, 10, 8))
    sorteo = await net.sorteo(lot["id"], cr(2026, 1, 12, 12, 55))
    t = await net.sell(net.admin, sorteo["id"], [("07", 100)], vendedor_id=vend["id"])  # multiplier 90: r2, not r1
    assert t["jugadas"][0]["listeroCommissionPercent"] == 9 and t["jugadas"][0]["commissionPercent"] == 9
    await net.patch(f"/api/v1/loterias/{lot['id']}", {"baseMultiplierX": 82})
    t = await net.sell(net.admin, sorteo["id"], [("07", 100)], vendedor_id=vend["id"])
    assert t["jugadas"][0]["listeroCommissionPercent"] == 15
    await net.patch(f"/api/v1/loterias/{lot['id']}", {"baseMultiplierX": 70})
    t = await net.sell(net.admin, sorteo["id"], [("07", 100)], vendedor_id=vend["id"])  # outside both: default
    assert t["jugadas"][0]["listeroCommissionPercent"] == 3


async def test_malformed_policy_is_refused(net: Net) -> None:
    _, banca, _, vend = await _setup(net)
    bad = [
        _policy(defaultPercent=101),
        _policy(rules=[{"percent": 5, "multiplierRange": {"min": 90, "max": 80}}]),
        _policy(effectiveFrom="2026-02-01", effectiveTo="2026-01-01"),
        _policy(rules=[{"percent": 5, "bogus": 1}]),
        _policy(rules=[{"betType": "PALE", "percent": 5}]),
        {"commissionPolicyJson": {"version": 2}},
    ]
    for body in bad:
        r = await net.client.put(f"/api/v1/bancas/{banca['id']}/commission-policy", json=body, headers=net.admin)
        assert r.status_code == 400, (body, r.text)
    listero = await net.listero((await net.get(f"/api/v1/vendedores/{vend['id']}"))["data"]["ventanaId"])
    r = await net.client.put(f"/api/v1/users/{vend['id']}/commission-policy", json=_policy(), headers=listero)
    assert r.status_code == 403
    r = await net.client.get(f"/api/v1/users/{vend['id']}/commission-policy", headers=listero)
    assert r.status_code == 200 and r.json()["data"]["commissionPolicyJson"] is None
