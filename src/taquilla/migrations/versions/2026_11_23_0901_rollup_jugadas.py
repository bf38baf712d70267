"""The rollup's jugada count and last ticket, and the monthly rollup the dashboards read.

1. ``jugadasCount`` and ``lastTicketAt`` of ``/ventas/summary`` were read from ``network_jugadas`` /
``network_tickets`` (5.5 s for a month of the scaled dataset, 1,000,000 tickets). Each daily rollup
row now also holds ``jugada_count`` (the row's non-cancelled jugadas, ± on sale/cancellation) and
``last_ticket_at`` (the row's latest non-cancelled ticket, NULL without one); both are backfilled
from the facts here, as ``taquilla network reconcile`` recomputes them.

2. ``network_monthly_rollups``: per (first day of the CR month, ventana, vendedor) the sums of the
daily rows of that month (NUMERIC: a month of near-BIGINT days never overflows), the sum of their
``revision``, their count (``day_rows``) and the latest ``last_ticket_at``. Statement-level
triggers on ``network_daily_rollups`` (INSERT / UPDATE / DELETE, with transition tables) add each
statement's delta (new rows − old rows) in the same transaction (a TRUNCATE empties it too), monthly rows in key order, so the
table equals the daily rows' aggregate by construction, whatever the writer (sale, cancellation,
evaluation, prize payment, movement, rebuild, bulk load). A month of the scaled dataset (44,000
daily rows, 2,000 vendedores) is 2,000 monthly rows: cxc by vendedor, the dashboard and the sales
summary for a month read those (``bench/bench_dashboard.py``).

Revision ID: 20261123_rollup_jugadas
Revises: 20261123_number_sales
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "20261123_rollup_jugadas"
down_revision = "20261123_number_sales"
branch_labels = None
depends_on = None

FIELDS = ("sales_cents", "payouts_cents", "listero_commission_cents", "vendedor_commission_cents", "collected_cents",
          "paid_cents", "paid_to_customer_cents", "ticket_count", "jugada_count")
"""``taquilla.network.rollup.ROLLUP_FIELDS`` as of this revision (a migration never imports application code)."""
_KEY = "month, ventana_id, vendedor_id"


def _delta(op_name: str, fields: tuple[str, ...]) -> str:
    """The statement's delta per monthly key: +new rows, −old rows (the transition tables of ``op_name``)."""
    parts = []
    if op_name in ("INSERT", "UPDATE"):
        parts.append("SELECT 1 AS sign, * FROM new_rows")
    if op_name in ("UPDATE", "DELETE"):
        parts.append("SELECT -1 AS sign, * FROM old_rows")
    sums = ", ".join(f"SUM(sign * {f}) AS {f}" for f in fields)
    return (
        f"SELECT date_trunc('month', business_date)::date AS month, ventana_id, vendedor_id, {sums}, "
        "SUM(sign * revision) AS revision_sum, SUM(sign) AS day_rows, "
        "MAX(last_ticket_at) FILTER (WHERE sign = 1) AS new_last, MAX(last_ticket_at) FILTER (WHERE sign = -1) AS old_last "
        f"FROM ({' UNION ALL '.join(parts)}) x GROUP BY 1, 2, 3"
    )


def _branch(op_name: str, fields: tuple[str, ...]) -> str:
    cols = ", ".join(fields)
    sets = ", ".join(f"{f} = m.{f} + EXCLUDED.{f}" for f in fields)
    out = f"""
    INSERT INTO network_monthly_rollups AS m ({_KEY}, {cols}, revision_sum, day_rows, last_ticket_at)
    SELECT {_KEY}, {cols}, revision_sum, day_rows, new_last FROM ({_delta(op_name, fields)}) d ORDER BY {_KEY}
    ON CONFLICT ({_KEY}) DO UPDATE SET {sets}, revision_sum = m.revision_sum + EXCLUDED.revision_sum,
        day_rows = m.day_rows + EXCLUDED.day_rows, last_ticket_at = GREATEST(m.last_ticket_at, EXCLUDED.last_ticket_at);"""
    if op_name != "INSERT":  # a row's latest ticket went back (a cancellation): the month's maximum again
        out += f"""
    UPDATE network_monthly_rollups m SET last_ticket_at = (
           SELECT MAX(x.last_ticket_at) FROM network_daily_rollups x
            WHERE x.ventana_id = m.ventana_id AND x.vendedor_id = m.vendedor_id
              AND x.business_date >= m.month AND x.business_date < (m.month + interval '1 month')::date)
      FROM ({_delta(op_name, fields)}) d
     WHERE d.old_last IS NOT NULL AND (d.new_last IS NULL OR d.new_last < d.old_last)
       AND m.month = d.month AND m.ventana_id = d.ventana_id AND m.vendedor_id = d.vendedor_id;"""
    if op_name == "DELETE":
        out += "\n    DELETE FROM network_monthly_rollups WHERE day_rows = 0;"
    return out


def trigger_function(fields: tuple[str, ...]) -> str:
    """The SQL that (re)creates the trigger function for the monthly sums of ``fields``."""
    return f"""
CREATE OR REPLACE FUNCTION network_monthly_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM network_monthly_rollups;
  ELSIF TG_OP = 'INSERT' THEN {_branch("INSERT", fields)}
  ELSIF TG_OP = 'UPDATE' THEN {_branch("UPDATE", fields)}
  ELSE {_branch("DELETE", fields)}
  END IF;
  RETURN NULL;
END $fn$
"""


TRIGGER_FUNCTION = trigger_function(FIELDS)
"""Adds a statement's changes of ``network_daily_rollups`` to ``network_monthly_rollups``: the sums
(upsert in key order), ``last_ticket_at`` (the later instant; recomputed from the month's daily rows
when a row's latest ticket went back, i.e. a cancellation), and drops months left without daily rows;
after a TRUNCATE of the daily rows, empties the monthly table."""

_TABLES = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
           "DELETE": "OLD TABLE AS old_rows"}


def upgrade() -> None:
    op.add_column("network_daily_rollups", sa.Column("jugada_count", sa.BigInteger, nullable=False, server_default="0"))
    op.add_column("network_daily_rollups", sa.Column("last_ticket_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("""
        UPDATE network_daily_rollups r SET jugada_count = x.n
          FROM (SELECT t.business_date, t.ventana_id, t.vendedor_id, COUNT(*) AS n
                  FROM network_jugadas j JOIN network_tickets t ON t.id = j.ticket_id
                 WHERE t.status <> 'CANCELLED' GROUP BY 1, 2, 3) x
         WHERE r.business_date = x.business_date AND r.ventana_id = x.ventana_id AND r.vendedor_id = x.vendedor_id
    """)
    op.execute("""
        UPDATE network_daily_rollups r SET last_ticket_at = x.last_at
          FROM (SELECT business_date, ventana_id, vendedor_id, MAX(created_at) AS last_at
                  FROM network_tickets WHERE status <> 'CANCELLED' GROUP BY 1, 2, 3) x
         WHERE r.business_date = x.business_date AND r.ventana_id = x.ventana_id AND r.vendedor_id = x.vendedor_id
    """)
    op.create_table(
        "network_monthly_rollups",
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("ventana_id", sa.String(64), nullable=False),
        sa.Column("vendedor_id", sa.String(64), nullable=False),
        *(sa.Column(f, sa.Numeric, nullable=False, server_default="0") for f in FIELDS),
        sa.Column("revision_sum", sa.Numeric, nullable=False, server_default="0"),
        sa.Column("day_rows", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_ticket_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("month", "ventana_id", "vendedor_id", name="pk_network_monthly_rollups"),
    )
    op.create_index("ix_network_monthly_rollups_ventana_month", "network_monthly_rollups", ["ventana_id", "month"])
    op.create_index("ix_network_monthly_rollups_vendedor_month", "network_monthly_rollups", ["vendedor_id", "month"])
    op.execute("LOCK TABLE network_daily_rollups IN SHARE MODE")
    op.execute(TRIGGER_FUNCTION)
    for event, tables in _TABLES.items():
        op.execute(f"CREATE TRIGGER network_daily_rollups_monthly_{event.lower()} AFTER {event} ON network_daily_rollups "
                   f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION network_monthly_rollups_apply()")
    op.execute("CREATE TRIGGER network_daily_rollups_monthly_truncate AFTER TRUNCATE ON network_daily_rollups "
               "FOR EACH STATEMENT EXECUTE FUNCTION network_monthly_rollups_apply()")
    cols = ", ".join(FIELDS)
    op.execute(f"""
        INSERT INTO network_monthly_rollups ({_KEY}, {cols}, revision_sum, day_rows, last_ticket_at)
        SELECT date_trunc('month', business_date)::date, ventana_id, vendedor_id, {', '.join(f'SUM({f})' for f in FIELDS)},
               SUM(revision), COUNT(*), MAX(last_ticket_at)
          FROM network_daily_rollups GROUP BY 1, 2, 3
    """)


def downgrade() -> None:
    for event in (*_TABLES, "TRUNCATE"):
        op.execute(f"DROP TRIGGER network_daily_rollups_monthly_{event.lower()} ON network_daily_rollups")
    op.execute("DROP FUNCTION network_monthly_rollups_apply()")
    op.drop_table("network_monthly_rollups")
    op.drop_column("network_daily_rollups", "last_ticket_at")
    op.drop_column("network_daily_rollups", "jugada_count")
