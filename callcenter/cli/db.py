"""`callcenter db upgrade|status`: apply the CDR schema migrations, or say where the database is."""

from __future__ import annotations

import typer

from callcenter.cli.app import app
from callcenter.cli.dbopts import DB_OPTION, db_url, fail
from cdr import CdrError

db_app = typer.Typer(help="The call-record database: migrations and status.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def shown(url: str) -> str:
    """The URL as messages show it: the password hidden (a bad URL is shown as given: it
    is refused before anything is said of it)."""
    from cdr import normalize_url

    try:
        return normalize_url(url).render_as_string(hide_password=True)
    except CdrError:
        return url


@db_app.command("upgrade")
def db_upgrade(db: str | None = DB_OPTION) -> None:
    """Create or upgrade the database schema to this version (safe to run again)."""
    import asyncio

    from cdr import Database, current_revision, upgrade

    url = db_url(db)

    async def run() -> tuple[str | None, str | None]:
        async with Database(url) as database:
            before = await current_revision(database)
            return before, await upgrade(database)

    try:
        before, after = asyncio.run(run())
    except CdrError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"database {shown(url)} unreachable: {exc}", code=1)
    if before == after:
        typer.echo(f"database {shown(url)} is up to date (revision {after})")
    else:
        typer.echo(f"database {shown(url)} upgraded from {before or 'empty'} to {after}")


@db_app.command("status")
def db_status(db: str | None = DB_OPTION) -> None:
    """Print the database's schema revision; exit 1 if it is behind this version."""
    import asyncio

    from cdr import Database, current_revision, head_revision, normalize_url

    url = db_url(db)

    async def run() -> str | None:
        async with Database(url) as database:
            return await current_revision(database)

    try:
        current = asyncio.run(run())
    except CdrError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"database {shown(url)} unreachable: {exc}", code=1)
    head = head_revision()
    if current == head:
        typer.echo(f"database {shown(url)} is at revision {current} (current)")
        return
    again = (f"--db {url}" if normalize_url(url).password is None
             else "with the same --db or CALLCENTER_DB")
    typer.echo(
        f"database {shown(url)} is at revision {current or 'empty'}, this version needs {head};"
        f" run `callcenter db upgrade {again}`"
    )
    raise typer.Exit(1)
