"""Opening the CDR database: SQLite (WAL mode) by default, PostgreSQL via asyncpg.

`Database` is an async context manager owning one `AsyncEngine`; leaving the block disposes it.
The default URL and its environment variable live in `cdr.store.db_url` (no SQLAlchemy there).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from cdr.errors import CdrError
from cdr.store.db_url import (
    DEFAULT_URL as DEFAULT_URL,
    URL_ENV as URL_ENV,
    default_url as default_url,
)
from cdr.store.sqlite_settings import apply_pragmas, register_sqlite_adapters


def normalize_url(url: str) -> URL:
    """Parse a URL and pick the async driver: sqlite -> aiosqlite, postgresql -> asyncpg."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise CdrError(f"database URL {url!r}: expected e.g. {DEFAULT_URL}: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise CdrError(f"database URL {url!r}: expected sqlite:// or postgresql://, got {backend!r}")


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    apply_pragmas(dbapi_connection)


def create_engine(
    url: str, *, schema: str | None = None, application_name: str = "callcenter"
) -> AsyncEngine:
    """An async engine for `url`; `schema` (or `?schema=` in a PostgreSQL URL) sets the
    search_path, so that several tenants or test runs share one database."""
    parsed = normalize_url(url)
    if "schema" in parsed.query:
        schema = schema or str(parsed.query["schema"])
        parsed = parsed.difference_update_query(["schema"])
    if parsed.get_backend_name() == "sqlite":
        register_sqlite_adapters()
        engine = create_async_engine(parsed)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    settings = {"application_name": application_name}
    if schema is not None:
        settings["search_path"] = schema
    connect_args: dict[str, Any] = {"server_settings": settings}
    return create_async_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


class Database:
    """The CDR database: an engine plus what kind it is. `async with Database(url) as db:`."""

    def __init__(
        self, url: str, *, schema: str | None = None, application_name: str = "callcenter"
    ) -> None:
        self.url = url
        self.schema = schema
        self.engine = create_engine(url, schema=schema, application_name=application_name)
        self.dialect = self.engine.dialect.name  # "sqlite" or "postgresql"

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.engine.dispose()

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return normalize_url(self.url).render_as_string(hide_password=True)
