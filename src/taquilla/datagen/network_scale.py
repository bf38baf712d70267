"""``taquilla demo-data --network-scale N``: a large network dataset for benchmarks, fast.

Generates, under a fresh run prefix (so it can be run again): one banca, ``N/5000`` ventanas
(3–200) with 10 vendedores each (users + accounts), 2 loterías with 3 daily draws over the
last 30 CR days (all evaluated and closed), ``N`` tickets with 3 jugadas each (vendedor 8 %,
listero 10 % commission snapshots, NUMERO × 90 / REVENTADO × 5 payouts), prize payments for
most winners and weekly collections per vendedor — all with asyncpg ``COPY`` in chunks, with a
rich progress bar. The per-number sums and the rollup are then rebuilt from the facts (the same SQL as
``reconcile``) under exclusive locks, so ``taquilla network reconcile`` reports no drift afterwards.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from taquilla.core.infra import to_driver_url
from taquilla.core.periods import CR_TZ, cr_today
from taquilla.core.security import hash_password
from taquilla.core.settings import Settings

CHUNK = 25_000
DAYS = 30
DRAWS = ("12:55", "16:30", "19:30")
VENDEDOR_PCT, LISTERO_PCT = Decimal(8), Decimal(10)


def _pct(cents: int, pct: Decimal) -> int:
    return int((cents * pct / 100).to_integral_value(rounding="ROUND_HALF_UP"))


def generate(settings: Settings, n: int, console: Console) -> None:
    """Generate ``n`` tickets (3 jugadas each) and the network around them; see the module docstring."""
    asyncio.run(_generate(settings, n, console))


async def _generate(settings: Settings, n: int, console: Console) -> None:
    import asyncpg

    from taquilla.network.rollup import EXPECTED_ROLLUPS_SQL, STORED_COLUMNS
    from taquilla.network.sales.number_sums import EXPECTED_NUMBER_SUMS_SQL

    rng = random.Random(n)
    run = uuid.uuid4().hex[:6]
    n_ventanas = max(3, min(200, n // 5000))
    n_vendedores = n_ventanas * 10
    conn = await asyncpg.connect(to_driver_url(settings.database_url))
    try:
        now = datetime.now(UTC)
        banca = f"ban_sc{run}"
        ventanas = [f"ven_sc{run}_{i}" for i in range(n_ventanas)]
        vendedores = [(f"usr_sc{run}_{i}", ventanas[i % n_ventanas]) for i in range(n_vendedores)]
        pw = hash_password("taquilla-vendedor")
        async with conn.transaction():
            await conn.execute("INSERT INTO bancas (id, code, name, commission_policy) VALUES ($1, $2, $3, $4)",
                               banca, f"SC{run}", f"Banca escala {run}", '{"percent": 5, "rules": []}')
            await conn.copy_records_to_table("ventanas", columns=["id", "banca_id", "code", "name", "is_active", "commission_policy", "created_at"],
                                             records=[(v, banca, f"SC{run}-{i}", f"Ventana {i}", True, f'{{"percent": {LISTERO_PCT}, "rules": []}}', now)
                                                      for i, v in enumerate(ventanas)])
            await conn.copy_records_to_table("users", columns=["id", "username", "password_hash", "full_name", "role", "ventana_id", "is_active", "created_at"],
                                             records=[(u, f"sc{run}v{i}", pw, f"Vendedor {i}", "VENDEDOR", v, True, now) for i, (u, v) in enumerate(vendedores)])
            await conn.copy_records_to_table("vendedores", columns=["id", "ventana_id", "code", "name", "is_active", "commission_policy", "created_at"],
                                             records=[(u, v, f"SC{run}-V{i}", f"Vendedor {i}", True, f'{{"percent": {VENDEDOR_PCT}, "rules": []}}', now)
                                                      for i, (u, v) in enumerate(vendedores)])
            await conn.copy_records_to_table("network_accounts", columns=["id", "owner_type", "owner_id", "ventana_id", "created_at"],
                                             records=[(f"acc_sc{run}_v{i}", "VENTANA", v, v, now) for i, v in enumerate(ventanas)]
                                             + [(f"acc_sc{run}_u{i}", "VENDEDOR", u, v, now) for i, (u, v) in enumerate(vendedores)])
            loterias = [(f"lot_sc{run}_a", Decimal(90), True), (f"lot_sc{run}_b", Decimal(80), False)]
            for lid, mult, rev in loterias:
                await conn.execute(
                    "INSERT INTO loterias (id, name, digits, base_multiplier_x, reventado_enabled, draw_times) VALUES ($1, $2, 2, $3, $4, $5)",
                    lid, f"Lotería {lid}", mult, rev, '["12:55", "16:30", "19:30"]')
            today = cr_today()
            sorteos: list[tuple[str, str, date, str, Decimal, bool]] = []
            records = []
            for d in range(DAYS, 0, -1):
                day = today - timedelta(days=d)
                for lid, mult, rev in loterias:
                    for hhmm in DRAWS:
                        sid = f"sor_sc{run}_{len(sorteos)}"
                        win = f"{rng.randint(0, 99):02d}"
                        at = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=CR_TZ)
                        sorteos.append((sid, lid, day, win, mult, rev))
                        records.append((sid, lid, at, at - timedelta(minutes=1), day, "CLOSED", win, Decimal(5), at + timedelta(minutes=5), now))
            await conn.copy_records_to_table("sorteos", columns=["id", "loteria_id", "scheduled_at", "sales_cutoff_at", "business_date", "status", "winning_number",
                                                                 "extra_multiplier_x", "evaluated_at", "created_at"], records=records)
            numbers: dict[date, int] = {}
            for row in await conn.fetch("SELECT business_date, max(ticket_number) AS m FROM network_tickets GROUP BY 1"):
                numbers[row["business_date"]] = row["m"]

        ticket_cols = ["id", "ticket_number", "business_date", "sorteo_id", "loteria_id", "ventana_id", "vendedor_id", "status",
                       "total_amount_cents", "commission_cents", "listero_commission_cents", "payout_cents", "paid_cents", "created_by", "created_at"]
        jugada_cols = ["id", "ticket_id", "sorteo_id", "number", "bet_type", "amount_cents", "multiplier_x", "commission_percent",
                       "commission_cents", "listero_commission_percent", "listero_commission_cents", "is_winner", "payout_cents"]
        prize_cols = ["id", "ticket_id", "amount_cents", "created_by", "created_at"]
        amounts = [100, 200, 500, 1000, 2000, 5000]
        with Progress(TextColumn("[bold]network tickets"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                      TimeElapsedColumn(), TimeRemainingColumn(), console=console) as progress:
            task = progress.add_task("tickets", total=n)
            done = 0
            while done < n:
                size = min(CHUNK, n - done)
                tickets, jugadas, prizes = [], [], []
                for k in range(done, done + size):
                    sid, lid, day, win, mult, rev = sorteos[rng.randrange(len(sorteos))]
                    vid, ven = vendedores[rng.randrange(n_vendedores)]
                    tid = f"tkt_sc{run}{k:010x}"
                    numbers[day] = numbers.get(day, 0) + 1
                    total = comm = lcomm = payout = 0
                    for j in range(3):
                        num = f"{rng.randint(0, 99):02d}"
                        bet = "REVENTADO" if rev and j == 2 and rng.random() < 0.3 else "NUMERO"
                        cents = rng.choice(amounts) * 100
                        c, lc = _pct(cents, VENDEDOR_PCT), _pct(cents, LISTERO_PCT)
                        won = num == win
                        pay = (cents * int(mult) if bet == "NUMERO" else cents * 5) if won else 0
                        jugadas.append((f"jug_sc{run}{k:010x}{j}", tid, sid, num, bet, cents, mult, VENDEDOR_PCT, c, LISTERO_PCT, lc, won, pay))
                        total, comm, lcomm, payout = total + cents, comm + c, lcomm + lc, payout + pay
                    paid = payout if payout and rng.random() < 0.8 else 0
                    if paid:
                        prizes.append((f"prz_sc{run}{k:010x}", tid, paid, "scale", now))
                    tickets.append((tid, numbers[day], day, sid, lid, ven, vid, "EVALUATED", total, comm, lcomm, payout, paid, "scale", now))
                async with conn.transaction():
                    await conn.copy_records_to_table("network_tickets", columns=ticket_cols, records=tickets)
                    await conn.copy_records_to_table("network_jugadas", columns=jugada_cols, records=jugadas)
                    if prizes:
                        await conn.copy_records_to_table("network_prize_payments", columns=prize_cols, records=prizes)
                done += size
                progress.update(task, completed=done)

        movements: list[tuple[Any, ...]] = []
        for w in range(DAYS // 7):
            day = today - timedelta(days=1 + 7 * w)
            for i, (u, v) in enumerate(vendedores):
                movements.append((f"mov_sc{run}_{w}_{i}", f"acc_sc{run}_u{i}", v, u, day, rng.randint(10, 200) * 100_000,
                                  "collection", "cash", "scale", now))
        console.print("[bold]network:[/bold] movements, ticket counters, rollup rebuild …")
        async with conn.transaction():
            await conn.copy_records_to_table("network_movements", columns=["id", "account_id", "ventana_id", "vendedor_id", "date", "amount_cents",
                                                                           "type", "method", "created_by", "created_at"], records=movements)
            # later API sales of these days must number after the generated tickets: base + max < sequence
            for day, top in numbers.items():
                cur = await conn.fetchval("SELECT nextval('network_ticket_number_seq')")
                base = await conn.fetchval(
                    "INSERT INTO network_ticket_counters (business_date, base_value) VALUES ($1, $2) "
                    "ON CONFLICT (business_date) DO UPDATE SET base_value = network_ticket_counters.base_value RETURNING base_value",
                    day, cur - top)
                if base + top > cur:
                    await conn.execute("SELECT setval('network_ticket_number_seq', $1)", base + top)
            # the per-number sums the sales' limits read, then the rollup (the sale's lock order)
            await conn.execute("LOCK TABLE network_number_sales IN EXCLUSIVE MODE")
            await conn.execute("DELETE FROM network_number_sales")
            await conn.execute("INSERT INTO network_number_sales (sorteo_id, number, level, owner_id, amount_cents) "
                               + EXPECTED_NUMBER_SUMS_SQL)
            await conn.execute("LOCK TABLE network_daily_rollups IN EXCLUSIVE MODE")
            revision = await conn.fetchval("SELECT COALESCE(SUM(revision), 0) + 1 FROM network_daily_rollups")
            await conn.execute("DELETE FROM network_daily_rollups")
            cols = "business_date, ventana_id, vendedor_id, " + ", ".join(STORED_COLUMNS)
            await conn.execute(  # revisions above every earlier sum, as in rollup.rebuild
                f"INSERT INTO network_daily_rollups ({cols}, revision) SELECT {cols}, $1 FROM ({EXPECTED_ROLLUPS_SQL}) e", revision)
        await conn.execute("ANALYZE network_tickets; ANALYZE network_jugadas; ANALYZE network_daily_rollups; ANALYZE network_movements")
        console.print(f"[green]network scale run {run}: {n:,} tickets, {3 * n:,} jugadas, {n_ventanas} ventanas, "
                      f"{n_vendedores} vendedores, {len(sorteos)} sorteos, {len(movements)} movements.[/green]")
        console.print(f"  first ventana: {ventanas[0]}  (vendedor users sc{run}v0…, password taquilla-vendedor)")
    finally:
        await conn.close()
