"""``taquilla network …`` commands."""

from __future__ import annotations

import typer

network_app = typer.Typer(help="Sales network.", no_args_is_help=True)
