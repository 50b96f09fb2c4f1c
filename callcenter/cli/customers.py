"""`callcenter customers import FILE`: load customers from CSV or XLSX, all-or-nothing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from callcenter.cli.app import app
from callcenter.cli.dbopts import DB_OPTION, db_url, fail
from cdr import CdrError, CustomerImportError, DatabaseBehindError

if TYPE_CHECKING:
    from cdr import ImportResult

customers_app = typer.Typer(help="Customer records.", no_args_is_help=True)
app.add_typer(customers_app, name="customers")


@customers_app.command("import")
def customers_import(
    file: Path = typer.Argument(..., help="A .csv or .xlsx file with a header row."),
    skip_bad_rows: bool = typer.Option(
        False, "--skip-bad-rows", help="Import the good rows, report the bad ones."
    ),
    db: str | None = DB_OPTION,
) -> None:
    """Import customers (customer_id, name, phone, email, tier, notes), mapped by header."""
    if not file.is_file():
        fail(f"{file}: no such file")
    import asyncio

    from cdr import Database, ensure_current, import_customers

    url = db_url(db)

    async def run() -> ImportResult:
        async with Database(url) as database:
            await ensure_current(database)
            return await import_customers(database, file, skip_bad_rows=skip_bad_rows)

    try:
        result = asyncio.run(run())
    except DatabaseBehindError as exc:
        fail(str(exc), code=1)
    except CustomerImportError as exc:
        fail(str(exc))
    except CdrError as exc:
        fail(str(exc))
    for row, reason in result.skipped:
        typer.echo(f"skipped row {row}: {reason}", err=True)
    typer.echo(f"imported {result.imported} customers, skipped {len(result.skipped)} bad rows")
