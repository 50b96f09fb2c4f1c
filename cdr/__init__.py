"""cdr: call records, KPI definitions and reports."""
