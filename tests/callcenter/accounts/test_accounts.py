"""The account tables (migration 0008) and their stores, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection

import callcenter.accounts.schema  # noqa: F401 - the models Alembic compares
from callcenter.accounts import (
    AccountError,
    CredentialStore,
    LoginLimiter,
    LoginLimits,
    PasswordHasher,
    SessionStore,
    TokenStore,
)
from callcenter.accounts.digests import digest
from callcenter.accounts.ratelimit import address_key, user_key
from callcenter.accounts.schema import ApiSessionRow, ApiTokenRow
from callcenter.accounts.tokens import parse_scopes
from callcenter.supervision.roles import TokenScope
from cdr.store.db import Database
from cdr.store.migrate import downgrade, upgrade
from cdr.store.schema import Base

OURS = {"user_credentials", "api_sessions", "api_tokens", "login_failures",
        "webhook_dead_letters"}
T0 = 1_800_000_000.0


async def test_0009_matches_the_models_and_downgrades(url: str) -> None:
    async with Database(url) as db:
        assert await upgrade(db, "0009_api_accounts") == "0009_api_accounts"

        def diff(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection)
            return [d for d in compare_metadata(context, Base.metadata)
                    if any(f"'{name}'" in repr(d) for name in OURS)]

        def tables(connection: Connection) -> set[str]:
            return set(inspect(connection).get_table_names())

        async with db.engine.connect() as conn:
            assert await conn.run_sync(diff) == []
        await downgrade(db, "0008_announcement")
        async with db.engine.connect() as conn:
            names = await conn.run_sync(tables)
        assert "calls" in names and not names & OURS
        assert await upgrade(db, "0009_api_accounts") == "0009_api_accounts"


async def test_sessions_expire_idle_absolute_and_at_logout(db: Database) -> None:
    store = SessionStore(db, idle_s=600, max_s=3600, touch_every_s=60)
    session = await store.create("sam", T0, "127.0.0.1")
    assert len(session.session_id) >= 43 and session.session_id not in repr(session)
    async with db.engine.connect() as conn:
        (stored,) = (await conn.execute(select(ApiSessionRow.session_hash))).scalars().all()
    assert stored == digest(session.session_id)  # the id itself is never stored
    assert (await store.find(session.session_id, T0 + 599)) is not None
    assert (await store.find(session.session_id, T0 + 599 + 599)) is not None  # touched
    assert await store.find(session.session_id, T0 + 599 + 599 + 601) is None  # idle
    active = await store.create("sam", T0, None)
    for minute in range(1, 60):
        assert await store.find(active.session_id, T0 + minute * 60) is not None
    assert await store.find(active.session_id, T0 + 3600) is None  # absolute expiry
    other = await store.create("ann", T0, None)
    assert await store.revoke(other.session_id, T0 + 1)
    assert await store.find(other.session_id, T0 + 2) is None
    assert await store.find("not-a-session", T0) is None
    assert session.csrf_token != session.session_id and len(session.csrf_token) >= 43


async def test_tokens_shown_once_stored_hashed_revocable(db: Database) -> None:
    store = TokenStore(db, touch_every_s=60)
    issued = await store.create("crm", parse_scopes("dial,customers:read"), T0)
    assert issued.secret.startswith("cc_") and issued.secret not in repr(issued)
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(ApiTokenRow))).one()
    assert issued.secret.split("_", 2)[2] not in (row.secret_hash, row.token_id, row.name)
    token = await store.authenticate(issued.secret, T0 + 5)
    assert token is not None and token.scopes == {TokenScope.DIAL, TokenScope.CUSTOMERS_READ}
    assert (await store.all())[0].last_used_at == T0 + 5
    wrong = issued.secret[:-1] + ("A" if issued.secret[-1] != "A" else "B")
    assert await store.authenticate(wrong, T0) is None
    with pytest.raises(AccountError, match="exists"):
        await store.create("crm", parse_scopes("dial"), T0)
    assert [t.name for t in await store.revoke("crm", T0 + 9)] == ["crm"]
    assert await store.authenticate(issued.secret, T0 + 10) is None
    assert (await store.all())[0].revoked_at == T0 + 9
    with pytest.raises(AccountError, match="unknown 'admin'"):
        parse_scopes("dial,admin")


async def test_failed_logins_counted_per_key_and_window(db: Database) -> None:
    limiter = LoginLimiter(db, LoginLimits(per_user=2, per_address=3, window_s=100))
    keys = [user_key("sam"), address_key("10.0.0.1")]
    assert await limiter.retry_after(keys, T0) is None
    await limiter.failed(keys, T0)
    await limiter.failed(keys, T0 + 10)
    assert await limiter.retry_after(keys, T0 + 20) == pytest.approx(80)
    assert await limiter.retry_after([user_key("ann"), keys[1]], T0 + 20) is None
    await limiter.failed([user_key("ann"), keys[1]], T0 + 30)
    assert await limiter.retry_after([user_key("eve"), keys[1]], T0 + 40) == pytest.approx(60)
    assert await limiter.retry_after(keys, T0 + 100) is None  # the window is over
    await limiter.failed(keys, T0 + 101)  # a new window: one failure
    assert await limiter.retry_after(keys, T0 + 102) is None
    await limiter.succeeded(keys[0])
    await asyncio.gather(*(limiter.failed([user_key("bob")], T0 + 200) for _ in range(5)))
    assert await limiter.retry_after([user_key("bob")], T0 + 201) is not None


async def test_passwords_are_argon2id_and_checked_off_the_loop(db: Database) -> None:
    hasher = PasswordHasher(time_cost=1, memory_kib=8 * 1024)
    stored = hasher.hash("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    await CredentialStore(db).set_hash("sam", stored, T0)
    assert await hasher.verify(await CredentialStore(db).hash_of("sam"),
                               "correct horse battery")
    assert not await hasher.verify(stored, "wrong horse battery")
    assert not await hasher.verify(None, "correct horse battery")  # unknown user
    with pytest.raises(AccountError, match="at least 10") as info:
        hasher.hash("short")
    assert "short" not in str(info.value)
