"""Integration tokens: `cc_<id>_<secret>`, shown once, stored as the secret's SHA-256.

The id is public (it names the token in lists and logs); the secret is 256 random bits. A
token is revoked, never deleted, so its name and last use stay readable. The last-use time is
written at most once per `touch_every_s`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, insert, select, update

from callcenter.accounts.digests import digest, new_secret, same
from callcenter.accounts.errors import AccountError
from callcenter.accounts.schema import ApiTokenRow
from callcenter.supervision.roles import TokenScope
from cdr import Database

_TABLE = cast(Table, ApiTokenRow.__table__)
PREFIX = "cc_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_TOKEN = re.compile(r"cc_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


def parse_scopes(text: str) -> frozenset[TokenScope]:
    """`dial,customers:read` → the scopes; AccountError naming the unknown ones."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    known = {scope.value: scope for scope in TokenScope}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise AccountError(
            f"scopes: {'unknown ' + ', '.join(repr(n) for n in unknown) if unknown else 'none'}"
            f"; expected some of {', '.join(known)}")
    return frozenset(known[name] for name in names)


@dataclass(frozen=True, slots=True)
class ApiToken:
    token_id: str
    name: str
    scopes: frozenset[TokenScope]
    created_at: float
    last_used_at: float | None
    revoked_at: float | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just created: `secret` is the whole token, shown to its owner once."""

    token: ApiToken
    secret: str = field(repr=False)


class TokenStore:
    def __init__(self, db: Database, *, touch_every_s: float = 60.0) -> None:
        self.db = db
        self.touch_every_s = touch_every_s

    async def create(self, name: str, scopes: frozenset[TokenScope], now: float) -> IssuedToken:
        if _NAME.fullmatch(name) is None:
            raise AccountError(f"token name {name[:40]!r}: expected 1..64 letters, digits,"
                               " '.', '_' or '-'")
        if not scopes:
            raise AccountError("a token needs at least one scope")
        if any(t.name == name and t.revoked_at is None for t in await self.all()):
            raise AccountError(f"a token named {name!r} exists; revoke it first")
        token_id = secrets.token_hex(6)
        secret = new_secret()
        scope_text = ",".join(sorted(s.value for s in scopes))
        async with self.db.engine.begin() as conn:
            await conn.execute(insert(_TABLE).values(
                token_id=token_id, name=name, secret_hash=digest(secret), scopes=scope_text,
                created_at=now, last_used_at=None, revoked_at=None))
        token = ApiToken(token_id, name, scopes, now, None, None)
        return IssuedToken(token, f"{PREFIX}{token_id}_{secret}")

    async def all(self) -> list[ApiToken]:
        c = _TABLE.c
        async with self.db.engine.connect() as conn:
            rows = await conn.execute(select(c.token_id, c.name, c.scopes, c.created_at,
                                             c.last_used_at, c.revoked_at)
                                      .order_by(c.created_at))
            return [_token(row) for row in rows]

    async def revoke(self, name_or_id: str, now: float) -> list[ApiToken]:
        """Revoke the live token(s) with this name or id; the ones revoked."""
        c = _TABLE.c
        live = [t for t in await self.all() if t.revoked_at is None
                and name_or_id in (t.name, t.token_id)]
        if live:
            async with self.db.engine.begin() as conn:
                await conn.execute(update(_TABLE).where(
                    c.token_id.in_([t.token_id for t in live])).values(revoked_at=now))
        return live

    async def authenticate(self, presented: str, now: float) -> ApiToken | None:
        """The live token `presented` is; None if malformed, unknown, wrong or revoked."""
        match = _TOKEN.fullmatch(presented)
        if match is None:
            return None
        token_id, secret = match.groups()
        c = _TABLE.c
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(
                select(c.token_id, c.name, c.scopes, c.created_at, c.last_used_at,
                       c.revoked_at, c.secret_hash).where(c.token_id == token_id))).first()
        if row is None or not same(row.secret_hash, digest(secret)) or row.revoked_at:
            return None
        token = _token(row)
        if token.last_used_at is None or now - token.last_used_at >= self.touch_every_s:
            async with self.db.engine.begin() as conn:
                await conn.execute(update(_TABLE).where(c.token_id == token_id)
                                   .values(last_used_at=now))
        return token


def _token(row: Any) -> ApiToken:
    scopes = frozenset(TokenScope(s) for s in row.scopes.split(",")
                       if s in TokenScope._value2member_map_)
    return ApiToken(row.token_id, row.name, scopes, row.created_at, row.last_used_at,
                    row.revoked_at)
