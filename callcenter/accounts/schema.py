"""The account tables (migration 0008), declared on `cdr.store.schema.Base` like the audit table.

Session ids and tokens are stored only as SHA-256 digests: a copy of the database lets no one
in. Times are float epoch seconds (UTC), as everywhere in the database.
"""

from __future__ import annotations

from sqlalchemy import Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cdr import Base


class UserCredentialRow(Base):
    """A user's password hash (argon2id, PHC string), keyed by the `supervision.users` id."""

    __tablename__ = "user_credentials"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[float] = mapped_column(Double)


class ApiSessionRow(Base):
    """A browser session: the digest of its id, whose it is, and when it ends."""

    __tablename__ = "api_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Double)
    last_seen_at: Mapped[float] = mapped_column(Double)
    expires_at: Mapped[float] = mapped_column(Double)  # the absolute end
    revoked_at: Mapped[float | None] = mapped_column(Double)  # logout
    client: Mapped[str | None] = mapped_column(String(64))  # the address it logged in from

    __table_args__ = (Index(None, "user_id"), Index(None, "expires_at"))


class ApiTokenRow(Base):
    """An integration token: its public id, the digest of its secret, its scopes."""

    __tablename__ = "api_tokens"

    token_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(300))  # comma-separated TokenScope values
    created_at: Mapped[float] = mapped_column(Double)
    last_used_at: Mapped[float | None] = mapped_column(Double)
    revoked_at: Mapped[float | None] = mapped_column(Double)

    __table_args__ = (Index(None, "name"),)


class LoginFailureRow(Base):
    """Failed logins of one key (`user:<name>` or `addr:<address>`) in the current window."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[float] = mapped_column(Double)
    failures: Mapped[int] = mapped_column(Integer)


class WebhookDeadLetterRow(Base):
    """A webhook delivery given up on: what, where, how often tried, the last error."""

    __tablename__ = "webhook_dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Double)
    url: Mapped[str] = mapped_column(String(500))
    event: Mapped[str] = mapped_column(String(32))
    delivery_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(600))

    __table_args__ = (Index(None, "at"),)
