"""Nuisance callers: numbers refused with a reason until an expiry (or for good)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from cdr.db import Database
from cdr.schema import BlacklistRow

_TABLE = BlacklistRow.__table__


async def add_to_blacklist(
    db: Database, number: str, reason: str, now: float, expires_at: float | None = None
) -> None:
    """Block `number` (again: the newest reason and expiry win)."""
    module = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = module.insert(_TABLE).values(
        number=number, reason=reason, added_at=now, expires_at=expires_at
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.number],
        set_={"reason": stmt.excluded.reason, "added_at": stmt.excluded.added_at,
              "expires_at": stmt.excluded.expires_at},
    )
    async with db.engine.begin() as conn:
        await conn.execute(stmt)
