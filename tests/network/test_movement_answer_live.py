"""Concurrent movements on one account-day, fired as real parallel requests at two live API processes:
each answer's ``statement`` is the day right after its own movement, and the last one equals ``GET
/accounts/statement`` afterwards, to the cent (``test_movement_answer.py`` shows that the chain check
fails for a statement read after the commit)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from taquilla.core.settings import Settings
from taquilla.network.ledger.statements import MOVEMENTS_IN_ANSWER
from tests.live import live_servers
from tests.network.builders import Net
from tests.network.test_concurrency_live import LIVE_ENV, _warm
from tests.network.test_movement_answer import assert_same_day, chain_violations, get_day

N = 48
DAY = "2026-03-05"


async def test_parallel_movements_each_answer_the_day_right_after_it(net: Net, settings: Settings) -> None:
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    v = await net.vendedor(ventana["id"])
    levels = {"ventana": {"ventanaId": ventana["id"]}, "vendedor": {"vendedorId": v["id"]}}
    # distinct amounts (cents): a collection's answer names the set of movements before it
    bodies = [{"date": DAY, **levels["vendedor" if i % 2 else "ventana"], "amount": 10 + i + (i % 7) / 100,
               "type": "collection", "method": "cash", "idempotencyKey": f"live-answer-{i:04d}"} for i in range(N)]
    with live_servers(settings, count=2, extra_env=LIVE_ENV) as urls:
        async with httpx.AsyncClient(timeout=120) as http:
            await _warm(http, urls, net.admin)
            replies = await asyncio.gather(
                *(http.post(f"{urls[i % 2]}/api/v1/accounts/payment", json=b, headers=net.admin) for i, b in enumerate(bodies))
            )
    assert [r.status_code for r in replies] == [201] * N, [r.text for r in replies if r.status_code != 201]
    answers: dict[str, list[dict[str, Any]]] = {"ventana": [], "vendedor": []}
    for r in replies:
        data = r.json()["data"]
        answers["vendedor" if data["payment"]["vendedorId"] else "ventana"].append(data)
    for level, entity in levels.items():
        assert chain_violations(answers[level]) == [], level
        last = max(answers[level], key=lambda a: a["statement"]["totalCollected"])
        day = await get_day(net, DAY, **entity)
        assert len(day["movements"]) == N // 2 > MOVEMENTS_IN_ANSWER
        assert_same_day(last["statement"], day)  # the last one in the row lock's order: the final state
    assert (await net.reconcile())["differences"] == []
