"""Browser sessions kept by the server: the cookie holds a random id, the database its digest.

A session ends at its absolute expiry (`max_s` after login), after `idle_s` without a request,
or at logout (revoked: the same id never works again). The last-seen time is written at most
once per `touch_every_s`, so a busy console does not write on every request; the idle expiry
is that precise. The CSRF token is derived from the id (HMAC), so it needs no storage and a
page that cannot read the cookie cannot compute it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, delete, insert, select, update

from callcenter.accounts.digests import derived, digest, new_secret
from callcenter.accounts.schema import ApiSessionRow
from cdr import Database

_TABLE = cast(Table, ApiSessionRow.__table__)
CSRF_PURPOSE = "callcenter csrf v1"


def csrf_token(session_id: str) -> str:
    """The CSRF token that goes with a session id."""
    return derived(session_id, CSRF_PURPOSE)


@dataclass(frozen=True, slots=True)
class Session:
    """A live session. `session_id` is the cookie's value (secret: not in repr)."""

    session_id: str = field(repr=False)
    user_id: str
    created_at: float
    last_seen_at: float
    expires_at: float

    @property
    def csrf_token(self) -> str:
        return csrf_token(self.session_id)

    def idle_expires_at(self, idle_s: float) -> float:
        return min(self.expires_at, self.last_seen_at + idle_s)


class SessionStore:
    def __init__(self, db: Database, *, idle_s: float, max_s: float,
                 touch_every_s: float = 60.0) -> None:
        self.db = db
        self.idle_s = idle_s
        self.max_s = max_s
        self.touch_every_s = min(touch_every_s, idle_s / 4)

    async def create(self, user_id: str, now: float, client: str | None) -> Session:
        session_id = new_secret()
        expires = now + self.max_s
        async with self.db.engine.begin() as conn:
            await conn.execute(delete(_TABLE).where(_TABLE.c.expires_at < now))
            await conn.execute(insert(_TABLE).values(
                session_hash=digest(session_id), user_id=user_id, created_at=now,
                last_seen_at=now, expires_at=expires, revoked_at=None,
                client=(client or "")[:64] or None))
        return Session(session_id, user_id, now, now, expires)

    async def find(self, session_id: str, now: float) -> Session | None:
        """The live session with this id, its last-seen time moved to `now`; None if it is
        unknown, revoked, idle too long or past its absolute expiry."""
        key = digest(session_id)
        c = _TABLE.c
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(
                select(c.user_id, c.created_at, c.last_seen_at, c.expires_at, c.revoked_at)
                .where(c.session_hash == key))).first()
        if row is None or row.revoked_at is not None:
            return None
        if now >= row.expires_at or now >= row.last_seen_at + self.idle_s:
            return None
        last_seen = row.last_seen_at
        if now - last_seen >= self.touch_every_s:
            last_seen = now
            async with self.db.engine.begin() as conn:
                await conn.execute(update(_TABLE).where(c.session_hash == key)
                                   .values(last_seen_at=now))
        return Session(session_id, row.user_id, row.created_at, last_seen, row.expires_at)

    async def revoke(self, session_id: str, now: float) -> bool:
        """Log out: the id never works again. Whether it was live."""
        c = _TABLE.c
        async with self.db.engine.begin() as conn:
            result = await conn.execute(
                update(_TABLE).where(c.session_hash == digest(session_id),
                                     c.revoked_at.is_(None)).values(revoked_at=now))
        return bool(result.rowcount)

    async def revoke_user(self, user_id: str, now: float) -> int:
        """End every session of a user (a new password); how many were live."""
        c = _TABLE.c
        async with self.db.engine.begin() as conn:
            result = await conn.execute(
                update(_TABLE).where(c.user_id == user_id, c.revoked_at.is_(None))
                .values(revoked_at=now))
        return int(result.rowcount)
