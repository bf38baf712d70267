"""The answer to a movement (``{payment, statement}``) carries the day statement right after it.

* After every movement and reversal, at both levels, the answer's ``statement`` equals that day of
  ``GET /accounts/statement`` for the same entity, to the cent, field by field; its ``movements``
  are the GET's latest :data:`MOVEMENTS_IN_ANSWER` (``movementsTruncated`` when the day has more).
* Under concurrent movements the answers form one chain: the live test
  (``test_movement_answer_live.py``) checks it with :func:`chain_violations`; the last test here
  shows the check fails when the statement is read after the commit instead of under the day's
  rollup row lock.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from taquilla.core.security import Role
from taquilla.network.auth import NetworkScope
from taquilla.network.ledger import service, statements
from taquilla.network.ledger.schemas import MovementIn
from taquilla.network.ledger.statements import MOVEMENTS_IN_ANSWER
from tests.network.builders import Net, cr

DAY = "2026-01-10"


def _figures(day: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in day.items() if k not in ("movements", "movementsTruncated")}


async def get_day(net: Net, day: str, **entity: str) -> dict[str, Any]:
    """That one day of ``GET /accounts/statement?date=<day>`` (dimension vendedor with ``vendedorId``, else ventana)."""
    dimension = "vendedor" if "vendedorId" in entity else "ventana"
    days = (await net.statement(date=day, dimension=dimension, **entity))["data"]["statements"]
    assert [d["date"] for d in days] == [day]
    assert days[0]["movementsTruncated"] is False
    return days[0]


def assert_same_day(answer: dict[str, Any], get: dict[str, Any]) -> None:
    """``answer`` (a movement's statement) equals ``get`` (GET's day): every field exact, movements = GET's latest."""
    assert _figures(answer) == _figures(get)
    assert answer["movements"] == get["movements"][-MOVEMENTS_IN_ANSWER:]
    assert answer["movementsTruncated"] is (len(get["movements"]) > MOVEMENTS_IN_ANSWER)


def chain_violations(answers: list[dict[str, Any]], baseline: Decimal = Decimal(0)) -> list[str]:
    """What breaks "each answer is the day right after its own collection" in ``answers``
    (``{payment, statement}`` of collections on one account-day, in any order).

    In the order of their ``totalCollected``, each answer's ``totalCollected`` must be the previous
    one's (``baseline`` for the first) plus its own amount, it must list the latest
    min(rank, :data:`MOVEMENTS_IN_ANSWER`) movements and none that came after it in that order.
    """
    out = []
    ordered = sorted(answers, key=lambda a: Decimal(str(a["statement"]["totalCollected"])))
    previous, seen = baseline, []
    for rank, a in enumerate(ordered, 1):
        total, amount = Decimal(str(a["statement"]["totalCollected"])), Decimal(str(a["payment"]["amount"]))
        if total != previous + amount:
            out.append(f"{a['payment']['id']}: totalCollected {total} != {previous} + its own {amount}")
        previous = total
        seen.append(a["payment"]["id"])
        listed = [m["id"] for m in a["statement"]["movements"]]
        if len(listed) != min(rank, MOVEMENTS_IN_ANSWER) or not set(listed) <= set(seen):
            out.append(f"{a['payment']['id']}: lists {len(listed)} movements, not the latest of the {rank} before it")
    return out


async def test_answer_equals_get_statement_after_each_movement_and_reversal(net: Net) -> None:
    lot = await net.loteria(multiplier=90, reventado=False)
    banca = await net.banca(percent=5)
    ventana = await net.ventana(banca["id"], {"percent": 10})
    vend = await net.vendedor(ventana["id"], {"percent": 8})
    other = await net.vendedor(ventana["id"], {"percent": 6})
    net.clock.set(cr(2026, 1, 5, 8))
    s = await net.sorteo(lot["id"], cr(2026, 1, 10, 12, 55))  # sales on DAY: figures besides the movements
    await net.sell(net.admin, s["id"], [("07", 1234.56), ("31", 100)], vendedor_id=vend["id"])
    await net.sell(net.admin, s["id"], [("07", 99.99)], vendedor_id=other["id"])
    answers: dict[str, list[dict[str, Any]]] = {"ventana": [], "vendedor": []}
    bodies: list[dict[str, Any]] = []
    for i in range(2 * MOVEMENTS_IN_ANSWER + 4):  # past the answer's list on both levels
        level = "ventana" if i % 2 else "vendedor"
        entity = {"vendedorId": vend["id"]} if level == "vendedor" else {"ventanaId": ventana["id"]}
        if i == 7:  # one of the other vendedor: never in either statement's movements or collected/paid
            await net.post("/api/v1/accounts/payment", {"date": DAY, "vendedorId": other["id"], "amount": 5, "type": "payment",
                                                        "method": "cash"})
        body = {"date": DAY, **entity, "amount": round(10 + i * 1.37, 2), "type": ("collection", "payment")[i // 2 % 2],
                "method": "cash", "idempotencyKey": f"answer-{i:04d}"}
        bodies.append(body)
        r = await net.post("/api/v1/accounts/payment", body)
        assert_same_day(r["statement"], await get_day(net, DAY, **entity))
        assert r["statement"]["movements"][-1]["id"] == r["payment"]["id"]  # one request at a time: it is the latest
        answers[level].append(r)
    assert answers["ventana"][-1]["statement"]["movementsTruncated"] is answers["vendedor"][-1]["statement"]["movementsTruncated"] is True
    for level, entity in (("ventana", {"ventanaId": ventana["id"]}), ("vendedor", {"vendedorId": vend["id"]})):
        first = answers[level][0]["payment"]["id"]  # no longer in the answer's list: reversed all the same
        back = await net.post("/api/v1/accounts/reverse-payment", {"paymentId": first, "reason": "error de digitación"}, expect=200)
        assert back["payment"]["isReversed"] is True
        assert_same_day(back["statement"], await get_day(net, DAY, **entity))
    # a retried request gets the first answer again (stored with it, in its transaction)
    assert await net.post("/api/v1/accounts/payment", bodies[1]) == answers["ventana"][0]
    assert (await net.reconcile())["differences"] == []


async def test_statement_read_after_the_commit_breaks_the_chain(net: Net, app: Any) -> None:
    """Why the answer is built under the row lock: read after the commit, two concurrent movements'
    answers both show the later state, and :func:`chain_violations` reports it (the check can fail)."""
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    admin_id = await net.build.scalar("SELECT id FROM users WHERE username = 'admin'")
    scope = NetworkScope(Role.ADMIN, admin_id, None, None)
    maker = app.state.sessionmaker

    def body(amount: int) -> MovementIn:
        return MovementIn(date="2026-03-04", ventanaId=ventana["id"], amount=Decimal(amount), type="collection", method="cash")

    async def answer(session: Any, movement: Any) -> dict[str, Any]:
        st_ = await statements.day_statement_of(session, scope, movement)
        return {"payment": {"id": movement.id, "amount": movement.amount_cents / 100},
                "statement": st_.model_dump(mode="json") if st_ else None}

    async with maker() as first, maker() as second:
        m1 = await service.create_movement(first, scope, body(10))  # holds the day's rollup row
        locked = [await answer(first, m1)]

        async def later() -> Any:
            m2 = await service.create_movement(second, scope, body(20))  # waits for the row
            locked.append(await answer(second, m2))
            await second.commit()
            return m2

        task = asyncio.create_task(later())
        await asyncio.sleep(0.3)
        assert not task.done()  # blocked behind the first movement's row lock
        await first.commit()
        m2 = await task
    assert chain_violations(locked) == []
    async with maker() as session:  # the same two answers, read after both commits
        after = [await answer(session, m1), await answer(session, m2)]
    assert chain_violations(after) != []
