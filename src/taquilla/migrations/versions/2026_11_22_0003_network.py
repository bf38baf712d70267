"""Sales network: bancas, ventanas, vendedores, loterías, sorteos, tickets, jugadas, movements, rollups.

A vendedor is a user (``vendedores.id`` = ``users.id``). ``users.ventana_id`` gets no
foreign key here: the identity context's ``POST /api/v1/users`` does not check that the
ventana exists, so a constraint would turn a bad ``ventanaId`` into a 500.

Revision ID: 0003_network
Revises: 0002_boxoffice
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_network"
down_revision = "0002_boxoffice"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSONB = postgresql.JSONB()


def _fk(table: str, column: str, target: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def _created() -> sa.Column:
    return sa.Column("created_at", TS, nullable=False, server_default=sa.func.now())


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger, nullable=False, server_default="0")


def upgrade() -> None:
    op.create_table(
        "bancas",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("commission_policy", JSONB, nullable=True),
        _created(),
        sa.UniqueConstraint("code", name="uq_bancas_code"),
    )
    op.create_table(
        "ventanas",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("banca_id", sa.String(64), _fk("ventanas", "banca_id", "bancas"), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("commission_policy", JSONB, nullable=True),
        _created(),
        sa.UniqueConstraint("code", name="uq_ventanas_code"),
    )
    op.create_index("ix_ventanas_banca_id", "ventanas", ["banca_id"])
    op.create_table(
        "vendedores",
        sa.Column("id", sa.String(64), _fk("vendedores", "id", "users"), primary_key=True),
        sa.Column("ventana_id", sa.String(64), _fk("vendedores", "ventana_id", "ventanas"), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("commission_policy", JSONB, nullable=True),
        _created(),
        sa.UniqueConstraint("code", name="uq_vendedores_code"),
    )
    op.create_index("ix_vendedores_ventana_id", "vendedores", ["ventana_id"])
    op.create_table(
        "loterias",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("digits", sa.Integer, nullable=False, server_default="2"),
        sa.Column("base_multiplier_x", sa.Numeric(10, 2), nullable=False),
        sa.Column("reventado_enabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("draw_times", JSONB, nullable=False, server_default="[]"),
        sa.Column("sales_cutoff_minutes", sa.Integer, nullable=False, server_default="1"),
        sa.Column("max_bet_cents", sa.BigInteger, nullable=True),
        sa.Column("max_per_number_cents", sa.BigInteger, nullable=True),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        _created(),
        sa.UniqueConstraint("name", name="uq_loterias_name"),
        sa.CheckConstraint("digits BETWEEN 1 AND 4", name="ck_loterias_digits"),
        sa.CheckConstraint("base_multiplier_x > 0", name="ck_loterias_multiplier_positive"),
        sa.CheckConstraint("sales_cutoff_minutes >= 0", name="ck_loterias_cutoff_nonnegative"),
    )
    op.create_table(
        "sorteos",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("loteria_id", sa.String(64), _fk("sorteos", "loteria_id", "loterias"), nullable=False),
        sa.Column("scheduled_at", TS, nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="SCHEDULED"),
        sa.Column("winning_number", sa.String(4), nullable=True),
        sa.Column("extra_multiplier_x", sa.Numeric(10, 2), nullable=True),
        sa.Column("evaluated_at", TS, nullable=True),
        _created(),
        sa.UniqueConstraint("loteria_id", "scheduled_at", name="uq_sorteos_loteria_id_scheduled_at"),
        sa.CheckConstraint("status IN ('SCHEDULED','OPEN','EVALUATED','CLOSED')", name="ck_sorteos_status"),
    )
    op.create_index("ix_sorteos_business_date", "sorteos", ["business_date"])
    op.create_index("ix_sorteos_scheduled_at", "sorteos", ["scheduled_at"])

    op.create_table(
        "network_accounts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("owner_type", sa.String(16), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("ventana_id", sa.String(64), _fk("network_accounts", "ventana_id", "ventanas"), nullable=False),
        _created(),
        sa.UniqueConstraint("owner_type", "owner_id", name="uq_network_accounts_owner_type_owner_id"),
        sa.CheckConstraint("owner_type IN ('VENTANA','VENDEDOR')", name="ck_network_accounts_owner_type"),
    )
    op.create_index("ix_network_accounts_ventana_id", "network_accounts", ["ventana_id"])

    op.create_table(
        "network_tickets",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("ticket_number", sa.BigInteger, nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("sorteo_id", sa.String(64), _fk("network_tickets", "sorteo_id", "sorteos"), nullable=False),
        sa.Column("loteria_id", sa.String(64), _fk("network_tickets", "loteria_id", "loterias"), nullable=False),
        sa.Column("ventana_id", sa.String(64), _fk("network_tickets", "ventana_id", "ventanas"), nullable=False),
        sa.Column("vendedor_id", sa.String(64), _fk("network_tickets", "vendedor_id", "vendedores"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="ACTIVE"),
        sa.Column("total_amount_cents", sa.BigInteger, nullable=False),
        sa.Column("commission_cents", sa.BigInteger, nullable=False),
        sa.Column("listero_commission_cents", sa.BigInteger, nullable=False),
        _money("payout_cents"),
        _money("paid_cents"),
        sa.Column("created_by", sa.String(64), nullable=False),
        _created(),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.Column("cancelled_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("business_date", "ticket_number", name="uq_network_tickets_business_date_ticket_number"),
        sa.CheckConstraint("status IN ('ACTIVE','CANCELLED','EVALUATED')", name="ck_network_tickets_status"),
        sa.CheckConstraint("total_amount_cents > 0", name="ck_network_tickets_amount_positive"),
        sa.CheckConstraint("paid_cents >= 0 AND paid_cents <= payout_cents", name="ck_network_tickets_paid_within_payout"),
    )
    op.create_index("ix_network_tickets_sorteo_id", "network_tickets", ["sorteo_id"])
    op.create_index("ix_network_tickets_ventana_date", "network_tickets", ["ventana_id", "business_date"])
    op.create_index("ix_network_tickets_vendedor_date", "network_tickets", ["vendedor_id", "business_date"])

    op.create_table(
        "network_jugadas",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("ticket_id", sa.String(64), _fk("network_jugadas", "ticket_id", "network_tickets"), nullable=False),
        sa.Column("sorteo_id", sa.String(64), _fk("network_jugadas", "sorteo_id", "sorteos"), nullable=False),
        sa.Column("number", sa.String(4), nullable=False),
        sa.Column("bet_type", sa.String(16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("multiplier_x", sa.Numeric(10, 2), nullable=False),
        sa.Column("commission_percent", sa.Numeric(6, 3), nullable=False),
        sa.Column("commission_cents", sa.BigInteger, nullable=False),
        sa.Column("listero_commission_percent", sa.Numeric(6, 3), nullable=False),
        sa.Column("listero_commission_cents", sa.BigInteger, nullable=False),
        sa.Column("is_winner", sa.Boolean, nullable=False, server_default=sa.false()),
        _money("payout_cents"),
        sa.CheckConstraint("bet_type IN ('NUMERO','REVENTADO')", name="ck_network_jugadas_bet_type"),
        sa.CheckConstraint("amount_cents > 0", name="ck_network_jugadas_amount_positive"),
    )
    op.create_index("ix_network_jugadas_ticket_id", "network_jugadas", ["ticket_id"])
    op.create_index("ix_network_jugadas_sorteo_number", "network_jugadas", ["sorteo_id", "number"])

    op.create_table(
        "network_prize_payments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("ticket_id", sa.String(64), _fk("network_prize_payments", "ticket_id", "network_tickets"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        _created(),
        sa.Column("reversed_at", TS, nullable=True),
        sa.Column("reversed_by", sa.String(64), nullable=True),
        sa.Column("reverse_reason", sa.Text, nullable=True),
        sa.CheckConstraint("amount_cents > 0", name="ck_network_prize_payments_amount_positive"),
    )
    op.create_index("ix_network_prize_payments_ticket_id", "network_prize_payments", ["ticket_id"])

    op.create_table(
        "network_movements",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(64), _fk("network_movements", "account_id", "network_accounts"), nullable=False),
        sa.Column("ventana_id", sa.String(64), _fk("network_movements", "ventana_id", "ventanas"), nullable=False),
        sa.Column("vendedor_id", sa.String(64), _fk("network_movements", "vendedor_id", "vendedores"), nullable=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("time", sa.String(8), nullable=True),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        _created(),
        sa.Column("is_reversed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reversed_at", TS, nullable=True),
        sa.Column("reversed_by", sa.String(64), nullable=True),
        sa.Column("reverse_reason", sa.Text, nullable=True),
        sa.CheckConstraint("amount_cents > 0", name="ck_network_movements_amount_positive"),
        sa.CheckConstraint("type IN ('payment','collection')", name="ck_network_movements_type"),
        sa.CheckConstraint("method IN ('cash','transfer','check','other')", name="ck_network_movements_method"),
    )
    op.create_index("ix_network_movements_ventana_date", "network_movements", ["ventana_id", "date"])
    op.create_index("ix_network_movements_vendedor_date", "network_movements", ["vendedor_id", "date"])
    op.create_index("ix_network_movements_date", "network_movements", ["date"])

    op.create_table(
        "network_daily_rollups",
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("ventana_id", sa.String(64), nullable=False),
        sa.Column("vendedor_id", sa.String(64), nullable=False),
        _money("sales_cents"),
        _money("payouts_cents"),
        _money("listero_commission_cents"),
        _money("vendedor_commission_cents"),
        _money("collected_cents"),
        _money("paid_cents"),
        _money("paid_to_customer_cents"),
        _money("ticket_count"),
        sa.PrimaryKeyConstraint("business_date", "ventana_id", "vendedor_id", name="pk_network_daily_rollups"),
    )
    op.create_index("ix_network_daily_rollups_ventana_date", "network_daily_rollups", ["ventana_id", "business_date"])
    op.create_index("ix_network_daily_rollups_vendedor_date", "network_daily_rollups", ["vendedor_id", "business_date"])

    op.create_table(
        "network_ticket_counters",
        sa.Column("business_date", sa.Date, primary_key=True),
        sa.Column("base_value", sa.BigInteger, nullable=False),
    )
    op.execute("CREATE SEQUENCE network_ticket_number_seq")


def downgrade() -> None:
    op.execute("DROP SEQUENCE network_ticket_number_seq")
    for table in (
        "network_ticket_counters",
        "network_daily_rollups",
        "network_movements",
        "network_prize_payments",
        "network_jugadas",
        "network_tickets",
        "network_accounts",
        "sorteos",
        "loterias",
        "vendedores",
        "ventanas",
        "bancas",
    ):
        op.drop_table(table)
