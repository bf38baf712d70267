"""HTTP routes of the sales network (``/api/v1/...``), one sub-router per sub-domain:
structure (bancas, ventanas, vendedores, loterías), people (users, commission policies), draws
(sorteos), sales (tickets and prize payments), ledger (movements, statements, accounts) and rules
(multipliers, restrictions). ``main`` includes :data:`router`.
"""

from __future__ import annotations

from taquilla.core.routing import context_router
from taquilla.network.dashboard.router import router as dashboard_router
from taquilla.network.draws.router import router as draws_router
from taquilla.network.ledger.router import router as ledger_router
from taquilla.network.mayorizations.router import router as mayorizations_router
from taquilla.network.people.router import router as people_router
from taquilla.network.rules.router import router as rules_router
from taquilla.network.sales.router import router as sales_router
from taquilla.network.structure.router import router as structure_router
from taquilla.network.ventas.router import router as ventas_router

router = context_router()
for _sub in (structure_router, people_router, draws_router, sales_router, ledger_router, rules_router, ventas_router,
             dashboard_router):
    router.include_router(_sub)
router.include_router(mayorizations_router)
