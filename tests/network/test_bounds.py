"""Bounds (DOMAIN.md "Errors"): an amount, a product or a sum that cannot be stored is a 400
``AMOUNT_TOO_LARGE`` with nothing written; an amount that rounds to 0 cents is a 400."""

from __future__ import annotations

from datetime import date
from typing import Any

from taquilla.core.money import MAX_CENTS, MAX_MAJOR
from taquilla.network.models import NO_VENDEDOR, DailyRollup
from tests.network.builders import Net, cr

BIGINT_MAX = 9_223_372_036_854_775_807
FACTS = ("network_tickets", "network_jugadas", "network_prize_payments", "network_movements", "network_daily_rollups")


async def _setup(net: Net, multiplier: float = 90) -> dict[str, Any]:
    lot = await net.loteria(multiplier=multiplier, reventado=True)
    banca = await net.banca(percent=5)
    ventana = await net.ventana(banca["id"])
    v = await net.vendedor(ventana["id"])
    net.clock.set(cr(2026, 1, 15, 10))
    s = await net.sorteo(lot["id"], cr(2026, 1, 15, 12, 55))
    return {"lot": lot, "ventana": ventana, "v": v, "hv": await net.login(v["username"]), "s": s}


async def _snapshot(net: Net) -> dict[str, Any]:
    out: dict[str, Any] = {t: await net.count(t) for t in FACTS}
    out["rollup"] = await net.build.scalar("SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM network_daily_rollups t")
    return out


def _too_large(r: Any) -> None:
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "AMOUNT_TOO_LARGE", r.text


async def test_jugada_payout_beyond_bigint_is_refused_before_any_write(net: Net) -> None:
    x = await _setup(net, multiplier=100000)
    await net.sell(x["hv"], x["s"]["id"], [("07", 1)])
    before = await _snapshot(net)
    # 99,999,999,999,999.99 × 100000 ≈ 1e21 cents: beyond BIGINT (9.2e18), let alone MAX_CENTS
    _too_large(await net.sell(x["hv"], x["s"]["id"], [("05", 99999999999999.99)], expect=None))
    # a payout that fits BIGINT but not the storable bound, and a ticket total beyond it
    _too_large(await net.sell(x["hv"], x["s"]["id"], [("05", MAX_CENTS // 100 // 100000 * 2)], expect=None))
    biggest = float(MAX_MAJOR) - 0.01
    lines = [("05", 1)] + [("05", biggest, "REVENTADO")] * (MAX_CENTS // round(biggest * 100) + 1)  # paired with a NUMERO
    _too_large(await net.sell(x["hv"], x["s"]["id"], lines, expect=None))
    assert await _snapshot(net) == before


async def test_reventado_prize_beyond_bound_refuses_the_evaluation(net: Net) -> None:
    x = await _setup(net)
    t = await net.sell(x["hv"], x["s"]["id"], [("05", 1), ("05", 1000000000000, "REVENTADO")])
    net.clock.set(cr(2026, 1, 15, 13))
    before = await _snapshot(net)
    _too_large(await net.evaluate(x["s"]["id"], "05", extra=100000, expect=None))
    assert await _snapshot(net) == before
    assert (await net.get(f"/api/v1/sorteos/{x['s']['id']}"))["data"]["status"] == "OPEN"
    assert (await net.get(f"/api/v1/tickets/{t['id']}"))["data"]["status"] == "ACTIVE"
    await net.evaluate(x["s"]["id"], "05", extra=2)  # a storable prize evaluates
    assert (await net.reconcile())["differences"] == []


async def test_rollup_sum_near_bigint_is_refused_with_nothing_written(net: Net) -> None:
    x = await _setup(net)
    near = BIGINT_MAX - 1000
    day = date(2026, 1, 15)
    await net.build.add(
        DailyRollup(business_date=day, ventana_id=x["ventana"]["id"], vendedor_id=x["v"]["id"], sales_cents=near, collected_cents=near),
        DailyRollup(business_date=day, ventana_id=x["ventana"]["id"], vendedor_id=NO_VENDEDOR, paid_cents=near),
    )
    before = await _snapshot(net)
    _too_large(await net.sell(x["hv"], x["s"]["id"], [("05", 100)], expect=None))
    _too_large(await net.movement(expect=None, date="2026-01-15", vendedorId=x["v"]["id"], amount=100, type="collection"))
    _too_large(await net.movement(expect=None, date="2026-01-15", ventanaId=x["ventana"]["id"], amount=100, type="payment"))
    assert await _snapshot(net) == before
    # the same facts on another day are fine
    await net.movement(date="2026-01-16", vendedorId=x["v"]["id"], amount=100, type="collection")


async def test_amounts_that_round_to_zero_cents(net: Net) -> None:
    x = await _setup(net)
    t = await net.sell(x["hv"], x["s"]["id"], [("05", 10)])
    net.clock.set(cr(2026, 1, 15, 13))
    await net.evaluate(x["s"]["id"], "05")
    before = await _snapshot(net)
    for r in (
        await net.movement(expect=None, date="2026-01-15", vendedorId=x["v"]["id"], amount=0.004, type="collection"),
        await net.post(f"/api/v1/tickets/{t['id']}/prize-payments", {"amount": 0.001}, expect=None),
        await net.sell(x["hv"], x["s"]["id"], [("05", 0.004)], expect=None),
    ):
        assert r.status_code == 400 and r.json()["code"] == "AMOUNT_ROUNDS_TO_ZERO", r.text
    assert await _snapshot(net) == before


async def test_large_amount_round_trips_to_the_cent(net: Net) -> None:
    x = await _setup(net)
    raw = '{"date": "2026-01-15", "vendedorId": "%s", "amount": 99000000000000.01, "type": "payment", "method": "cash"}' % x["v"]["id"]
    r = await net.client.post("/api/v1/accounts/payment", content=raw, headers={**net.admin, "Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    assert '"amount":99000000000000.01' in r.text
    assert await net.build.scalar("SELECT amount_cents FROM network_movements") == 9900000000000001
