"""KPIs computed in the database: GROUP BY queries that return counts and sums per group,
fed to the formulas in `cdr.kpis`. Rows are never loaded into Python one call at a time.

Every value reaches the SQL as a bound parameter; the SQL itself is built by SQLAlchemy Core,
with the few dialect differences (bucketing by month, floor) chosen here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Table,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement as AnyColumn

from cdr import kpis
from cdr.errors import ReportInputError
from cdr.kpis import AgentTally, CallTally, ServiceLevelDefinition
from cdr.records import AgentActivity, Outcome
from cdr.reports.grouping import GroupBy as GroupBy
from cdr.store import rollup, tally
from cdr.store.db import Database
from cdr.store.schema import AgentStateRow, CallRow

calls = CallRow.__table__.c
states = AgentStateRow.__table__.c

WEEK_ORIGIN_S = 4 * 86400.0  # 1970-01-05 was a Monday: ISO weeks start there


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """Which calls a report covers: arrivals in [start, end) (epoch seconds), optional filters.

    An agent filter keeps the calls those agents handled (abandons have no agent).
    """

    start: float
    end: float
    queues: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    call_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ReportInputError(
                f"report period: expected --from before --to, got {self.start} >= {self.end}"
            )


@dataclass(frozen=True, slots=True)
class KpiSettings:
    """The thresholds KPIs depend on; a report prints them."""

    target_s: float = kpis.DEFAULT_TARGET_S
    short_abandon_s: float = kpis.DEFAULT_SHORT_ABANDON_S
    fcr_window_s: float = kpis.DEFAULT_FCR_WINDOW_S
    definition: ServiceLevelDefinition = ServiceLevelDefinition.OFFERED
    interval_s: float = 900.0
    utc_offset_s: float = 0.0  # bucket days/months in this fixed offset from UTC


@dataclass(slots=True)
class GroupTallies:
    """Everything the database returned for one group."""

    key: str
    call: CallTally = field(default_factory=CallTally)
    agent: AgentTally | None = None
    wait_histogram: dict[int, int] = field(default_factory=dict)
    pause_by_reason: dict[str, float] = field(default_factory=dict)


def _num(value: Any) -> float:
    return float(value) if value is not None else 0.0


def _int(value: Any) -> int:
    return int(value) if value is not None else 0


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


def _sum_if(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.sum(case((condition, value), else_=0.0))


def _floor(dialect: str, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """floor(value) as an integer. SQLite's floor() is an optional build feature, so there the
    value is truncated, which is the floor for the non-negative values used here."""
    if dialect == "sqlite":
        return cast(value, BigInteger)
    return cast(func.floor(value), BigInteger)


def bucket_key(
    by: GroupBy, dialect: str, settings: KpiSettings, column: AnyColumn[Any]
) -> ColumnElement[Any]:
    """The SQL expression naming a row's group: a bucket start (epoch s) or a text label."""
    shifted = column + literal(settings.utc_offset_s)
    if by in (GroupBy.MONTH, GroupBy.YEAR):
        if dialect == "sqlite":
            fmt = "%Y-%m" if by is GroupBy.MONTH else "%Y"
            return func.strftime(literal(fmt), shifted, literal("unixepoch"))
        fmt = "YYYY-MM" if by is GroupBy.MONTH else "YYYY"
        return func.to_char(func.timezone(literal("UTC"), func.to_timestamp(shifted)), fmt)
    width, origin = {
        GroupBy.INTERVAL: (settings.interval_s, 0.0),
        GroupBy.HOUR: (3600.0, 0.0),
        GroupBy.DAY: (86400.0, 0.0),
        GroupBy.WEEK: (7 * 86400.0, WEEK_ORIGIN_S),
    }[by]
    # floor((t + offset - origin) / width) * width + origin - offset: the bucket start in UTC
    steps = _floor(dialect, (shifted - literal(origin)) / literal(width))
    return steps * literal(width) + literal(origin - settings.utc_offset_s)


def _call_key(by: GroupBy, dialect: str, settings: KpiSettings) -> ColumnElement[Any]:
    if by is GroupBy.QUEUE:
        return func.coalesce(calls.queue, literal("(none)"))
    if by is GroupBy.AGENT:
        return func.coalesce(calls.agent_id, literal("(no agent)"))
    if by is GroupBy.CALL_TYPE:
        return func.coalesce(calls.call_type, literal("(none)"))
    return bucket_key(by, dialect, settings, calls.arrived_at)


def _call_where(flt: ReportFilter, scan: bool = False) -> list[ColumnElement[bool]]:
    # `arrived_at + 0` hides the index from SQLite's planner: when the period covers most of
    # the table, reading it straight through beats an index lookup per row by about 2x.
    arrived = calls.arrived_at + literal(0.0) if scan else calls.arrived_at
    where: list[ColumnElement[bool]] = [
        arrived >= flt.start,
        arrived < flt.end,
        calls.enqueued_at.is_not(None),  # offered = reached a queue
    ]
    if flt.queues:
        where.append(calls.queue.in_(flt.queues))
    if flt.agents:
        where.append(calls.agent_id.in_(flt.agents))
    if flt.call_types:
        where.append(calls.call_type.in_(flt.call_types))
    return where


def _key_text(value: Any) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return repr(float(value))
    return str(value)


async def _prefer_scan(db: Database, flt: ReportFilter) -> bool:
    """True on SQLite when the period covers over a quarter of the calls' time span."""
    if db.dialect != "sqlite":
        return False  # PostgreSQL's planner has the statistics to choose by itself
    async with db.engine.connect() as conn:
        low, high = (
            await conn.execute(select(func.min(calls.arrived_at), func.max(calls.arrived_at)))
        ).one()
    if low is None or high is None or high <= low:
        return False
    covered = min(flt.end, high) - max(flt.start, low)
    return bool(covered / (high - low) > 0.25)


def rollup_table(flt: ReportFilter, by: GroupBy, settings: KpiSettings) -> Table | None:
    """The interval roll-up that answers this report exactly, or None: read the raw calls.

    The roll-ups hold the default thresholds, per 15 minutes (UTC), per queue and call type or
    per agent; the period, the time buckets and the filters must fall on what they keep.
    """
    step = tally.ROLLUP_INTERVAL_S
    if (
        settings.target_s != tally.ROLLUP_TARGET_S
        or settings.short_abandon_s != tally.ROLLUP_SHORT_ABANDON_S
        or settings.fcr_window_s != tally.ROLLUP_FCR_WINDOW_S
        or flt.start % step
        or flt.end % step
        or (by.is_time and settings.utc_offset_s % step)
        or (by is GroupBy.INTERVAL and settings.interval_s % step)
    ):
        return None
    return _by_agent_or_queue(flt, by, rollup.AGENT_INTERVALS, rollup.QUEUE_INTERVALS)


def _by_agent_or_queue(
    flt: ReportFilter, by: GroupBy, agent_table: Table, queue_table: Table
) -> Table | None:
    if by is GroupBy.AGENT or flt.agents:
        if flt.queues or flt.call_types or by in (GroupBy.QUEUE, GroupBy.CALL_TYPE):
            return None  # agents by queue: only the raw calls have both
        return agent_table
    return queue_table


def wait_bins_table(flt: ReportFilter, by: GroupBy, settings: KpiSettings) -> Table | None:
    """The daily wait histogram that answers this report exactly, or None: read the raw calls.

    Needs whole UTC days, and time buckets of days or longer (weeks start on a day)."""
    day = tally.WAIT_BINS_DAY_S
    if flt.start % day or flt.end % day:
        return None
    if by.is_time and (by in (GroupBy.INTERVAL, GroupBy.HOUR) or settings.utc_offset_s % day):
        return None
    return _by_agent_or_queue(flt, by, rollup.AGENT_WAIT_BINS, rollup.QUEUE_WAIT_BINS)


def _named(column: ColumnElement[Any], none: str) -> ColumnElement[Any]:
    return case((column == tally.NONE_KEY, literal(none)), else_=column)


def _rollup_key_where(
    table: Table, flt: ReportFilter, by: GroupBy, dialect: str, settings: KpiSettings
) -> tuple[ColumnElement[Any], list[ColumnElement[bool]]]:
    """A roll-up's group key (as `_call_key` names it) and the filter's conditions."""
    c = table.c
    start = c.interval_start if "interval_start" in c else c.day_start
    key: ColumnElement[Any]
    if by is GroupBy.QUEUE:
        key = _named(c.queue, "(none)")
    elif by is GroupBy.AGENT:
        key = _named(c.agent_id, "(no agent)")
    elif by is GroupBy.CALL_TYPE:
        key = _named(c.call_type, "(none)")
    else:
        key = bucket_key(by, dialect, settings, start)
    where: list[ColumnElement[bool]] = [start >= flt.start, start < flt.end]
    for values, name in (
        (flt.queues, "queue"),
        (flt.call_types, "call_type"),
        (flt.agents, "agent_id"),
    ):
        if values:
            where.append(c[name].in_(values))
    return key.label("k"), where


def _rollup_stmt(
    table: Table, flt: ReportFilter, by: GroupBy, dialect: str, settings: KpiSettings
) -> Select[Any]:
    c = table.c
    key, where = _rollup_key_where(table, flt, by, dialect, settings)
    sums = [
        func.max(c[name]) if name == "max_wait_s" else func.sum(c[name])
        for name in tally.TALLY_COLUMNS
    ]
    return select(key, *sums).where(*where).group_by(key)


async def call_tallies(
    db: Database,
    flt: ReportFilter,
    by: GroupBy,
    settings: KpiSettings,
    *,
    rollups: bool = True,
) -> dict[str, GroupTallies]:
    """Call counts and sums per group, FCR included (one GROUP BY), plus wait histograms.

    From the interval roll-ups when they answer the report (`rollup_table`), else from the
    raw calls (always with `rollups=False`); the figures are the same either way.
    """
    scan = await _prefer_scan(db, flt)
    table = rollup_table(flt, by, settings) if rollups else None
    stmt: Select[Any]
    if table is not None:
        stmt = _rollup_stmt(table, flt, by, db.dialect, settings)
    else:
        key = _call_key(by, db.dialect, settings).label("k")
        tallies = rollup.call_tally_columns(
            settings.target_s, settings.short_abandon_s, settings.fcr_window_s
        )
        stmt = select(key, *tallies.values()).where(*_call_where(flt, scan)).group_by(key)
    bins = wait_bins_table(flt, by, settings) if rollups else None
    hist_stmt: Select[Any]
    if bins is not None:
        hist_key, where = _rollup_key_where(bins, flt, by, db.dialect, settings)
        hist_stmt = (
            select(hist_key, bins.c.bin, func.sum(bins.c.waited))
            .where(*where)
            .group_by(hist_key, bins.c.bin)
        )
    else:
        left_queue = or_(calls.answered_at.is_not(None), calls.outcome == Outcome.ABANDONED.value)
        hist_bin = _floor(db.dialect, calls.wait_s / literal(kpis.WAIT_BIN_S))
        hist_key = _call_key(by, db.dialect, settings).label("k")
        hist_stmt = (
            select(hist_key, hist_bin.label("b"), func.count())
            .where(*_call_where(flt, scan), left_queue)
            .group_by(hist_key, hist_bin)
        )
    groups: dict[str, GroupTallies] = {}
    async with db.engine.connect() as conn:
        for row in await conn.execute(stmt):
            name = _key_text(row[0])
            groups[name] = GroupTallies(name, tally.tally_of(row[1:]))
        for row in await conn.execute(hist_stmt):
            group = groups.get(_key_text(row[0]))
            if group is not None:
                group.wait_histogram[int(row[1])] = _int(row[2])
    return groups


async def agent_tallies(
    db: Database, flt: ReportFilter, by: GroupBy, settings: KpiSettings
) -> dict[str, tuple[AgentTally, dict[str, float]]]:
    """Agent time per group from the agent state spans that start in the period.

    The writer stores spans cut at 15-minute boundaries, so agent time lands in the right
    interval, hour, day, ... (for intervals that are multiples of 15 minutes). Grouping by
    queue or call type has no agent time (an agent's idle time belongs to no queue): the
    result is empty then.
    """
    if by in (GroupBy.QUEUE, GroupBy.CALL_TYPE):
        return {}
    if by is GroupBy.AGENT:
        key: ColumnElement[Any] = states.agent_id
    else:
        key = bucket_key(by, db.dialect, settings, states.start)
    key = key.label("k")
    length = states.end - states.start
    # As for calls: read the table straight through when the period covers most of it.
    start = states.start + literal(0.0) if await _prefer_scan(db, flt) else states.start
    where: list[ColumnElement[bool]] = [start >= flt.start, start < flt.end]
    if flt.agents:
        where.append(states.agent_id.in_(flt.agents))
    stmt = (
        select(key, states.activity, states.reason, func.sum(length))
        .where(*where)
        .group_by(key, states.activity, states.reason)
    )
    handling = {
        AgentActivity.RESERVED.value,
        AgentActivity.ON_CALL.value,
        AgentActivity.WRAP_UP.value,
    }
    out: dict[str, tuple[AgentTally, dict[str, float]]] = defaultdict(lambda: (AgentTally(), {}))
    async with db.engine.connect() as conn:
        for row in await conn.execute(stmt):
            tally, reasons = out[_key_text(row[0])]
            seconds = _num(row[3])
            tally.logged_in_s += seconds
            if row[1] == AgentActivity.AVAILABLE.value:
                tally.available_s += seconds
            elif row[1] == AgentActivity.PAUSED.value:
                tally.paused_s += seconds
                reason = row[2] or "(none)"
                reasons[reason] = reasons.get(reason, 0.0) + seconds
            elif row[1] in handling:
                tally.handling_s += seconds
    return dict(out)


async def known_values(db: Database, column: str, wanted: Sequence[str]) -> set[str]:
    """Which of `wanted` occur in calls.<column> (queue, agent_id or call_type)."""
    col = {"queue": calls.queue, "agent_id": calls.agent_id, "call_type": calls.call_type}[column]
    stmt = select(col).where(col.in_(list(wanted))).distinct()
    async with db.engine.connect() as conn:
        found = {str(v) for v in (await conn.execute(stmt)).scalars()}
    if column == "agent_id" and len(found) < len(set(wanted)):
        agent_stmt = select(states.agent_id).where(states.agent_id.in_(list(wanted))).distinct()
        async with db.engine.connect() as conn:
            found |= {str(v) for v in (await conn.execute(agent_stmt)).scalars()}
    return found


async def distinct_values(db: Database, column: str, limit: int = 20) -> list[str]:
    """Up to `limit` distinct values of calls.<column>, sorted (for error messages)."""
    col = {"queue": calls.queue, "agent_id": calls.agent_id, "call_type": calls.call_type}[column]
    stmt = select(col).where(col.is_not(None)).distinct().order_by(col).limit(limit)
    async with db.engine.connect() as conn:
        return [str(v) for v in (await conn.execute(stmt)).scalars()]


async def validate_filter(db: Database, flt: ReportFilter) -> None:
    """Raise ReportInputError naming any queue, agent or call type the database never saw."""
    for column, wanted, label in (
        ("queue", flt.queues, "queue"),
        ("agent_id", flt.agents, "agent"),
        ("call_type", flt.call_types, "call type"),
    ):
        if not wanted:
            continue
        missing = sorted(set(wanted) - await known_values(db, column, wanted))
        if missing:
            known = await distinct_values(db, column)
            raise ReportInputError(
                f"unknown {label} {', '.join(repr(m) for m in missing)}; "
                f"known: {', '.join(known) or '(none)'}"
            )


async def abandon_histogram(db: Database, flt: ReportFilter) -> dict[int, int]:
    """Abandoned calls by whole seconds waited (the abandon curve)."""
    b = _floor(db.dialect, calls.wait_s / literal(kpis.WAIT_BIN_S)).label("b")
    stmt = (
        select(b, func.count())
        .where(*_call_where(flt), calls.outcome == Outcome.ABANDONED.value)
        .group_by(b)
    )
    async with db.engine.connect() as conn:
        return {int(row[0]): _int(row[1]) for row in await conn.execute(stmt)}
