"""The stack floor (issue 13): what uvicorn + Python + asyncpg cost per request on this machine, with no framework.

A bare ASGI app (``uvicorn bench.stack_floor:app``, no FastAPI, no SQLAlchemy, no pydantic, no auth, no
middleware), run under the same ``uvicorn`` layout as the API and driven by the same bench client with
the same request bodies. Each route sends **exactly the SQL of its benchmark's driver baseline** through
an asyncpg pool, parses the JSON body with orjson and answers with orjson:

* ``POST /api/v1/tickets`` (``bench_network``): ``sales.repository.SALE_CONTEXT_SQL`` + ``SELL_SQL`` in one
  transaction, the vendedor named by the ``X-Vendedor`` header (the API reads it from the token);
* ``POST /director/assign`` and ``POST /director/payments`` (``bench_director``): the driver's bare
  ``INSERT`` of the ledger entry (autocommit).

Environment: ``STACK_FLOOR_DSN`` (asyncpg DSN), ``STACK_FLOOR_POOL`` (connections per process).
The gap API − floor is what the framework and the domain code add; the gap floor − driver is what HTTP,
uvicorn and a second process hop add on this box.
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal

import asyncpg
import orjson

from taquilla.network.sales.repository import SALE_CONTEXT_SQL, SELL_SQL

_POOL: list[asyncpg.Pool] = []
_EIGHT, _TEN = Decimal(8), Decimal(10)
_ASSIGN_SQL = (
    "INSERT INTO director_ledger_entries (id, organizer_id, event_id, entry_type, tickets, tickets_equivalent, unit_price_cents,"
    " amount_cents, currency, metadata, created_by) VALUES ($1, $2, $3, 'assign_loan', 10, $4, 350, 3500, 'mxn', '{}', 'usr_bench')"
)
_PAYMENT_SQL = (
    "INSERT INTO director_ledger_entries (id, organizer_id, entry_type, tickets, tickets_equivalent, amount_cents, currency,"
    " metadata, created_by) VALUES ($1, $2, 'payment', 0, 0, 1250, 'mxn', '{}', 'usr_bench')"
)


async def _body(receive) -> bytes:  # noqa: ANN001
    chunks = []
    while True:
        msg = await receive()
        chunks.append(msg.get("body", b""))
        if not msg.get("more_body"):
            return b"".join(chunks)


async def _answer(send, status: int, payload: object) -> None:  # noqa: ANN001
    body = orjson.dumps(payload)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _sale(scope, body: dict) -> dict:  # noqa: ANN001
    vendedor = dict(scope["headers"])[b"x-vendedor"].decode()
    numbers = [j["number"] for j in body["jugadas"]]
    amounts = [int(j["amount"]) * 100 for j in body["jugadas"]]
    total, tid = sum(amounts), "tkt_" + uuid.uuid4().hex[:24]
    async with _POOL[0].acquire() as conn, conn.transaction():
        ctx = await conn.fetchrow(SALE_CONTEXT_SQL, vendedor, body["sorteoId"], sorted(set(numbers)))
        row = await conn.fetchrow(
            SELL_SQL, tid, ctx[21], ctx[10], ctx[8], ctx[12], ctx[3], vendedor, total, total * 8 // 100, total // 10,
            vendedor, ["jug_" + uuid.uuid4().hex[:24] for _ in numbers], numbers, ["NUMERO"] * len(numbers), amounts,
            [ctx[15]] * len(numbers), [_EIGHT] * len(numbers), [a * 8 // 100 for a in amounts], [_TEN] * len(numbers),
            [a // 10 for a in amounts], ctx[22], ctx[26] > 0,
        )
    return {"data": {"id": tid, "ticketNumber": row[0], "createdAt": row[1].isoformat(), "totalAmount": total / 100,
                     "jugadas": [{"number": n, "amount": a / 100} for n, a in zip(numbers, amounts, strict=True)]}}


async def _director(path: str, body: dict) -> dict:
    eid = "entry_" + uuid.uuid4().hex[:24]
    async with _POOL[0].acquire() as conn:
        if path == "/director/payments":
            await conn.execute(_PAYMENT_SQL, eid, body["organizerId"])
        else:
            premium = body["eventId"] == "ev_prem"
            await conn.execute(_ASSIGN_SQL, eid, body["organizerId"], body["eventId"], 20 if premium else 10)
    return {"data": {"id": eid}}


async def app(scope, receive, send) -> None:  # noqa: ANN001
    """The floor's ASGI app (see the module docstring)."""
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                size = int(os.environ.get("STACK_FLOOR_POOL", "16"))
                _POOL.append(await asyncpg.create_pool(os.environ["STACK_FLOOR_DSN"], min_size=size, max_size=size))
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                if _POOL:
                    await _POOL.pop().close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if scope["method"] == "GET":
        await _answer(send, 200, {"data": {"status": "ok", "pid": os.getpid()}})
        return
    body = orjson.loads(await _body(receive))
    if path == "/api/v1/tickets":
        await _answer(send, 201, await _sale(scope, body))
    elif path.startswith("/director/"):
        await _answer(send, 201, await _director(path, body))
    else:
        await _answer(send, 404, {"error": {"code": "NOT_FOUND"}})
