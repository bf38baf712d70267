"""Property: after any sequence of sales, cancellations, evaluations/reverts, prize payments/reversals
and movements/reversals, the rollup equals the one recomputed from the facts (no drift)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.network.builders import Net, cr

SORTEO_TIMES = [cr(2026, 1, 31, 23, 45), cr(2026, 2, 1, 12, 55)]  # CR day and month boundary

jugada = st.tuples(st.sampled_from(["00", "01", "02", "03"]), st.integers(1, 50_000).map(lambda c: c / 100),
                   st.sampled_from(["NUMERO", "NUMERO", "REVENTADO"]))
op = st.one_of(
    st.tuples(st.just("sell"), st.integers(0, 2), st.integers(0, 1), st.lists(jugada, min_size=1, max_size=3)),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("evaluate"), st.integers(0, 1), st.sampled_from(["00", "01", "02", "03"]), st.sampled_from([None, 2, 5])),
    st.tuples(st.just("revert"), st.integers(0, 1)),
    st.tuples(st.just("pay"), st.integers(0, 20), st.one_of(st.none(), st.integers(1, 100_000).map(lambda c: c / 100))),
    st.tuples(st.just("reverse_prize"), st.integers(0, 10)),
    st.tuples(st.just("movement"), st.integers(0, 3), st.integers(1, 100_000).map(lambda c: c / 100),
              st.sampled_from(["payment", "collection"]), st.sampled_from(["2026-01-31", "2026-02-01"])),
    st.tuples(st.just("reverse_movement"), st.integers(0, 10)),
)

FACT_TABLES = ("network_prize_payments, network_jugadas, network_tickets, network_movements, network_daily_rollups, "
               "network_ticket_counters, sorteos, idempotency_keys")


_STRUCTURE: dict[int, dict[str, Any]] = {}


async def _structure(net: Net) -> dict[str, Any]:
    """Built once per test run (the examples share the test's fixtures); facts are reset per example."""
    if id(net) not in _STRUCTURE:
        _STRUCTURE.clear()
        lot = await net.loteria(multiplier=90, reventado=True)
        banca = await net.banca(percent=5)
        v1 = await net.ventana(banca["id"], {"percent": 10})
        v2 = await net.ventana(banca["id"])
        vendedores = [await net.vendedor(v1["id"], {"percent": 8}), await net.vendedor(v1["id"]), await net.vendedor(v2["id"])]
        targets = [{"vendedorId": vendedores[0]["id"]}, {"vendedorId": vendedores[2]["id"]}, {"ventanaId": v1["id"]}, {"ventanaId": v2["id"]}]
        _STRUCTURE[id(net)] = {"lot": lot, "vendedores": vendedores, "targets": targets}
    return _STRUCTURE[id(net)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=14))
async def test_reconcile_finds_no_drift(net: Net, ops: list[tuple[Any, ...]]) -> None:
    x = await _structure(net)
    lot, vendedores, targets = x["lot"], x["vendedores"], x["targets"]
    async with net.build.app.state.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {FACT_TABLES} CASCADE"))
    net.clock.set(cr(2026, 1, 31, 8))
    sorteos = [await net.sorteo(lot["id"], at) for at in SORTEO_TIMES]
    tickets: list[str] = []
    prizes: list[str] = []
    movements: list[str] = []
    for o in ops:
        kind = o[0]
        if kind == "sell":
            net.clock.set(cr(2026, 1, 31, 8))
            r = await net.sell(net.admin, sorteos[o[2]]["id"], list(o[3]), vendedor_id=vendedores[o[1]]["id"], expect=None)
            if isinstance(r, dict):
                tickets.append(r["id"])
        elif kind == "cancel" and tickets:
            net.clock.set(cr(2026, 1, 31, 8))
            await net.patch(f"/api/v1/tickets/{tickets[o[1] % len(tickets)]}/cancel", expect=None)
        elif kind == "evaluate":
            net.clock.set(cr(2026, 2, 1, 18))
            await net.evaluate(sorteos[o[1]]["id"], o[2], extra=o[3], expect=None)
        elif kind == "revert":
            await net.patch(f"/api/v1/sorteos/{sorteos[o[1]]['id']}/revert-evaluation", expect=None)
        elif kind == "pay" and tickets:
            body = {} if o[2] is None else {"amount": o[2]}
            r = await net.post(f"/api/v1/tickets/{tickets[o[1] % len(tickets)]}/prize-payments", body, expect=None)
            if isinstance(r, dict):
                prizes.append((r["ticket"]["id"], r["payment"]["id"]))
        elif kind == "reverse_prize" and prizes:
            ticket_id, payment_id = prizes[o[1] % len(prizes)]
            await net.post(f"/api/v1/tickets/{ticket_id}/prize-payments/{payment_id}/reverse", {"reason": "r"}, expect=None)
        elif kind == "movement":
            r = await net.movement(expect=None, date=o[4], amount=o[2], type=o[3], **targets[o[1]])
            if isinstance(r, dict):
                movements.append(r["id"])
        elif kind == "reverse_movement" and movements:
            await net.post("/api/v1/accounts/reverse-payment", {"paymentId": movements[o[1] % len(movements)], "reason": "r"}, expect=None)
    report = await net.reconcile()
    assert report["differences"] == [] and report["ticketDrift"] == [], report
    # the statement agrees with the facts too (banca = every ventana)
    st_ = (await net.statement(dimension="banca", date="range", fromDate="2026-01-31", toDate="2026-02-01"))["data"]["totals"]
    sales = await net.build.scalar("SELECT COALESCE(SUM(total_amount_cents), 0) FROM network_tickets WHERE status <> 'CANCELLED'")
    payouts = await net.build.scalar("SELECT COALESCE(SUM(payout_cents), 0) FROM network_tickets")
    assert round(st_["totalSales"] * 100) == sales and round(st_["totalPayouts"] * 100) == payouts



async def test_monthly_rollup_and_last_ticket_follow_cancellations_and_drift_is_reported(net: Net) -> None:
    """The monthly rollup equals its daily rows after sales and cancellations on both sides of a month
    boundary; cancelling a row's latest ticket moves ``last_ticket_at`` back (daily and monthly) and
    ``/ventas/summary``'s ``lastTicketAt`` with it; a tampered monthly row is reported (``monthly.…``)
    and rewritten by ``reconcile --apply``."""
    from taquilla.network.ledger.reconcile import reconcile

    x = await _structure(net)
    lot, vendedor = x["lot"], x["vendedores"][0]
    net.clock.set(cr(2026, 1, 31, 8))
    sorteos = [await net.sorteo(lot["id"], at) for at in SORTEO_TIMES]
    first = await net.sell(net.admin, sorteos[1]["id"], [("01", 100), ("02", 50)], vendedor_id=vendedor["id"])
    await net.sell(net.admin, sorteos[0]["id"], [("03", 70)], vendedor_id=vendedor["id"])
    last = await net.sell(net.admin, sorteos[1]["id"], [("00", 20)], vendedor_id=vendedor["id"])
    feb = {"date": "range", "fromDate": "2026-02-01", "toDate": "2026-02-28"}
    s = (await net.get("/api/v1/ventas/summary", **feb))["data"]
    assert (s["ventasTotal"], s["ticketsCount"], s["jugadasCount"]) == (170, 2, 3)
    row = "FROM network_daily_rollups WHERE business_date = '2026-02-01' AND vendedor_id = :v"
    latest = await net.build.scalar(f"SELECT last_ticket_at {row}", v=vendedor["id"])
    assert latest == await net.build.scalar("SELECT created_at FROM network_tickets WHERE id = :t", t=last["id"])
    await net.patch(f"/api/v1/tickets/{last['id']}/cancel")
    first_at = await net.build.scalar("SELECT created_at FROM network_tickets WHERE id = :t", t=first["id"])
    assert await net.build.scalar(f"SELECT last_ticket_at {row}", v=vendedor["id"]) == first_at
    assert await net.build.scalar("SELECT last_ticket_at FROM network_monthly_rollups WHERE month = '2026-02-01' AND vendedor_id = :v",
                                  v=vendedor["id"]) == first_at
    s = (await net.get("/api/v1/ventas/summary", **feb))["data"]
    assert (s["ventasTotal"], s["ticketsCount"], s["jugadasCount"]) == (150, 1, 2)
    both = (await net.get("/api/v1/ventas/summary", date="range", fromDate="2026-01-31", toDate="2026-02-01"))["data"]
    assert (both["ventasTotal"], both["ticketsCount"], both["jugadasCount"]) == (220, 2, 3)
    report = await net.reconcile()
    assert report["differences"] == [], report
    # tamper with the monthly row: reported, then rewritten from the daily rows
    async with net.build.app.state.engine.begin() as conn:
        await conn.execute(text("UPDATE network_monthly_rollups SET sales_cents = sales_cents + 1 WHERE month = '2026-02-01'"))
    report = await net.reconcile()
    assert [list(d["fields"]) for d in report["differences"]] == [["monthly.sales_cents"]], report
    async with net.build.app.state.sessionmaker() as session:
        assert (await reconcile(session, apply=True))["applied"]
        await session.commit()
    assert (await net.reconcile())["differences"] == []
    s = (await net.get("/api/v1/ventas/summary", **feb))["data"]
    assert (s["ventasTotal"], s["ticketsCount"], s["jugadasCount"]) == (150, 1, 2)
