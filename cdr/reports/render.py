"""Reports as a terminal table (rich), CSV and JSON. One column list serves all three."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from cdr.kpis import ServiceLevelDefinition
from cdr.reports.report import Report, ReportRow

SL_NAMES = {
    ServiceLevelDefinition.OFFERED: "answered within {t} s / offered",
    ServiceLevelDefinition.ANSWERED: "answered within {t} s / answered",
    ServiceLevelDefinition.EXCLUDE_SHORT_ABANDONS: (
        "answered within {t} s / (offered - abandons under {s} s)"
    ),
}


@dataclass(frozen=True, slots=True)
class Column:
    """A report column: machine name, header, how to read it from a row, unit for display."""

    name: str
    header: str
    get: Callable[[ReportRow], float | int | None]
    unit: str  # "n", "%", "s", "score", "pts", "/h"


COLUMNS: tuple[Column, ...] = (
    Column("offered", "Offered", lambda r: r.calls.offered, "n"),
    Column("answered", "Answered", lambda r: r.calls.answered, "n"),
    Column("abandoned", "Aband.", lambda r: r.calls.abandoned, "n"),
    Column("service_level", "SL", lambda r: r.calls.service_level, "%"),
    Column("abandon_rate", "Aband.%", lambda r: r.calls.abandon_rate, "%"),
    Column("asa_s", "ASA", lambda r: r.calls.asa_s, "s"),
    Column("avg_wait_s", "Avg wait", lambda r: r.calls.avg_wait_s, "s"),
    Column("p90_wait_s", "p90 wait", lambda r: r.calls.p90_wait_s, "s"),
    Column("max_wait_s", "Max wait", lambda r: r.calls.max_wait_s, "s"),
    Column("aht_s", "AHT", lambda r: r.calls.aht_s, "s"),
    Column("avg_talk_s", "Talk", lambda r: r.calls.avg_talk_s, "s"),
    Column("avg_wrap_up_s", "ACW", lambda r: r.calls.avg_wrap_up_s, "s"),
    Column("transfer_rate", "Transf.", lambda r: r.calls.transfer_rate, "%"),
    Column("fcr", "FCR", lambda r: r.calls.fcr, "%"),
    Column("csat_mean", "CSAT", lambda r: r.calls.csat_mean, "score"),
    Column("csat_satisfied", "CSAT 4-5", lambda r: r.calls.csat_satisfied, "%"),
    Column("nps", "NPS", lambda r: r.calls.nps, "pts"),
    Column("occupancy", "Occ.", lambda r: r.agents.occupancy if r.agents else None, "%"),
    Column("utilization", "Util.", lambda r: r.agents.utilization if r.agents else None, "%"),
    Column(
        "calls_per_hour", "Calls/h", lambda r: r.agents.calls_per_hour if r.agents else None, "/h"
    ),
    Column("logged_in_s", "Logged in", lambda r: r.agents.logged_in_s if r.agents else None, "s"),
    Column("paused_s", "Paused", lambda r: r.agents.paused_s if r.agents else None, "s"),
    # Added with the announcement's own segment (0008): after the older columns, for readers
    # of the CSV by position.
    Column("avg_announcement_s", "Announce", lambda r: r.calls.avg_announcement_s, "s"),
    Column("announcement_hangups", "Ann. hang-ups", lambda r: r.calls.announcement_hangups, "n"),
)


def columns_of(report: Report) -> list[Column]:
    """The report's columns: the standard ones plus its extra (application) columns."""
    extra = [
        Column(name, name.replace("_", " "), _extra_getter(name), _unit_of(name))
        for name in report.extra_columns
    ]
    return [*COLUMNS, *extra]


def _extra_getter(name: str) -> Callable[[ReportRow], float | None]:
    return lambda row: row.extra.get(name)


def _unit_of(name: str) -> str:
    if name.endswith("_s"):
        return "s"
    if name.endswith("agents"):
        return "score"  # a fractional count, two decimals
    return "%"


def describe(report: Report) -> str:
    """One line saying what the report shows and how service level is defined."""
    s = report.settings
    sl = SL_NAMES[s.definition].format(t=f"{s.target_s:g}", s=f"{s.short_abandon_s:g}")
    return (
        f"by {report.by.value}; service level = {sl}; abandon rate excludes abandons under "
        f"{s.short_abandon_s:g} s; FCR window {s.fcr_window_s / 3600:g} h"
    )


def fmt(value: float | int | None, unit: str) -> str:
    """A value for display: '-' for undefined, percentages from fractions."""
    if value is None:
        return "-"
    if unit == "n":
        return f"{int(value)}"
    if unit == "%":
        return f"{100 * value:.1f}%"
    if unit == "s":
        return f"{value:.1f}"
    if unit == "pts":
        return f"{value:+.0f}"
    return f"{value:.2f}"


def to_table(report: Report, console: Console, *, title: str | None = None) -> None:
    """Print the report as a rich table (times in seconds)."""
    cols = columns_of(report)
    table = Table(title=title, caption=describe(report), show_lines=False)
    table.add_column(report.by.value, no_wrap=True)
    for col in cols:
        table.add_column(col.header, justify="right")
    for row in [*report.rows, report.total]:
        table.add_row(
            row.label,
            *(fmt(col.get(row), col.unit) for col in cols),
            style="bold" if row is report.total else None,
        )
    console.print(table)


def _plain(value: float | int | None) -> float | int | None:
    if isinstance(value, float):
        return round(value, 6)
    return value


def to_csv(report: Report) -> str:
    """The report as CSV: one header line, one line per row and the total; fractions 0..1."""
    cols = columns_of(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([report.by.value, "start_epoch_s", *(c.name for c in cols)])
    for row in [*report.rows, report.total]:
        writer.writerow(
            [
                row.label,
                "" if row.start is None else f"{row.start:.0f}",
                *("" if (v := c.get(row)) is None else _plain(v) for c in cols),
            ]
        )
    return out.getvalue()


def to_json(report: Report) -> str:
    """The report as JSON with its settings; fractions 0..1, times in seconds, null: undefined."""
    cols = columns_of(report)
    s = report.settings

    def row_json(row: ReportRow) -> dict[str, Any]:
        return {
            "key": row.label,
            "start_epoch_s": row.start,
            **{c.name: _plain(c.get(row)) for c in cols},
            "pause_by_reason_s": {k: round(v, 3) for k, v in sorted(row.pause_by_reason.items())},
        }

    doc = {
        "schema": "callcenter.report/1",
        "by": report.by.value,
        "from_epoch_s": report.filter.start,
        "to_epoch_s": report.filter.end,
        "filters": {
            "queues": list(report.filter.queues),
            "agents": list(report.filter.agents),
            "call_types": list(report.filter.call_types),
        },
        "settings": {
            "service_level_definition": s.definition.value,
            "target_s": s.target_s,
            "short_abandon_s": s.short_abandon_s,
            "fcr_window_s": s.fcr_window_s,
            "interval_s": s.interval_s,
        },
        "description": describe(report),
        "rows": [row_json(r) for r in report.rows],
        "total": row_json(report.total),
    }
    return json.dumps(doc, indent=2)
