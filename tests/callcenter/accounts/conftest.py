"""Account stores on SQLite and on PostgreSQL (127.0.0.1:5432, database `test`, a fresh
schema per test, dropped afterwards; skipped, saying why, when unreachable), as the CDR
tests do (tests/cdr/conftest.py)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from cdr.store.db import Database
from cdr.store.migrate import upgrade

PG_URL = os.environ.get("CALLCENTER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def _pg_reason() -> str | None:
    async def probe() -> None:
        async with Database(PG_URL) as db, db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), 5)
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"PostgreSQL at {PG_URL} unreachable: {exc!r}"
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database (not migrated) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'accounts.db'}"
        return
    reason = await _pg_reason()
    if reason is not None:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    async with Database(PG_URL) as admin, admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?schema={schema}"
    finally:
        async with Database(PG_URL) as admin, admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    async with Database(url) as database:
        await upgrade(database)
        yield database
