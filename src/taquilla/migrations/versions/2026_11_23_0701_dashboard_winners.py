"""The dashboards' winners: a partial index on the winning, non-cancelled tickets.

``kpis.totalWinners``, ``winRate`` and the timeseries' ``winners`` count the tickets with a payout
per CR business date (and ventana). The rollup keeps no winner count, and counting them over all
tickets of a month scans ~1,000,000 rows on the scaled dataset; the winners are ~3 % of the
tickets, so this index answers the count for a month in a few milliseconds
(``bench/bench_dashboard.py``).

Revision ID: 20261123_dashboard_winners
Revises: 20261123_mayorizations
Create Date: 2026-11-23
"""

from alembic import op

revision = "20261123_dashboard_winners"
down_revision = "20261123_mayorizations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_network_tickets_winners ON network_tickets (business_date, ventana_id, vendedor_id) "
        "WHERE payout_cents > 0 AND status <> 'CANCELLED'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_network_tickets_winners")
