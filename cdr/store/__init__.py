"""The call-record store: the database, its tables and migrations, and the writer.

`db` (engines, sessions, URLs) and `db_url` (the default URL, without SQLAlchemy), `schema`
(the tables), `migrate` and `migrations/` (Alembic), `writer` (the batched, idempotent,
crash-safe writer) with `rows` (records → rows), `tally`, `rollup` and `rollup_delta` (the
interval roll-ups), `sqlite_settings`.
"""
