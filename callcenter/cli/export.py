"""`callcenter export queue-log|master-csv`: our call records in Asterisk's own file formats."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from callcenter.cli.app import app
from callcenter.cli.dbopts import DB_OPTION, db_url, fail, period
from cdr import CdrError, DatabaseBehindError

if TYPE_CHECKING:
    from cdr import Database

export_app = typer.Typer(help="Export call records in Asterisk's formats.", no_args_is_help=True)
app.add_typer(export_app, name="export")

FROM = typer.Option(None, "--from", help="Start, YYYY-MM-DD[THH:MM]; default 30 days ago.")
TO = typer.Option(None, "--to", help="End (exclusive; a bare date includes the day).")
OUTPUT = typer.Option(None, "--output", "-o", help="File to write; default stdout.")


def _export(
    source: Callable[[Database, float, float], AsyncIterator[str]],
    start: str | None,
    end: str | None,
    output: Path | None,
    db: str | None,
) -> int:
    frm, to = period(start, end)
    import asyncio

    from cdr import Database, ensure_current

    url = db_url(db)

    async def run(handle: TextIO) -> int:
        lines = 0
        async with Database(url) as database:
            await ensure_current(database)
            async for chunk in source(database, frm, to):
                await asyncio.to_thread(handle.write, chunk)
                lines += chunk.count("\n")
        return lines

    try:
        if output is None:
            return asyncio.run(run(sys.stdout))
        with output.open("w", newline="") as handle:
            return asyncio.run(run(handle))
    except DatabaseBehindError as exc:
        fail(str(exc), code=1)
    except CdrError as exc:
        fail(str(exc))


@export_app.command("queue-log")
def export_queue_log(
    start: str | None = FROM,
    end: str | None = TO,
    output: Path | None = OUTPUT,
    db: str | None = DB_OPTION,
) -> None:
    """Asterisk queue_log lines (ENTERQUEUE, CONNECT, COMPLETE*, ABANDON, PAUSE, ...)."""
    from cdr import queue_log

    lines = _export(queue_log, start, end, output, db)
    if output is not None:
        typer.echo(f"wrote {lines} queue_log lines to {output}", err=True)


@export_app.command("master-csv")
def export_master_csv(
    start: str | None = FROM,
    end: str | None = TO,
    output: Path | None = OUTPUT,
    db: str | None = DB_OPTION,
    time_zone: str = typer.Option(
        "UTC", "--time-zone", help="Zone of the date columns (cdr_csv writes the PBX's local"
        " time unless usegmtime=yes), e.g. Asia/Shanghai."),
) -> None:
    """CDRs in Asterisk's Master.csv column order (cdr_csv)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"--time-zone: expected an IANA zone such as Asia/Shanghai, got {time_zone!r}")
    from cdr import master_csv

    def in_zone(database: Database, frm: float, to: float) -> AsyncIterator[str]:
        return master_csv(database, frm, to, zone)

    lines = _export(in_zone, start, end, output, db)
    if output is not None:
        typer.echo(f"wrote {lines} CDR lines to {output}", err=True)
