"""Every CDR test runs on SQLite and on PostgreSQL (127.0.0.1:5432, database `test`).

PostgreSQL tests get a fresh schema each, dropped afterwards, so runs never collide; when the
server is unreachable they skip and say so. Set CALLCENTER_TEST_PG to use another server.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from callcenter.cli import app
from cdr.store.db import Database
from cdr.store.migrate import upgrade

PG_URL = os.environ.get("CALLCENTER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
_pg_state: dict[str, str | None] = {}


async def pg_unreachable_reason() -> str | None:
    """None when PostgreSQL answers, else why not (checked once per session)."""
    if "reason" not in _pg_state:

        async def probe() -> None:
            async with Database(PG_URL) as db, db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        try:
            await asyncio.wait_for(probe(), 5)
            _pg_state["reason"] = None
        except Exception as exc:  # any failure to connect means: skip, and say why
            _pg_state["reason"] = f"PostgreSQL at {PG_URL} unreachable: {exc!r}"
    return _pg_state["reason"]


@dataclass(frozen=True)
class DbTarget:
    """Where a test's database lives: the URL (with ?schema= on PostgreSQL) and its kind."""

    url: str
    kind: str
    schema: str | None = None


@pytest.fixture(params=["sqlite", "postgresql"])
async def target(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DbTarget]:
    """An empty database (not migrated) on each backend."""
    if request.param == "sqlite":
        yield DbTarget(f"sqlite+aiosqlite:///{tmp_path / 'cdr.store.db'}", "sqlite")
        return
    reason = await pg_unreachable_reason()
    if reason is not None:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    async with Database(PG_URL) as admin, admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield DbTarget(f"{PG_URL}?schema={schema}", "postgresql", schema)
    finally:
        async with Database(PG_URL) as admin, admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
async def db(target: DbTarget) -> AsyncIterator[Database]:
    """A migrated, empty CDR database on each backend."""
    async with Database(target.url) as database:
        await upgrade(database)
        yield database


@pytest.fixture
def url(target: DbTarget) -> str:
    """An empty database at the current schema, by URL (for CLI tests)."""
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", target.url])
    assert result.exit_code == 0, result.output
    return target.url
