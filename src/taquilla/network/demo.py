"""Demo data of this context for ``taquilla demo-data`` (idempotent).

Banca ``ban_demo`` with 3 ventanas (a listero user each), 10 vendedores, 2 loterías and the
last 30 CR days of evaluated sorteos with sales, prizes paid and movements — written through
the service functions, so the rollup and the accounts are exactly what the API would produce.
Today's sorteos are left OPEN for trying sales.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.periods import CR_TZ, cr_today
from taquilla.core.security import Role
from taquilla.core.settings import Settings
from taquilla.identity import repository as users
from taquilla.identity.service import create_user
from taquilla.network.auth import NetworkScope
from taquilla.network.draws import service as draws
from taquilla.network.draws.schemas import EvaluateIn, SorteoIn
from taquilla.network.ledger import service as ledger
from taquilla.network.ledger.schemas import MovementIn
from taquilla.network.models import Banca, LotteryTicket, Multiplier, Restriction
from taquilla.network.sales import service as sales
from taquilla.network.sales.schemas import JugadaIn, PrizePaymentIn, TicketIn
from taquilla.network.schemas import CommissionPolicy
from taquilla.network.structure import service as structure
from taquilla.network.structure.schemas import BancaIn, LoteriaIn, VendedorIn, VentanaIn

LISTERO_PASSWORD = "taquilla-listero"
VENDEDOR_PASSWORD = "taquilla-vendedor"
DAYS = 30


async def seed(session: AsyncSession, settings: Settings) -> list[str]:
    """Insert the demo network when ``ban_demo`` is missing; return lines to print."""
    lines = [
        f"VENTANA    username=listero1..3 password={LISTERO_PASSWORD} (ventanas ven_demo_1..3)",
        f"VENDEDOR   username=vendedor1..10 password={VENDEDOR_PASSWORD}",
        "network: banca ban_demo, loterías lot_tica/lot_nica, 30 days of evaluated sorteos",
    ]
    if await session.get(Banca, "ban_demo") is not None:
        return lines
    rng = random.Random(20261122)
    admin = NetworkScope(Role.ADMIN, "demo", None, None)
    await structure.create_banca(session, BancaIn(id="ban_demo", code="BANCA-DEMO", name="Banca Demo",
                                                commissionPolicy=CommissionPolicy(percent=Decimal(5))))
    ventanas = []
    for i in range(1, 4):
        v, _ = await structure.create_ventana(session, VentanaIn(
            id=f"ven_demo_{i}", bancaId="ban_demo", code=f"VEN-00{i}", name=["Ventana San José", "Ventana Heredia", "Ventana Cartago"][i - 1],
            commissionPolicy=CommissionPolicy(percent=Decimal(10 + i)),
        ))
        ventanas.append(v)
        if await users.get_by_username(session, f"listero{i}") is None:
            await create_user(session, username=f"listero{i}", password=LISTERO_PASSWORD, role=Role.VENTANA,
                              full_name=f"Listero {i}", ventana_id=v.id, code=f"LIS-{i}")
    vendedores = []
    for i in range(1, 11):
        ventana = ventanas[(i - 1) % 3]
        policy = CommissionPolicy(percent=Decimal(8)) if i % 2 else None
        vd, _ = await structure.create_vendedor(session, admin, VendedorIn(
            username=f"vendedor{i}", password=VENDEDOR_PASSWORD, name=f"Vendedor {i}", code=f"{ventana.code}-{i:02d}",
            ventanaId=ventana.id, commissionPolicy=policy,
        ))
        vendedores.append(vd)
    tica = await structure.create_loteria(session, LoteriaIn(id="lot_tica", name="Tica", baseMultiplierX=Decimal(90),
                                                           reventadoEnabled=True, drawTimes=["12:55", "16:30", "19:30"]))
    nica = await structure.create_loteria(session, LoteriaIn(id="lot_nica", name="Nica", baseMultiplierX=Decimal(80),
                                                           drawTimes=["13:00", "21:00"]))
    extra_ids: dict[str, list[str]] = {tica.id: [], nica.id: []}
    for lot in (tica, nica):  # the multipliers catalogue: the base NUMERO one, and REVENTADO ones where enabled
        session.add(Multiplier(id=f"mul_{lot.id}_base", loteria_id=lot.id, name=f"{lot.name} base",
                               value_x=lot.base_multiplier_x, kind="NUMERO"))
        if lot.reventado_enabled:
            for x in (2, 5):
                extra_ids[lot.id].append(f"mul_{lot.id}_rev{x}")
                session.add(Multiplier(id=f"mul_{lot.id}_rev{x}", loteria_id=lot.id, name=f"Reventado x{x}",
                                       value_x=Decimal(x), kind="REVENTADO"))
    # restrictions the restrictions screens show (generous: the demo's own sales stay within them)
    session.add_all([
        Restriction(id="rst_demo_banca", banca_id="ban_demo", max_amount_cents=10_000_000),
        Restriction(id="rst_demo_ven1_00", ventana_id="ven_demo_1", number="00", max_total_cents=50_000_000),
        Restriction(id="rst_demo_ven2", ventana_id="ven_demo_2", max_amount_cents=5_000_000),
    ])
    await session.flush()
    today = cr_today()
    for offset in range(DAYS - 1, -1, -1):
        day = today - timedelta(days=offset)
        for lot in (tica, nica):
            for hhmm in lot.draw_times:
                at = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=CR_TZ)
                sorteo, _ = await draws.create_sorteo(session, SorteoIn(loteriaId=lot.id, scheduledAt=at))
                await draws.open_sorteo(session, sorteo.id)
                if offset == 0:
                    continue
                sale_time = at - timedelta(hours=2)
                sold: list[str] = []
                played: list[str] = []
                for _ in range(rng.randint(3, 8)):
                    vd = rng.choice(vendedores)
                    jugadas = []
                    for _ in range(rng.randint(1, 4)):
                        number, amount = f"{rng.randint(0, 99):02d}", Decimal(rng.choice([500, 1000, 2000, 5000]))
                        jugadas.append(JugadaIn(number=number, amount=amount))
                        if lot.reventado_enabled and rng.random() < 0.2:  # a REVENTADO rides on its NUMERO
                            jugadas.append(JugadaIn(number=number, amount=amount / 2, type="REVENTADO"))
                    t = await sales.sell(session, admin, TicketIn(sorteoId=sorteo.id, vendedorId=vd.id, jugadas=jugadas), sale_time)
                    sold.append(t.id)
                    played += [j.number for j in jugadas]
                if sold and rng.random() < 0.05:
                    await sales.cancel_ticket(session, admin, sold[0], sale_time)
                # the winning number is often one that was played, so that there are prizes to show
                winning = rng.choice(played) if played and rng.random() < 0.5 else f"{rng.randint(0, 99):02d}"
                await draws.evaluate_sorteo(session, sorteo.id, EvaluateIn(
                    winningNumber=winning, extraMultiplierId=rng.choice(extra_ids[lot.id]) if extra_ids[lot.id] else None),
                                              at + timedelta(minutes=5))
                for tid in sold:
                    ticket = await session.get(LotteryTicket, tid)
                    if ticket is not None and ticket.payout_cents > 0 and rng.random() < 0.8:
                        await sales.pay_prize(session, admin, tid, PrizePaymentIn())
                await draws.close_sorteo(session, sorteo.id)
        if offset and offset % 7 == 0:
            for vd in vendedores:
                await ledger.create_movement(session, admin, MovementIn(
                    date=day.isoformat(), vendedorId=vd.id, amount=Decimal(rng.randint(5, 40) * 1000), type="collection",
                    method=rng.choice(["cash", "transfer"]), notes="Cobro semanal"))
            for v in ventanas:
                await ledger.create_movement(session, admin, MovementIn(
                    date=day.isoformat(), ventanaId=v.id, amount=Decimal(rng.randint(10, 60) * 1000), type="payment",
                    method="transfer", notes="Pago de premios"))
    return lines
