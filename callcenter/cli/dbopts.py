"""Options and error handling shared by the database commands (db, report, export, customers).

Imported when the CLI is built: SQLAlchemy and the database code load only when a command
opens the database (`run_on_database`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer

from cdr import URL_ENV, CdrError, DatabaseBehindError, default_url

if TYPE_CHECKING:
    from cdr import Database

T = TypeVar("T")

DB_OPTION = typer.Option(
    None,
    "--db",
    help=f"Database URL (sqlite:///file.db or postgresql://...); default ${URL_ENV} "
    "or sqlite:///callcenter.db.",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?([+-]\d{2}:\d{2}|Z)?$")


def db_url(value: str | None) -> str:
    """The URL given, else the configured default."""
    return value or default_url()


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error to stderr and exit with `code` (2: bad input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def run_on_database(db: str | None, work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database (refusing one whose schema is behind), run `work` on it, and turn
    failures into exit codes: 1 for a database that is behind or unreachable, 2 for bad
    input the cdr layer refused (`CdrError`)."""
    import asyncio

    from sqlalchemy.exc import SQLAlchemyError

    from cdr import Database, ensure_current

    async def run() -> T:
        async with Database(db_url(db)) as database:
            await ensure_current(database)
            return await work(database)

    try:
        return asyncio.run(run())
    except DatabaseBehindError as error:
        fail(str(error), code=1)
    except CdrError as error:
        fail(str(error))
    except (OSError, SQLAlchemyError) as error:
        fail(f"database {db_url(db)}: {type(error).__name__}: {error}", code=1)


def parse_when(value: str, option: str) -> datetime:
    """YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally with +HH:MM or Z; naive means UTC."""
    text = value.strip()
    if not _DATE.match(text):
        fail(f"{option}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM], got {value!r}")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        fail(f"{option}: {value!r} is not a valid date: {exc}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def period(start: str | None, end: str | None, default_days: int = 30) -> tuple[float, float]:
    """The [from, to) period in epoch seconds; a bare date as --to includes that whole day."""
    if end is None:
        to = datetime.now(UTC)
    else:
        to = parse_when(end, "--to")
        if len(end.strip()) == 10:
            to += timedelta(days=1)
    frm = parse_when(start, "--from") if start is not None else to - timedelta(days=default_days)
    if frm >= to:
        fail(f"--from {start} is not before --to {end}: expected an earlier --from")
    return frm.timestamp(), to.timestamp()


def warn(message: str) -> None:
    """A warning on stderr."""
    print(f"warning: {message}", file=sys.stderr)
