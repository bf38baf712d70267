"""``taquilla network …`` commands."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from taquilla.core.commands import console, prepared, with_session

network_app = typer.Typer(help="Sales network.", no_args_is_help=True)


@network_app.command("reconcile")
def reconcile(
    apply: Annotated[bool, typer.Option("--apply", help="rewrite the rollup and the per-number sums from the facts when they differ")] = False,
) -> None:
    """Recompute the per-day rollup (jugadas, tickets, prize payments, movements) and the per-number sums the
    sales' limits read from the facts and report any difference. Exit code 1 when there is drift (and
    ``--apply`` was not given)."""
    from rich.table import Table

    from taquilla.network.ledger.reconcile import reconcile as run

    with prepared() as settings:
        report = asyncio.run(with_session(settings, lambda s: run(s, apply=apply)))
    console.print(f"rollup rows: {report['rollupRows']}, recomputed rows: {report['expectedRows']}")
    if report["differences"]:
        table = Table("businessDate", "ventanaId", "vendedorId", "field", "expected", "stored")
        for d in report["differences"][:50]:
            for field, v in d["fields"].items():
                table.add_row(d["businessDate"], d["ventanaId"], d["vendedorId"] or "—", field, str(v["expected"]), str(v["stored"]))
        console.print(table)
        console.print(f"[red]{len(report['differences'])} rollup row(s) differ from the facts.[/red]")
    if report["numberSums"]:
        table = Table("sorteoId", "number", "level", "ownerId", "expected", "stored")
        for d in report["numberSums"][:50]:
            table.add_row(d["sorteoId"], d["number"], str(d["level"]), d["ownerId"], str(d["expected"]), str(d["stored"]))
        console.print(table)
        console.print(f"[red]{len(report['numberSums'])} per-number sum(s) differ from the facts.[/red]")
    for t in report["ticketDrift"][:20]:
        console.print(f"[red]ticket {t['id']}: stored totals differ from its jugadas/prize payments: {t}[/red]")
    adj = report["adjustments"]
    console.print(f"ADJUSTMENT movements (mayorization settlements): {adj['count']}, valueSigned {adj['valueSignedCents'] / 100:.2f}")
    for maj in adj["broken"][:20]:
        console.print(f"[red]mayorization {maj} is SETTLED without its live ADJUSTMENT of the settled amount[/red]")
    if report["applied"]:
        console.print("[yellow]What differed (rollup, per-number sums) was rebuilt from the facts.[/yellow]")
    if adj["broken"]:
        raise typer.Exit(1)
    if not report["differences"] and not report["ticketDrift"] and not report["numberSums"]:
        console.print("[green]No drift: the rollup and the per-number sums match the facts.[/green]")
    elif not report["applied"]:
        raise typer.Exit(1)
