"""Schema migrations: apply them (`callcenter db upgrade`) and refuse a database that is behind.

The Alembic scripts live in the package (`cdr/store/migrations/`), so an installed engine can
upgrade its database without a checkout or an alembic.ini.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from cdr.errors import DatabaseBehindError
from cdr.store.db import Database

SCRIPT_LOCATION = "cdr.store:migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An in-memory Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the packaged CDR migrations have no head revision")
    return head


async def current_revision(db: Database) -> str | None:
    """The revision the database is at (None: never migrated)."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


async def upgrade(db: Database, revision: str = "head") -> str | None:
    """Apply the migrations up to `revision`; returns the revision the database is now at."""

    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)
    return await current_revision(db)


async def downgrade(db: Database, revision: str) -> None:
    """Revert the schema to `revision` ("base": drop everything)."""

    def run(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def ensure_current(db: Database) -> None:
    """Raise DatabaseBehindError, naming the command to run, unless the schema is at head."""
    current = await current_revision(db)
    head = head_revision()
    if current != head:
        raise DatabaseBehindError(db.display_url, current, head)
