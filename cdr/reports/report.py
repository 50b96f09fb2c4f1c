"""A KPI report: rows per interval, day, ..., queue, agent or call type, plus the total.

`build_report` runs the GROUP BY queries of `cdr.reports.aggregate` and applies the formulas of
`cdr.kpis`; rendering lives in `cdr.reports.render` and `cdr.reports.html_report`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from cdr.kpis import (
    AgentKpis,
    AgentTally,
    CallKpis,
    CallTally,
    agent_kpis,
    call_kpis,
    merge_agent_tallies,
    merge_call_tallies,
    merge_histograms,
)
from cdr.reports.aggregate import (
    GroupBy,
    GroupTallies,
    KpiSettings,
    ReportFilter,
    abandon_histogram,
    agent_tallies,
    call_tallies,
    validate_filter,
)
from cdr.store.db import Database


@dataclass(slots=True)
class ReportRow:
    """One group of a report: its label, tallies and KPIs. `extra` holds columns added by the
    application (e.g. what Erlang A predicts), by name."""

    key: str
    label: str
    start: float | None  # bucket start, epoch seconds, for time groupings
    tally: CallTally
    calls: CallKpis
    agent_tally: AgentTally | None
    agents: AgentKpis | None
    wait_histogram: dict[int, int]
    pause_by_reason: dict[str, float]
    extra: dict[str, float | None] = field(default_factory=dict)


@dataclass(slots=True)
class Report:
    """A whole report: what it covers, how it was computed, its rows and total."""

    by: GroupBy
    filter: ReportFilter
    settings: KpiSettings
    rows: list[ReportRow]
    total: ReportRow
    abandon_histogram: dict[int, int]
    per_agent: list[ReportRow]  # agent occupancy, for the HTML report's chart
    extra_columns: list[str] = field(default_factory=list)


def bucket_label(by: GroupBy, start: float, utc_offset_s: float = 0.0) -> str:
    """A human label for a time bucket starting at `start` (epoch seconds)."""
    zone = UTC if utc_offset_s == 0 else timezone(timedelta(seconds=utc_offset_s))
    moment = datetime.fromtimestamp(start, zone)
    if by in (GroupBy.INTERVAL, GroupBy.HOUR):
        return moment.strftime("%Y-%m-%d %H:%M")
    if by is GroupBy.DAY:
        return moment.strftime("%Y-%m-%d")
    if by is GroupBy.WEEK:
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    return moment.isoformat()


def _row(
    key: str,
    by: GroupBy | None,
    settings: KpiSettings,
    call_group: GroupTallies | None,
    agent_group: tuple[AgentTally, dict[str, float]] | None,
) -> ReportRow:
    tally = call_group.call if call_group else CallTally()
    histogram = call_group.wait_histogram if call_group else {}
    start: float | None = None
    label = key
    if by is not None and by.is_time and by not in (GroupBy.MONTH, GroupBy.YEAR):
        start = float(key)
        label = bucket_label(by, start, settings.utc_offset_s)
    agent_tally: AgentTally | None = None
    reasons: dict[str, float] = {}
    if agent_group is not None:
        agent_tally, reasons = agent_group
        agent_tally.handled = tally.handled
    return ReportRow(
        key=key,
        label=label,
        start=start,
        tally=tally,
        calls=call_kpis(
            tally,
            target_s=settings.target_s,
            definition=settings.definition,
            wait_histogram=histogram,
        ),
        agent_tally=agent_tally,
        agents=agent_kpis(agent_tally) if agent_tally is not None else None,
        wait_histogram=histogram,
        pause_by_reason=reasons,
    )


def _sort_key(by: GroupBy, key: str) -> tuple[float, str]:
    if by.is_time and by not in (GroupBy.MONTH, GroupBy.YEAR):
        return (float(key), "")
    return (0.0, key)


async def _call_and_agent_tallies(
    db: Database, flt: ReportFilter, by: GroupBy, settings: KpiSettings
) -> tuple[dict[str, GroupTallies], dict[str, tuple[AgentTally, dict[str, float]]]]:
    """Both halves of a report, read side by side on two connections (the database works
    on both at once)."""
    return await asyncio.gather(
        call_tallies(db, flt, by, settings), agent_tallies(db, flt, by, settings)
    )


async def build_report(
    db: Database,
    flt: ReportFilter,
    by: GroupBy,
    settings: KpiSettings | None = None,
    *,
    details: bool = False,
) -> Report:
    """Compute the report. `details` adds the abandon curve and per-agent occupancy (HTML).

    Raises ReportInputError for an unknown queue, agent or call type in the filter.
    """
    settings = settings or KpiSettings()
    await validate_filter(db, flt)
    groups, agent_groups = await _call_and_agent_tallies(db, flt, by, settings)
    keys = sorted(set(groups) | set(agent_groups), key=lambda k: _sort_key(by, k))
    rows = [_row(k, by, settings, groups.get(k), agent_groups.get(k)) for k in keys]
    total_agent: tuple[AgentTally, dict[str, float]] | None = None
    if agent_groups:
        reasons: dict[str, float] = {}
        for _tally, by_reason in agent_groups.values():
            for reason, seconds in by_reason.items():
                reasons[reason] = reasons.get(reason, 0.0) + seconds
        total_agent = (merge_agent_tallies([t for t, _r in agent_groups.values()]), reasons)
    total_calls = GroupTallies(
        "total",
        merge_call_tallies([g.call for g in groups.values()]),
        wait_histogram=merge_histograms([g.wait_histogram for g in groups.values()]),
    )
    total = _row("total", None, settings, total_calls, total_agent)
    total.label = "total"
    abandons: dict[int, int] = {}
    per_agent: list[ReportRow] = []
    if details:
        abandons = await abandon_histogram(db, flt)
        if by is GroupBy.AGENT:
            per_agent = [r for r in rows if r.agents is not None]
        else:
            agent_calls, agent_time = await _call_and_agent_tallies(
                db, flt, GroupBy.AGENT, settings
            )
            per_agent = [
                _row(k, GroupBy.AGENT, settings, agent_calls.get(k), agent_time[k])
                for k in sorted(agent_time)
            ]
    return Report(by, flt, settings, rows, total, abandons, per_agent)
