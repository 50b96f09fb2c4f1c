"""The dialect's INSERT (SQLite or PostgreSQL), for upserts: both spell ON CONFLICT alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from cdr import Database


def dialect_insert(db: Database, table: Table) -> Any:
    module: Any = postgresql if db.dialect == "postgresql" else sqlite
    return module.insert(table)


def upsert(db: Database, table: Table, keys: Sequence[str], values: Mapping[str, Any]) -> Any:
    """INSERT `values`, or on a conflict on `keys` set the other columns to them."""
    stmt = dialect_insert(db, table).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: stmt.excluded[name] for name in values if name not in keys})
