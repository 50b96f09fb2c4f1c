"""Failed logins, counted per user name and per client address in fixed windows.

A key (`user:<name>`, `addr:<address>`) that has `limit` failures in its current window is
refused until the window ends (HTTP 429 with Retry-After). Unknown user names count like
known ones, so the limiter says nothing about who exists. Counts live in the database
(`login_failures`), updated by one atomic upsert per failure, so two engines share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, case, delete, select

from callcenter.accounts.schema import LoginFailureRow
from callcenter.accounts.sql import dialect_insert
from cdr import Database

_TABLE = cast(Table, LoginFailureRow.__table__)


@dataclass(frozen=True, slots=True)
class LoginLimits:
    per_user: int = 5
    per_address: int = 20
    window_s: float = 300.0


def user_key(user: str) -> str:
    return "user:" + user[:190]


def address_key(address: str) -> str:
    return "addr:" + address[:190]


class LoginLimiter:
    def __init__(self, db: Database, limits: LoginLimits) -> None:
        self.db = db
        self.limits = limits

    def _limit(self, key: str) -> int:
        return self.limits.per_user if key.startswith("user:") else self.limits.per_address

    async def retry_after(self, keys: list[str], now: float) -> float | None:
        """Seconds until every key may try again; None if none is blocked."""
        c = _TABLE.c
        window = self.limits.window_s
        async with self.db.engine.connect() as conn:
            rows = (await conn.execute(select(c.key, c.window_start, c.failures)
                                       .where(c.key.in_(keys)))).all()
        waits = [row.window_start + window - now for row in rows
                 if row.failures >= self._limit(row.key) and now < row.window_start + window]
        return max(waits) if waits else None

    async def failed(self, keys: list[str], now: float) -> None:
        """Count one failure for each key (a new window if the old one is over)."""
        c = _TABLE.c
        stale = c.window_start <= now - self.limits.window_s
        async with self.db.engine.begin() as conn:
            await conn.execute(delete(_TABLE).where(
                c.window_start < now - 2 * self.limits.window_s))
            for key in keys:
                stmt = dialect_insert(self.db, _TABLE).values(key=key, window_start=now,
                                                              failures=1)
                await conn.execute(stmt.on_conflict_do_update(
                    index_elements=["key"],
                    set_={"failures": case((stale, 1), else_=c.failures + 1),
                          "window_start": case((stale, now), else_=c.window_start)}))

    async def succeeded(self, key: str) -> None:
        """A good login clears that user's count (not the address's)."""
        async with self.db.engine.begin() as conn:
            await conn.execute(delete(_TABLE).where(_TABLE.c.key == key))
