"""Director KPI views: money sums kept as ``numeric`` and read indexes for the overview.

``mv_kpi_deuda_abierta`` summed ``amount_cents`` and cast the sum to ``bigint``: an
organizer whose ledger adds up past 9.2e18 cents made every ``REFRESH`` fail (SQLSTATE
22003) and froze the KPIs. The sums are now ``numeric`` (exact, unbounded). The views keep
their names, columns and the unique indexes that ``REFRESH … CONCURRENTLY`` needs; each
gets the index its overview query orders by (top debts, top credits, ranking, delivered).

Revision ID: 20261123_director_kpi_views
Revises: 0003_network
Create Date: 2026-11-23
"""

from alembic import op

revision = "20261123_director_kpi_views"
down_revision = "0003_network"
branch_labels = None
depends_on = None

DEUDA = "mv_kpi_deuda_abierta"

NEW_DEUDA = """
    SELECT e.organizer_id, e.currency,
           COALESCE(SUM(e.amount_cents) FILTER (WHERE e.entry_type <> 'payment'), 0)::numeric AS assigned_amount_cents,
           COALESCE(SUM(e.amount_cents) FILTER (WHERE e.entry_type = 'payment'), 0)::numeric AS payments_cents,
           SUM(CASE WHEN e.entry_type = 'payment' THEN -e.amount_cents ELSE e.amount_cents END)::numeric AS deuda_cents
      FROM director_ledger_entries e
     GROUP BY e.organizer_id, e.currency
"""

OLD_DEUDA = """
    SELECT e.organizer_id, e.currency,
           SUM(CASE WHEN e.entry_type <> 'payment' THEN e.amount_cents ELSE 0 END)::bigint AS assigned_amount_cents,
           SUM(CASE WHEN e.entry_type = 'payment' THEN e.amount_cents ELSE 0 END)::bigint AS payments_cents,
           SUM(CASE WHEN e.entry_type = 'payment' THEN -e.amount_cents ELSE e.amount_cents END)::bigint AS deuda_cents
      FROM director_ledger_entries e
     GROUP BY e.organizer_id, e.currency
"""

READ_INDEXES = (
    ("ix_mv_kpi_deuda_abierta_deuda_cents", DEUDA, "deuda_cents"),
    ("ix_mv_kpi_top_organizadores_ranking", "mv_kpi_top_organizadores", "ranking, organizer_id"),
    ("ix_mv_kpi_tickets_entregados_equivalentes", "mv_kpi_tickets_entregados", "tickets_equivalentes DESC, organizer_id, event_id"),
)


def _recreate_deuda(query: str) -> None:
    op.execute(f"DROP MATERIALIZED VIEW IF EXISTS {DEUDA}")
    op.execute(f"CREATE MATERIALIZED VIEW {DEUDA} AS {query}")
    op.execute(f"CREATE UNIQUE INDEX uq_{DEUDA} ON {DEUDA} (organizer_id, currency)")


def upgrade() -> None:
    _recreate_deuda(NEW_DEUDA)
    for name, view, columns in READ_INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {view} ({columns})")


def downgrade() -> None:
    for name, _view, _columns in READ_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    _recreate_deuda(OLD_DEUDA)
