"""``network_number_sales`` keeps the ventanas' and the vendedores' rows only (levels 2 and 3).

The rows in all (level 0) and per banca (level 1) were written by every sale, so every vendedor of the
network queued on each number's two shared rows until the holder committed — also where no limit over
more than one ventana applies. The sale now derives those two sums from the ventanas' rows when such a
limit applies, under a transaction advisory lock per (sorteo, number, level, owner) that only the sales the
limit binds take (``sales.repository.SALE_CONTEXT_SQL`` and ``SELL_SQL``; bench/README.md "Lottery sale
without shared number rows"). Downgrade rebuilds the two levels from the ventanas' rows.

Revision ID: 20261124_number_sales_own_rows
Revises: 20261124_director_balances
Create Date: 2026-11-24
"""

from alembic import op

revision = "20261124_number_sales_own_rows"
down_revision = "20261124_director_balances"
branch_labels = None
depends_on = None

T = "network_number_sales"


def upgrade() -> None:
    op.execute(f"LOCK TABLE {T} IN EXCLUSIVE MODE")
    op.execute(f"DELETE FROM {T} WHERE level < 2")
    op.drop_constraint(f"ck_{T}_level", T, type_="check")
    op.create_check_constraint(f"ck_{T}_level", T, "level BETWEEN 2 AND 3")


def downgrade() -> None:
    op.execute(f"LOCK TABLE {T} IN EXCLUSIVE MODE")
    op.drop_constraint(f"ck_{T}_level", T, type_="check")
    op.create_check_constraint(f"ck_{T}_level", T, "level BETWEEN 0 AND 3")
    op.execute(f"""
        INSERT INTO {T} (sorteo_id, number, level, owner_id, amount_cents)
        SELECT x.sorteo_id, x.number, k.level, k.owner_id, SUM(x.amount_cents)
          FROM {T} x
          JOIN ventanas v ON v.id = x.owner_id
         CROSS JOIN LATERAL (VALUES (0, ''), (1, v.banca_id)) AS k(level, owner_id)
         WHERE x.level = 2
         GROUP BY x.sorteo_id, x.number, k.level, k.owner_id
    """)
