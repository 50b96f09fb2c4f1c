"""cdr: call records, KPI definitions and reports.

- `cdr.kpis`: the KPI formulas over counts and sums, pure (the simulator imports these).
- `cdr.records`: what the engine hands over (calls with segments, agent spans, sessions).
- `cdr.writer`: the batched, idempotent, crash-safe writer; `cdr.rows` turns records into rows.
- `cdr.schema`, `cdr.db`, `cdr.migrate` (+ `cdr/migrations/`): tables, engines, Alembic.
- `cdr.aggregate`, `cdr.report`, `cdr.render`, `cdr.html_report`: KPIs in SQL and reports.
- `cdr.exports` (queue_log, Master.csv), `cdr.customers` (import, contact history).
- `cdr.testing`: synthetic call records for tests and benchmarks.

This module imports nothing, so `import cdr.kpis` does not pull in SQLAlchemy.
"""
