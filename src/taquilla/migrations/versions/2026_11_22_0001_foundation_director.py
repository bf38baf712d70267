"""Foundation and director: users, idempotency keys, organizers, events, ledger, KPI views.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

KPI_VIEWS = {
    "mv_kpi_tickets_entregados": (
        """
        SELECT e.organizer_id, e.event_id,
               SUM(e.tickets)::bigint AS tickets_entregados,
               SUM(e.tickets_equivalent)::bigint AS tickets_equivalentes,
               COUNT(*)::bigint AS asignaciones,
               MAX(e.created_at) AS ultima_asignacion
          FROM director_ledger_entries e
         WHERE e.entry_type IN ('assign_prepaid', 'assign_loan')
         GROUP BY e.organizer_id, e.event_id
        """,
        ["organizer_id", "event_id"],
    ),
    "mv_kpi_deuda_abierta": (
        """
        SELECT e.organizer_id, e.currency,
               SUM(CASE WHEN e.entry_type <> 'payment' THEN e.amount_cents ELSE 0 END)::bigint AS assigned_amount_cents,
               SUM(CASE WHEN e.entry_type = 'payment' THEN e.amount_cents ELSE 0 END)::bigint AS payments_cents,
               SUM(CASE WHEN e.entry_type = 'payment' THEN -e.amount_cents ELSE e.amount_cents END)::bigint AS deuda_cents
          FROM director_ledger_entries e
         GROUP BY e.organizer_id, e.currency
        """,
        ["organizer_id", "currency"],
    ),
    "mv_kpi_top_organizadores": (
        """
        SELECT o.id AS organizer_id, o.name AS organizer_name,
               COALESCE(SUM(e.tickets_equivalent), 0)::bigint AS tickets_equivalentes,
               RANK() OVER (ORDER BY COALESCE(SUM(e.tickets_equivalent), 0) DESC)::int AS ranking
          FROM organizers o
          JOIN director_ledger_entries e
            ON e.organizer_id = o.id AND e.entry_type IN ('assign_prepaid', 'assign_loan')
         GROUP BY o.id, o.name
        """,
        ["organizer_id"],
    ),
}


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("organizer_id", sa.String(64), nullable=True),
        sa.Column("ventana_id", sa.String(64), nullable=True),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("role IN ('ADMIN','VENTANA','VENDEDOR','ORGANIZER')", name="ck_users_role"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(80), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("response_status", sa.Integer, nullable=False),
        sa.Column("response_body", postgresql.JSONB, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "organizers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_foreign_key("fk_users_organizer_id_organizers", "users", "organizers", ["organizer_id"], ["id"])
    op.create_table(
        "events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("type", sa.String(16), nullable=False, server_default="standard"),
        sa.Column("status", sa.String(16), nullable=False, server_default="on_sale"),
        sa.Column("start_at", TS, nullable=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("type IN ('standard','premium')", name="ck_events_type"),
    )
    op.create_table(
        "director_ledger_entries",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("organizer_id", sa.String(64), sa.ForeignKey("organizers.id", name="fk_director_ledger_entries_organizer_id_organizers"), nullable=False),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id", name="fk_director_ledger_entries_event_id_events"), nullable=True),
        sa.Column("entry_type", sa.String(20), nullable=False),
        sa.Column("tickets", sa.Integer, nullable=False, server_default="0"),
        sa.Column("tickets_equivalent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unit_price_cents", sa.BigInteger, nullable=True),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("metadata", postgresql.JSONB, nullable=False, server_default="{}"),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.clock_timestamp()),
        sa.CheckConstraint("entry_type IN ('assign_prepaid','assign_loan','payment')", name="ck_director_ledger_entries_entry_type"),
        sa.CheckConstraint("amount_cents >= 0", name="ck_director_ledger_entries_amount_nonnegative"),
        sa.CheckConstraint("tickets >= 0 AND tickets_equivalent >= 0", name="ck_director_ledger_entries_tickets_nonnegative"),
    )
    op.create_index("ix_director_ledger_entries_org_created", "director_ledger_entries", ["organizer_id", "created_at", "id"])
    op.create_index("ix_director_ledger_entries_event_id", "director_ledger_entries", ["event_id"])
    for name, (query, key) in KPI_VIEWS.items():
        op.execute(f"CREATE MATERIALIZED VIEW {name} AS {query}")
        op.execute(f"CREATE UNIQUE INDEX uq_{name} ON {name} ({', '.join(key)})")


def downgrade() -> None:
    for name in reversed(list(KPI_VIEWS)):
        op.execute(f"DROP MATERIALIZED VIEW IF EXISTS {name}")
    op.drop_table("director_ledger_entries")
    op.drop_table("events")
    op.drop_constraint("fk_users_organizer_id_organizers", "users", type_="foreignkey")
    op.drop_table("organizers")
    op.drop_table("idempotency_keys")
    op.drop_table("users")
