-- Refresh the director KPI views without blocking readers (seed 000).
-- Each view has the unique index that CONCURRENTLY needs.
-- Run with: psql "$DATABASE_URL" -f docs/db/migrations/refresh_kpis.sql   (or: taquilla kpis refresh)
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_kpi_tickets_entregados;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_kpi_deuda_abierta;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_kpi_top_organizadores;
