"""The movements of one account-day in the statement's order, for the answer to a movement.

``POST /accounts/payment`` and ``reverse-payment`` answer the day statement right after the
movement, read in the movement's transaction while it holds the day's rollup row (every movement of
that account-day waits for it). Its list is the day's latest 20 movements of the movement's level
(``ledger.repository.latest_movements_of_day``): with only ``(ventana_id, date)``/``(vendedor_id,
date)`` that read sorted every movement of the day (2.2 ms for 1,188 under load, growing with the
day), inside the lock; these indexes return the latest 20 in order, whatever the day holds
(``bench/bench_movements.py``). Partial by level: banca↔ventana movements (no vendedor) by
ventana, ventana↔vendedor ones by vendedor.

Revision ID: 20261123_movements_day_order
Revises: 20261123_rollup_winners
Create Date: 2026-11-23
"""

from alembic import op

revision = "20261123_movements_day_order"
down_revision = "20261123_rollup_winners"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_network_movements_ventana_day_order ON network_movements (ventana_id, date, created_at, id) "
        "WHERE vendedor_id IS NULL"
    )
    op.execute(
        "CREATE INDEX ix_network_movements_vendedor_day_order ON network_movements (vendedor_id, date, created_at, id) "
        "WHERE vendedor_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_network_movements_vendedor_day_order")
    op.execute("DROP INDEX ix_network_movements_ventana_day_order")
