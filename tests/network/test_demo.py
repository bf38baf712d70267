"""``taquilla demo-data`` for the network: idempotent, real statements, no rollup drift."""

from __future__ import annotations

from datetime import UTC, datetime

from taquilla.network import demo
from tests.network.builders import Net


async def test_demo_seed_is_idempotent_and_consistent(net: Net, settings) -> None:  # noqa: ANN001
    net.clock.set(datetime.now(UTC))
    for _ in range(2):
        async with net.build.app.state.sessionmaker() as session:
            await demo.seed(session, settings)
            await session.commit()
    assert await net.count("ventanas") == 3 and await net.count("vendedores") == 10 and await net.count("loterias") == 2
    assert await net.count("network_tickets") > 300
    report = await net.reconcile()
    assert report["differences"] == [] and report["ticketDrift"] == []
    listero = await net.login_as("listero1", demo.LISTERO_PASSWORD)
    st = (await net.statement(headers=listero, date="month"))["data"]
    assert st["meta"]["ventanaId"] == "ven_demo_1"
    month = (await net.statement(headers=listero, date="range", fromDate="2000-01-01", toDate="2100-12-31"))["data"]
    assert month["totals"]["totalSales"] > 0 and month["totals"]["totalPayouts"] >= 0
