"""`callcenter report`: KPIs by interval, day, ..., queue or agent as a table, CSV, JSON or an
HTML page with charts. Bad input (dates, filters) exits with code 2 and says why."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from callcenter.cli.app import app
from callcenter.cli.dbopts import DB_OPTION, db_url, fail, period, warn
from cdr import CdrError, DatabaseBehindError, GroupBy, ReportInputError, ServiceLevelDefinition

if TYPE_CHECKING:
    from cdr import Report


class ReportFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    HTML = "html"


@app.command("report")
def report(
    start: str | None = typer.Option(
        None,
        "--from",
        help="Start, YYYY-MM-DD[THH:MM[:SS]][+HH:MM] (UTC if no offset). "
        "Default: 30 days before --to.",
    ),
    end: str | None = typer.Option(
        None, "--to", help="End (exclusive; a bare date includes that day). Default: now."
    ),
    by: GroupBy = typer.Option(GroupBy.DAY, "--by", help="What each row is."),
    fmt: ReportFormat = typer.Option(ReportFormat.TABLE, "--format", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    queue: list[str] = typer.Option([], "--queue", help="Only these queues (repeatable)."),
    agent: list[str] = typer.Option([], "--agent", help="Only calls these agents handled."),
    call_type: list[str] = typer.Option([], "--call-type", help="Only these call types."),
    target: float = typer.Option(20.0, "--target", min=0.0, help="Service-level target, s."),
    short_abandon: float = typer.Option(
        5.0, "--short-abandon", min=0.0, help="Abandons under this many seconds are short, s."
    ),
    sl_definition: ServiceLevelDefinition = typer.Option(
        ServiceLevelDefinition.OFFERED,
        "--sl-definition",
        help="Service level over offered, answered, or offered minus short abandons.",
    ),
    fcr_window_h: float = typer.Option(
        24.0, "--fcr-window-h", min=0.0, help="Repeat-call window for FCR, hours."
    ),
    interval_min: int = typer.Option(
        15, "--interval-min", min=1, max=1440, help="Interval length for --by interval, minutes."
    ),
    erlang: bool = typer.Option(
        True,
        "--erlang/--no-erlang",
        help="With --by interval or hour: add what Erlang A predicts for the measured traffic.",
    ),
    db: str | None = DB_OPTION,
) -> None:
    """KPIs from the call records: service level, abandons, ASA, AHT, FCR, CSAT, NPS, occupancy."""
    frm, to = period(start, end)
    import asyncio

    from callcenter.reporting import add_erlang_a
    from cdr import Database, KpiSettings, ReportFilter, build_report, ensure_current

    try:
        flt = ReportFilter(frm, to, tuple(queue), tuple(agent), tuple(call_type))
    except ReportInputError as exc:
        fail(str(exc))
    settings = KpiSettings(
        target_s=target,
        short_abandon_s=short_abandon,
        fcr_window_s=fcr_window_h * 3600.0,
        definition=sl_definition,
        interval_s=interval_min * 60.0,
    )
    url = db_url(db)

    async def run() -> Report:
        async with Database(url) as database:
            await ensure_current(database)
            return await build_report(database, flt, by, settings, details=fmt is ReportFormat.HTML)

    try:
        result = asyncio.run(run())
    except DatabaseBehindError as exc:
        fail(str(exc), code=1)
    except ReportInputError as exc:
        fail(str(exc))
    except CdrError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"database {url} unreachable: {exc}", code=1)
    if erlang and not add_erlang_a(result) and by in (GroupBy.INTERVAL, GroupBy.HOUR):
        warn("no Erlang A columns")
    if not result.rows:
        warn("no calls in this period")
    if fmt is ReportFormat.TABLE:
        from rich.console import Console

        from cdr import to_table

        if output is not None:
            with output.open("w") as handle:
                to_table(result, Console(file=handle, width=250), title="Call center report")
        else:
            to_table(result, Console(), title="Call center report")
        return
    if fmt is ReportFormat.HTML:  # matplotlib: only for the page with charts
        from cdr import to_html

        text = to_html(result)
    else:
        from cdr import to_csv, to_json

        text = {ReportFormat.CSV: to_csv, ReportFormat.JSON: to_json}[fmt](result)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
        typer.echo(f"wrote {output}", err=True)
