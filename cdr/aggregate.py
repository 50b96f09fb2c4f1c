"""KPIs computed in the database: GROUP BY queries that return counts and sums per group,
fed to the formulas in `cdr.kpis`. Rows are never loaded into Python one call at a time.

Every value reaches the SQL as a bound parameter; the SQL itself is built by SQLAlchemy Core,
with the few dialect differences (bucketing by month, floor) chosen here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement as AnyColumn

from cdr import kpis
from cdr.db import Database
from cdr.errors import ReportInputError
from cdr.kpis import AgentTally, CallTally, ServiceLevelDefinition
from cdr.records import AgentActivity, Outcome
from cdr.schema import AgentStateRow, CallRow

calls = CallRow.__table__.c
states = AgentStateRow.__table__.c

WEEK_ORIGIN_S = 4 * 86400.0  # 1970-01-05 was a Monday: ISO weeks start there


class GroupBy(StrEnum):
    """What a report's rows are."""

    INTERVAL = "interval"  # KpiSettings.interval_s, 15 minutes by default
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    QUEUE = "queue"
    AGENT = "agent"
    CALL_TYPE = "call-type"

    @property
    def is_time(self) -> bool:
        """True when rows are time buckets."""
        return self not in (GroupBy.QUEUE, GroupBy.AGENT, GroupBy.CALL_TYPE)


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


async def call_tallies(
    db: Database, flt: ReportFilter, by: GroupBy, settings: KpiSettings
) -> dict[str, GroupTallies]:
    """Call counts and sums per group, FCR included (one GROUP BY), plus wait histograms."""
    scan = await _prefer_scan(db, flt)
    key = _call_key(by, db.dialect, settings).label("k")
    answered = calls.answered_at.is_not(None)
    abandoned = calls.outcome == Outcome.ABANDONED.value
    left_queue = or_(answered, abandoned)
    handled = and_(answered, calls.agent_id.is_not(None))
    # FCR: an answered call of a known customer is resolved unless the same customer calls
    # again within the window after it (any inbound call, also after the period's end). One
    # probe of the (customer_id, arrived_at) index per eligible call; the nested CASE keeps
    # the probe off the other rows.
    fcr_eligible = and_(answered, calls.customer_id.is_not(None))
    later = CallRow.__table__.alias("later")
    repeat = (
        select(literal(1))
        .where(
            later.c.customer_id == calls.customer_id,
            later.c.arrived_at > calls.arrived_at,
            later.c.arrived_at <= calls.arrived_at + settings.fcr_window_s,
        )
        .exists()
    )
    stmt = (
        select(
            key,
            func.count(),
            _count_if(answered),
            _count_if(abandoned),
            _count_if(and_(abandoned, calls.wait_s < settings.short_abandon_s)),
            _count_if(and_(answered, calls.wait_s <= settings.target_s)),
            _count_if(handled),
            _count_if(and_(answered, calls.transferred)),
            _sum_if(answered, calls.wait_s),
            _sum_if(left_queue, calls.wait_s),
            _count_if(left_queue),
            func.max(case((left_queue, calls.wait_s), else_=None)),
            _sum_if(handled, calls.talk_s),
            _sum_if(handled, calls.hold_s),
            _sum_if(handled, calls.wrap_up_s),
            func.count(calls.csat),
            func.sum(calls.csat),
            _count_if(calls.csat >= kpis.CSAT_SATISFIED_MIN),
            func.count(calls.nps),
            _count_if(calls.nps >= kpis.NPS_PROMOTER_MIN),
            _count_if(calls.nps <= kpis.NPS_DETRACTOR_MAX),
            _count_if(fcr_eligible),
            func.sum(case((fcr_eligible, case((repeat, 1), else_=0)), else_=0)),
        )
        .where(*_call_where(flt, scan))
        .group_by(key)
    )
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
            t = CallTally(
                offered=_int(row[1]),
                answered=_int(row[2]),
                abandoned=_int(row[3]),
                short_abandoned=_int(row[4]),
                answered_within_target=_int(row[5]),
                handled=_int(row[6]),
                transferred=_int(row[7]),
                wait_answered_s=_num(row[8]),
                wait_all_s=_num(row[9]),
                waited=_int(row[10]),
                max_wait_s=_num(row[11]),
                talk_s=_num(row[12]),
                hold_s=_num(row[13]),
                wrap_up_s=_num(row[14]),
                csat_responses=_int(row[15]),
                csat_sum=_num(row[16]),
                csat_satisfied=_int(row[17]),
                nps_responses=_int(row[18]),
                nps_promoters=_int(row[19]),
                nps_detractors=_int(row[20]),
                fcr_eligible=_int(row[21]),
                fcr_resolved=_int(row[21]) - _int(row[22]),
            )
            groups[name] = GroupTallies(name, t)
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
    out: dict[str, tuple[AgentTally, dict[str, float]]] = defaultdict(
        lambda: (AgentTally(), {})
    )
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
