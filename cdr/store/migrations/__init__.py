"""Alembic migrations of the CDR schema, shipped inside the package (`cdr:migrations`)."""
