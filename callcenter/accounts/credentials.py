"""Each user's password hash, in `user_credentials` (set by `callcenter users set-password`)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, delete, select

from callcenter.accounts.schema import UserCredentialRow
from callcenter.accounts.sql import upsert
from cdr import Database

_TABLE = cast(Table, UserCredentialRow.__table__)


class CredentialStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set_hash(self, user_id: str, password_hash: str, now: float) -> None:
        """Store (or replace) the user's hash."""
        async with self.db.engine.begin() as conn:
            await conn.execute(upsert(self.db, _TABLE, ["user_id"], {
                "user_id": user_id, "password_hash": password_hash, "updated_at": now}))

    async def hash_of(self, user_id: str) -> str | None:
        c = _TABLE.c
        async with self.db.engine.connect() as conn:
            return (await conn.execute(
                select(c.password_hash).where(c.user_id == user_id))).scalar_one_or_none()

    async def users(self) -> dict[str, float]:
        """Users with a password, and when it was set."""
        c = _TABLE.c
        async with self.db.engine.connect() as conn:
            return {row.user_id: row.updated_at
                    for row in await conn.execute(select(c.user_id, c.updated_at))}

    async def remove(self, user_id: str) -> bool:
        """Forget the user's password (it can no longer log in); whether there was one."""
        async with self.db.engine.begin() as conn:
            result = await conn.execute(delete(_TABLE).where(_TABLE.c.user_id == user_id))
        return bool(result.rowcount)
