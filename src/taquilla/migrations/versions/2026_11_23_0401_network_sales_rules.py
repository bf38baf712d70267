"""Network sales rules: sorteo name and frozen cutoff, prize-payment method/final, multipliers, restrictions.

* ``sorteos.name``; ``sorteos.sales_cutoff_at`` — the cutoff fixed when the sorteo is created
  (DOMAIN.md "Sorteo timing"), backfilled from each lotería's current ``sales_cutoff_minutes``;
  ``sorteos.extra_multiplier_id`` — the REVENTADO multiplier named at evaluation.
* ``network_tickets.payment_closed`` — a prize payment marked final closes the ticket's payment.
* ``network_prize_payments.method`` / ``is_final``.
* ``network_multipliers`` — per lotería, kind NUMERO | REVENTADO, ``value_x``.
* ``network_restrictions`` — sale limits by banca, ventana or user; per number or all numbers.

Revision ID: 20261123_network_sales_rules
Revises: 20261123_network_people
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "20261123_network_sales_rules"
down_revision = "20261123_network_people"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.add_column("sorteos", sa.Column("name", sa.String(200), nullable=True))
    op.add_column("sorteos", sa.Column("sales_cutoff_at", TS, nullable=True))
    op.add_column("sorteos", sa.Column("extra_multiplier_id", sa.String(64), nullable=True))
    op.execute(
        """
        UPDATE sorteos s SET sales_cutoff_at = s.scheduled_at - make_interval(mins => l.sales_cutoff_minutes),
                             name = COALESCE(s.name, l.name || ' ' || to_char(s.scheduled_at AT TIME ZONE 'America/Costa_Rica', 'YYYY-MM-DD HH24:MI'))
          FROM loterias l WHERE l.id = s.loteria_id
        """
    )
    op.alter_column("sorteos", "sales_cutoff_at", nullable=False)
    op.add_column("network_tickets", sa.Column("payment_closed", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("network_prize_payments", sa.Column("method", sa.String(16), nullable=False, server_default="cash"))
    op.add_column("network_prize_payments", sa.Column("is_final", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "network_multipliers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("loteria_id", sa.String(64), _fk("network_multipliers", "loteria_id", "loterias"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("value_x", sa.Numeric(10, 2), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("applies_to_date", sa.Date, nullable=True),
        sa.Column("applies_to_sorteo_id", sa.String(64), _fk("network_multipliers", "applies_to_sorteo_id", "sorteos"), nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('NUMERO','REVENTADO')", name="ck_network_multipliers_kind"),
        sa.CheckConstraint("value_x > 0", name="ck_network_multipliers_value_positive"),
    )
    op.create_index("ix_network_multipliers_loteria_id", "network_multipliers", ["loteria_id", "kind"])
    op.create_table(
        "network_restrictions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("banca_id", sa.String(64), _fk("network_restrictions", "banca_id", "bancas"), nullable=True),
        sa.Column("ventana_id", sa.String(64), _fk("network_restrictions", "ventana_id", "ventanas"), nullable=True),
        sa.Column("user_id", sa.String(64), _fk("network_restrictions", "user_id", "users"), nullable=True),
        sa.Column("number", sa.String(4), nullable=True),
        sa.Column("max_amount_cents", sa.BigInteger, nullable=True),
        sa.Column("max_total_cents", sa.BigInteger, nullable=True),
        sa.Column("sales_cutoff_minutes", sa.Integer, nullable=True),
        sa.Column("applies_to_date", sa.Date, nullable=True),
        sa.Column("applies_to_hour", sa.Integer, nullable=True),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "num_nonnulls(banca_id, ventana_id, user_id) = 1", name="ck_network_restrictions_one_scope"
        ),
    )
    op.create_index("ix_network_restrictions_banca_id", "network_restrictions", ["banca_id"])
    op.create_index("ix_network_restrictions_ventana_id", "network_restrictions", ["ventana_id"])
    op.create_index("ix_network_restrictions_user_id", "network_restrictions", ["user_id"])


def downgrade() -> None:
    op.drop_table("network_restrictions")
    op.drop_table("network_multipliers")
    op.drop_column("network_prize_payments", "is_final")
    op.drop_column("network_prize_payments", "method")
    op.drop_column("network_tickets", "payment_closed")
    op.drop_column("sorteos", "extra_multiplier_id")
    op.drop_column("sorteos", "sales_cutoff_at")
    op.drop_column("sorteos", "name")
