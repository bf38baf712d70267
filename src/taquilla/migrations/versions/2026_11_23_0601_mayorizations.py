"""Mayorizations (seeds 002/003): the closing records of a period per account, and ADJUSTMENT movements.

* ``network_mayorizations`` — one record per (account, fromDate, toDate): the period's figures
  (cents), debt status/amount, OPEN → SETTLED with the settlement's date, amount, type,
  reference, note, who and when.
* ``network_movements.kind`` — ``MOVEMENT`` (every existing row) or ``ADJUSTMENT`` (a
  mayorization's settlement, a collection/payment of the record's level that is never
  reversed); ``network_movements.mayorization_id`` — the settled record. At most one ADJUSTMENT
  per mayorization (partial unique index). No existing row changes meaning.

Revision ID: 20261123_mayorizations
Revises: 20261123_two_levels_revision
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "20261123_mayorizations"
down_revision = "20261123_two_levels_revision"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
T = "network_mayorizations"


def _fk(table: str, column: str, target: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def _cents(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.BigInteger, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        T,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(64), _fk(T, "account_id", "network_accounts"), nullable=False),
        sa.Column("owner_type", sa.String(16), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("ventana_id", sa.String(64), _fk(T, "ventana_id", "ventanas"), nullable=False),
        sa.Column("vendedor_id", sa.String(64), _fk(T, "vendedor_id", "vendedores"), nullable=True),
        sa.Column("from_date", sa.Date, nullable=False),
        sa.Column("to_date", sa.Date, nullable=False),
        _cents("total_sales_cents"),
        _cents("total_prizes_cents"),
        _cents("total_commission_cents"),
        _cents("net_operative_cents"),
        sa.Column("debt_status", sa.String(8), nullable=False),
        _cents("debt_amount_cents"),
        sa.Column("status", sa.String(16), nullable=False, server_default="OPEN"),
        sa.Column("settled_date", sa.Date, nullable=True),
        _cents("settled_amount_cents", nullable=True),
        sa.Column("settlement_type", sa.String(16), nullable=True),
        sa.Column("settlement_ref", sa.String(100), nullable=True),
        sa.Column("settlement_note", sa.Text, nullable=True),
        sa.Column("settled_by", sa.String(64), nullable=True),
        sa.Column("settled_at", TS, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("account_id", "from_date", "to_date", name="uq_network_mayorizations_account_period"),
        sa.CheckConstraint("from_date <= to_date", name="ck_network_mayorizations_period"),
        sa.CheckConstraint("owner_type IN ('VENTANA','VENDEDOR')", name="ck_network_mayorizations_owner_type"),
        sa.CheckConstraint("debt_status IN ('CXC','CXP','BALANCE')", name="ck_network_mayorizations_debt_status"),
        sa.CheckConstraint("status IN ('OPEN','SETTLED')", name="ck_network_mayorizations_status"),
        sa.CheckConstraint("debt_amount_cents = abs(net_operative_cents)", name="ck_network_mayorizations_debt_amount"),
        sa.CheckConstraint(
            "status = 'OPEN' OR (settled_date IS NOT NULL AND settled_amount_cents = debt_amount_cents AND settlement_type IS NOT NULL)",
            name="ck_network_mayorizations_settled",
        ),
        sa.CheckConstraint("settlement_type IS NULL OR settlement_type IN ('PAYMENT','COLLECTION')", name="ck_network_mayorizations_settlement_type"),
    )
    op.create_index("ix_network_mayorizations_to_date", T, ["to_date", "id"])
    op.create_index("ix_network_mayorizations_ventana_to_date", T, ["ventana_id", "to_date"])
    op.create_index("ix_network_mayorizations_owner", T, ["owner_id", "to_date"])
    op.add_column("network_movements", sa.Column("kind", sa.String(16), nullable=False, server_default="MOVEMENT"))
    op.add_column(
        "network_movements",
        sa.Column("mayorization_id", sa.String(64), _fk("network_movements", "mayorization_id", T), nullable=True),
    )
    op.create_check_constraint("ck_network_movements_kind", "network_movements", "kind IN ('MOVEMENT','ADJUSTMENT')")
    op.create_check_constraint(
        "ck_network_movements_adjustment_of_mayorization", "network_movements",
        "(kind = 'ADJUSTMENT') = (mayorization_id IS NOT NULL)",
    )
    op.create_index(
        "uq_network_movements_adjustment", "network_movements", ["mayorization_id"], unique=True,
        postgresql_where=sa.text("kind = 'ADJUSTMENT'"),
    )


def downgrade() -> None:
    op.drop_index("uq_network_movements_adjustment", table_name="network_movements")
    op.drop_constraint("ck_network_movements_adjustment_of_mayorization", "network_movements", type_="check")
    op.drop_constraint("ck_network_movements_kind", "network_movements", type_="check")
    op.drop_column("network_movements", "mayorization_id")
    op.drop_column("network_movements", "kind")
    op.drop_table(T)
