"""The rollup's winner count: the dashboard's ``totalWinners``/``winRate`` without counting tickets.

``GET /api/v1/admin/dashboard`` counted the winning tickets of the period and of the previous period
from ``ix_network_tickets_winners`` (~15 ms for a month of the scaled dataset under load). Each
daily rollup row now holds ``winner_count``: its non-cancelled tickets with a payout (± by the
evaluation / its revert, recomputed by reconcile); the monthly rollup sums it (trigger function
recreated with the new field). Backfilled from the tickets.

Revision ID: 20261123_rollup_winners
Revises: 20261123_rollup_jugadas
Create Date: 2026-11-23
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "20261123_rollup_winners"
down_revision = "20261123_rollup_jugadas"
branch_labels = None
depends_on = None


def _previous() -> object:
    path = Path(__file__).with_name("2026_11_23_0901_rollup_jugadas.py")
    spec = importlib.util.spec_from_file_location("_rollup_jugadas", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    prev = _previous()
    op.add_column("network_daily_rollups", sa.Column("winner_count", sa.BigInteger, nullable=False, server_default="0"))
    op.add_column("network_monthly_rollups", sa.Column("winner_count", sa.Numeric, nullable=False, server_default="0"))
    op.execute("LOCK TABLE network_daily_rollups IN SHARE MODE")
    op.execute(prev.trigger_function((*prev.FIELDS, "winner_count")))  # type: ignore[attr-defined]
    op.execute("""
        UPDATE network_daily_rollups r SET winner_count = x.n
          FROM (SELECT business_date, ventana_id, vendedor_id, COUNT(*) AS n
                  FROM network_tickets WHERE status <> 'CANCELLED' AND payout_cents > 0 GROUP BY 1, 2, 3) x
         WHERE r.business_date = x.business_date AND r.ventana_id = x.ventana_id AND r.vendedor_id = x.vendedor_id
    """)  # the trigger adds the counts to the monthly rows


def downgrade() -> None:
    prev = _previous()
    op.execute(prev.TRIGGER_FUNCTION)  # type: ignore[attr-defined]
    op.drop_column("network_monthly_rollups", "winner_count")
    op.drop_column("network_daily_rollups", "winner_count")
