"""Reconcile (DOMAIN.md "Sales network"): the rollup and the per-number sums recomputed from the facts equal the stored ones.

``taquilla network reconcile [--apply]`` runs it; tests call it after every property run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.network import rollup
from taquilla.network.ledger import repository as repo
from taquilla.network.mayorizations import repository as mayorizations
from taquilla.network.sales import number_sums


async def reconcile(session: AsyncSession, *, apply: bool = False) -> dict[str, Any]:
    """Recompute the rollup and the per-number sums from the facts and compare them with the stored ones
    (writers blocked meanwhile).

    Returns ``{"rollupRows", "expectedRows", "differences": [{businessDate, ventanaId, vendedorId,
    fields: {field: {expected, stored}}}], "ticketDrift": [...], "numberSums": [{sorteoId, number, level,
    ownerId, expected, stored}] (``network_number_sales``, cents, the sales' limits read it),
    "applied", "adjustments"}`` (ADJUSTMENT
    movements are movements here; ``adjustments.broken`` lists SETTLED mayorizations without their live ADJUSTMENT); a stored row whose
    figures are all zero counts as absent; a monthly rollup row that differs from its daily rows is
    listed with ``businessDate`` = its month and ``monthly.<column>`` fields. ``apply=True`` rewrites
    the rollup (daily, then monthly) and the per-number sums from the facts where they differ (the caller commits).
    """
    await number_sums.lock_number_sums(session)
    await rollup.lock_for_reconcile(session)
    expected = await rollup.expected_rows(session)
    stored = await rollup.stored_rows(session)
    zero = rollup.absent()
    differences = []
    for key in sorted(set(expected) | set(stored)):
        e, s = expected.get(key, zero), stored.get(key, zero)
        if e != s:
            differences.append({
                "businessDate": key[0].isoformat(), "ventanaId": key[1], "vendedorId": key[2],
                "fields": {f: {"expected": e[f], "stored": s[f]} for f in rollup.STORED_COLUMNS if e[f] != s[f]},
            })
    for m in await rollup.monthly_drift(session):  # the monthly rollup against its daily rows ("monthly." fields)
        differences.append({"businessDate": m["month"], "ventanaId": m["ventanaId"], "vendedorId": m["vendedorId"],
                            "fields": {f"monthly.{k}": v for k, v in m["fields"].items()}})
    drift = await repo.ticket_drift(session)
    numbers = await number_sums.number_sums_drift(session)
    if apply and differences:
        await rollup.rebuild(session)
    if apply and numbers:
        await number_sums.rebuild_number_sums(session)
    return {"rollupRows": len(stored), "expectedRows": len(expected), "differences": differences,
            "ticketDrift": drift, "numberSums": numbers, "applied": bool(apply and (differences or numbers)),
            "adjustments": await mayorizations.adjustment_report(session)}
