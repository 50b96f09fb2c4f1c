"""cdr: call records, KPI definitions and reports.

- `cdr.kpis`: the KPI formulas over counts and sums, pure (the simulator imports these).
- `cdr.records`: what the engine hands over (calls with segments, agent spans, sessions).
- `cdr.writer`: the batched, idempotent, crash-safe writer; `cdr.rows` turns records into rows.
- `cdr.schema`, `cdr.db`, `cdr.migrate` (+ `cdr/migrations/`): tables, engines, Alembic;
  `cdr.db_url`: the default URL and `$CALLCENTER_DB`, without SQLAlchemy.
- `cdr.aggregate`, `cdr.report`, `cdr.render`, `cdr.html_report`: KPIs in SQL and reports;
  `cdr.grouping`: what a report's rows are (`GroupBy`).
- `cdr.exports` (queue_log, Master.csv), `cdr.customers` (import, contact history).
- `cdr.voicemail` (stored messages) over `cdr.voicemail_model` (the values, no database).
- `cdr.testing`: synthetic call records for tests and benchmarks.

This module imports nothing, so `import cdr.kpis` does not pull in SQLAlchemy; nor do
`cdr.db_url`, `cdr.grouping`, `cdr.voicemail_model` and `cdr.errors`, which the CLI reads
when it is built.
"""
