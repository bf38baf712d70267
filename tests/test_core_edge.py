"""Issue 13's cut of the per-request framework cost keeps every behaviour of the edge.

* metrics (the instrumentator's own middleware, kept: a well-kept library over our own code even
  at ~5 % of a write's CPU): templates, not ids, and the default metric set;
* one edge layer: request id and security headers on answers and on the edge's own refusals (413, NUL);
* route matching: the literal-prefix filter of the included routers selects the same route (or the
  same 404/405) as FastAPI alone, for every route template of the app and every method;
* idempotency: the fingerprint is computed only when a key is claimed, and a claimed key still
  replays the same payload and refuses another one;
* the hot writes' transaction without an ORM session (``db.driver_transaction``) keeps the session's
  contract: commit then after-commit callbacks, rollback drops them, cancellation leaves the pool clean;
  its one-statement variant (``db.driver_statement``) commits with the statement and refuses an idempotency key.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from prometheus_fastapi_instrumentator.routing import _effective_routes
from starlette.routing import Match

from taquilla.core import idempotency
from tests.builders import Builders


async def test_metrics_record_templates_not_ids(client: httpx.AsyncClient) -> None:
    await client.get("/api/v1/tickets/tkt_does_not_exist")
    await client.get("/nope/nowhere")
    text = (await client.get("/metrics")).text
    assert 'handler="/api/v1/tickets/{ticket_id}"' in text
    assert "tkt_does_not_exist" not in text and "/nope/nowhere" not in text
    assert 'handler="/metrics"' not in text and 'handler="/healthz"' not in text
    for name in ("http_request_size_bytes", "http_response_size_bytes", "http_request_duration_highr_seconds"):
        assert name in text


async def test_edge_refusals_carry_request_id_and_security_headers(client: httpx.AsyncClient, app: Any) -> None:
    big = b'{"x": "' + b"a" * (app.state.settings.max_body_bytes + 10) + b'"}'
    r = await client.post("/director/assign", content=big, headers={"X-Request-ID": "big-1", "content-type": "application/json"})
    assert r.status_code == 413 and r.headers["x-request-id"] == "big-1"
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in r.headers
    r = await client.post("/director/assign", content=b'{"x": "\\u0000"}', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "NUL_CHARACTER"
    assert r.headers["x-request-id"] == r.json()["requestId"] and r.headers["referrer-policy"] == "no-referrer"
    r = await client.get("/healthz")
    assert [k for k, _ in r.headers.items()].count("x-content-type-options") == 1


async def test_fingerprint_only_for_a_claimed_key(client: httpx.AsyncClient, build: Builders, monkeypatch: Any) -> None:
    await build.user("boss", "ADMIN")
    await build.organizer()
    await build.event()
    auth = await build.login(client, "boss")
    calls: list[str] = []
    real = idempotency.fingerprint

    def counting(method: str, path: str, body: bytes) -> str:
        calls.append(path)
        return real(method, path, body)

    monkeypatch.setattr(idempotency, "fingerprint", counting)
    body = {"organizerId": "org_demo", "amount": 12.5, "currency": "mxn"}
    r = await client.post("/director/payments", json=body, headers=auth)
    assert r.status_code == 201 and calls == []  # no key: no fingerprint
    keyed = {**auth, "Idempotency-Key": "k-core-1"}
    first = await client.post("/director/payments", json=body, headers=keyed)
    again = await client.post("/director/payments", content=json.dumps({**body, "amount": 12.50}), headers={**keyed, "content-type": "application/json"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and again.json()["data"] == first.json()["data"]
    other = await client.post("/director/payments", json={**body, "amount": 13}, headers=keyed)
    assert other.status_code == 422 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert calls and all(p == "/director/payments" for p in calls)


def _resolve(app: Any, method: str, path: str) -> tuple[Any, ...]:
    """(top-level route index, match, selected route's path) the way FastAPI's router picks them."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b"", "app": app}
    partial = None
    for index, route in enumerate(app.router.routes):
        match, _ = route.matches(dict(scope))
        if match is Match.NONE:
            continue
        selected = getattr(route, "path", None)
        if hasattr(route, "_match"):
            _, _, inner, _ = route._match(dict(scope))  # noqa: SLF001
            selected = getattr(inner, "path", None)
        if match is Match.FULL:
            return index, match, selected
        partial = partial or (index, match, selected)
    return partial or (None, Match.NONE, None)


def _included_routers(app: Any) -> list[Any]:
    pending = [r for r in app.router.routes if hasattr(r, "effective_candidates")]
    found = []
    while pending:
        router = pending.pop()
        found.append(router)
        pending.extend(c for c in router.effective_candidates() if hasattr(c, "effective_candidates"))
    return found


async def test_route_prefilter_selects_the_same_routes(app: Any) -> None:
    templates = {getattr(c, "path", "") for c in _effective_routes(app.routes)}
    paths = {re.sub(r"\{[^}]+\}", "x1", t) for t in templates if t}
    paths |= {p + "/" for p in paths} | {"/", "/nope", "/api/v1", "/api/v1/", "/api/v1/zzz", "/director", "/admin", "/admin/x"}
    assert len(paths) > 150
    cases = [(method, path) for path in sorted(paths) for method in ("GET", "POST", "PUT", "PATCH", "DELETE")]
    routers = _included_routers(app)
    assert routers and all("matches" in vars(r) for r in routers)  # every included router is filtered
    filtered = [_resolve(app, method, path) for method, path in cases]
    patched = {id(r): vars(r).pop("matches") for r in routers}  # FastAPI alone
    try:
        reference = [_resolve(app, method, path) for method, path in cases]
    finally:
        for r in routers:
            r.matches = patched[id(r)]
    for case, got, expected in zip(cases, filtered, reference, strict=True):
        assert got == expected, case


async def test_route_prefilter_sees_routes_added_after_it_at_any_depth() -> None:
    """The prefilter's change check (the sum of each router's own routes version, issue 13) notices a route
    added to a nested router and a router included into one after it was installed."""
    import httpx
    from fastapi import APIRouter, FastAPI

    from taquilla.core.routing import install_route_prefilter

    outer, inner = APIRouter(prefix="/a"), APIRouter(prefix="/b")
    inner.add_api_route("/one", lambda: {"n": 1})
    outer.include_router(inner)
    app = FastAPI()
    app.include_router(outer)
    install_route_prefilter(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/a/b/one")).json() == {"n": 1}
        assert (await c.get("/a/b/two")).status_code == 404 and (await c.get("/a/c/three")).status_code == 404
        inner.add_api_route("/two", lambda: {"n": 2})
        late = APIRouter(prefix="/c")
        outer.include_router(late)
        late.add_api_route("/three", lambda: {"n": 3})  # on a router included after the prefilter, then changed
        assert (await c.get("/a/b/two")).json() == {"n": 2}
        assert (await c.get("/a/c/three")).json() == {"n": 3}
        late.add_api_route("/four", lambda: {"n": 4})
        assert (await c.get("/a/c/four")).json() == {"n": 4}


async def _driver_probe(build: Builders, table: str) -> tuple[Any, list[str], Any]:
    """For the driver-transaction tests: a stand-in request of the app, a probe ``table (n int)``, and
    ``note(tag)``, an after-commit callback body that appends ``tag`` to the returned list."""
    from types import SimpleNamespace

    async with build.app.state.engine.begin() as c:
        await c.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {table} (n int)")
    ran: list[str] = []

    async def note(tag: str) -> None:
        ran.append(tag)

    return SimpleNamespace(app=build.app), ran, note


async def test_driver_transaction_keeps_request_transaction_contract(build: Builders) -> None:
    """``db.driver_transaction`` (the hot writes' transaction without an ORM session): commit then after-commit
    callbacks; an error rolls back and drops them; a request cancelled mid-statement leaves the pool usable."""
    import asyncio
    from taquilla.core.db import after_commit, driver_transaction

    request, ran, note = await _driver_probe(build, "driver_tx_probe")

    async with driver_transaction(request) as tx:
        await tx.connection.execute("INSERT INTO driver_tx_probe VALUES (1)")
        after_commit(tx, lambda: note("committed"))
        assert ran == []  # not before the commit
    assert ran == ["committed"] and await build.scalar("SELECT count(*) FROM driver_tx_probe") == 1

    try:
        async with driver_transaction(request) as tx:
            await tx.connection.execute("INSERT INTO driver_tx_probe VALUES (2)")
            after_commit(tx, lambda: note("rolled back"))
            raise LookupError("refused")
    except LookupError:
        pass
    assert ran == ["committed"] and await build.scalar("SELECT count(*) FROM driver_tx_probe") == 1

    async def slow() -> None:
        async with driver_transaction(request) as tx:
            await tx.connection.execute("INSERT INTO driver_tx_probe VALUES (3)")
            await tx.connection.execute("SELECT pg_sleep(5)")

    for _ in range(3):
        task = asyncio.create_task(slow())
        await asyncio.sleep(0.2)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
    pool_size = build.app.state.settings.db_pool_size
    for _ in range(pool_size + 2):  # every pooled connection is clean: no transaction left open on one of them
        async with driver_transaction(request) as tx:
            assert await tx.connection.fetchval("SELECT count(*) FROM driver_tx_probe WHERE n = 3") == 0
    assert await build.scalar("SELECT count(*) FROM driver_tx_probe") == 1


async def test_driver_statement_is_one_statements_transaction(build: Builders) -> None:
    """``db.driver_statement`` (a write that is one self-checking statement, no BEGIN/COMMIT): the statement
    commits on its own, the after-commit callbacks run after the block and are dropped when it raises, and an
    idempotency key is refused (its claim is a transaction-scoped lock that would end with its statement)."""
    from taquilla.core.db import after_commit, driver_statement

    request, ran, note = await _driver_probe(build, "driver_stmt_probe")

    async with driver_statement(request) as tx:
        assert not tx.connection.is_in_transaction()
        await tx.connection.execute("INSERT INTO driver_stmt_probe VALUES (1)")
        after_commit(tx, lambda: note("after"))
        assert ran == [] and await build.scalar("SELECT count(*) FROM driver_stmt_probe") == 1  # committed by itself
    assert ran == ["after"]

    with pytest.raises(LookupError):
        async with driver_statement(request) as tx:
            after_commit(tx, lambda: note("dropped"))
            raise LookupError("refused before writing")
    assert ran == ["after"]

    async with driver_statement(request) as tx:
        handle = idempotency.Idempotency(tx, "anon", "POST", "/director/payments", body=b"{}")
        with pytest.raises(RuntimeError, match="needs a transaction"):
            await handle.claim("key-1")
        await handle.claim(None)  # no key: nothing to claim
