"""Two levels of accounts; a revision on every rollup row (the dashboards' ETag).

* No movement is rewritten. From this revision on, a movement **with** ``vendedor_id`` is read
  as a movement between that vendedor and its ventana (it counts in the vendedor's statement and
  account only); one **without** it as a movement between the banca and the ventana (DOMAIN.md
  "Two levels of accounts"). The rollup already kept them apart (``vendedor_id = ''`` rows), so
  only the reading changes; ``taquilla network reconcile`` finds no difference after it.
* ``network_daily_rollups.revision`` — 1 on insert, +1 on every change of the row, in the
  transaction of the fact itself. The sum of the revisions of the rows under an answer only
  grows, so it versions that answer (ETag / 304, cache keys).

Revision ID: 20261123_two_levels_revision
Revises: 20261123_network_sales_rules
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "20261123_two_levels_revision"
down_revision = "20261123_network_sales_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("network_daily_rollups", sa.Column("revision", sa.BigInteger(), nullable=False, server_default="1"))


def downgrade() -> None:
    op.drop_column("network_daily_rollups", "revision")
