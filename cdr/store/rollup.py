"""Interval roll-ups: per 15 minutes, the call counts and sums reports need, per queue and call
type (`queue_intervals`) and per agent (`agent_intervals`), kept by the writer in the same
transaction as the raw rows (`cdr.store.rollup_delta`). Reports add up these rows instead of every
call. This module holds their SQL definitions, the full rebuild, and FCR's incremental part.

The roll-ups hold what `cdr.reports.aggregate.call_tallies` computes from `calls`, with the default
thresholds (`ROLLUP_SETTINGS`); a report with other thresholds, or a period or grouping that
does not fall on 15-minute boundaries, reads the raw rows instead.

First-call resolution needs care: a call's "repeated" state changes when a later call of the
same customer arrives, possibly written in a later batch. New calls are counted as repeated
when a later call within the window already exists; calls already counted (not in the batch)
whose first later call within the window is in the batch are added then. A call is counted
repeated exactly once, whatever the order the calls are written in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    union,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import BindParameter

from cdr import kpis
from cdr.records import Outcome
from cdr.store.schema import (
    AgentIntervalRow,
    AgentWaitBinRow,
    Base,
    CallRow,
    QueueIntervalRow,
    QueueWaitBinRow,
)
from cdr.store.tally import (
    NONE_KEY,
    ROLLUP_FCR_WINDOW_S,
    ROLLUP_INTERVAL_S,
    ROLLUP_SHORT_ABANDON_S,
    ROLLUP_TARGET_S,
    TALLY_COLUMNS,
    WAIT_BINS_DAY_S,
)

calls = CallRow.__table__.c
QUEUE_INTERVALS: Table = QueueIntervalRow.__table__
AGENT_INTERVALS: Table = AgentIntervalRow.__table__
QUEUE_WAIT_BINS: Table = Base.metadata.tables[QueueWaitBinRow.__tablename__]
AGENT_WAIT_BINS: Table = Base.metadata.tables[AgentWaitBinRow.__tablename__]


def _floor(dialect: str, value: ColumnElement[Any]) -> ColumnElement[Any]:
    # SQLite's floor() is an optional build feature; the values are positive, so truncation
    # is the floor there (as in cdr.reports.aggregate).
    return cast(value, BigInteger) if dialect == "sqlite" else cast(func.floor(value), BigInteger)


def interval_start(
    dialect: str, arrived: ColumnElement[Any], width_s: float = ROLLUP_INTERVAL_S
) -> ColumnElement[Any]:
    """floor(arrived / width) * width: the interval (or day) a call belongs to (epoch s)."""
    return _floor(dialect, arrived / literal(width_s)) * literal(width_s)


def ids_param(dialect: str, ids: Sequence[str]) -> str | list[str]:
    """The value bound to `:ids` by `in_ids` (a JSON array on SQLite, an array on PostgreSQL)."""
    return list(ids) if dialect == "postgresql" else json.dumps(list(ids))


def in_ids(dialect: str, column: ColumnElement[Any], name: str = "ids") -> ColumnElement[bool]:
    """`column` is one of the ids bound to `name`: one parameter whatever the batch size."""
    if dialect == "postgresql":
        # IN (SELECT unnest(...)), not = ANY(...): PostgreSQL hashes the ids for the probes in
        # `newly_repeated`, where = ANY scans the whole array for each row.
        param: BindParameter[Any] = bindparam(name, type_=postgresql.ARRAY(String))
        return column.in_(select(func.unnest(param)))
    values: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(name))
    )
    return column.in_(values)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


def _sum_if(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.sum(case((condition, value), else_=0.0))


def repeat_exists(window_s: float) -> ColumnElement[bool]:
    """Another call of the same customer arrives within the window after this call."""
    later = CallRow.__table__.alias("later")
    return (
        select(literal(1))
        .where(
            later.c.customer_id == calls.customer_id,
            later.c.arrived_at > calls.arrived_at,
            later.c.arrived_at <= calls.arrived_at + window_s,
        )
        .exists()
    )


def call_tally_columns(
    target_s: float, short_abandon_s: float, fcr_window_s: float
) -> dict[str, ColumnElement[Any]]:
    """The aggregates of `calls` rows by `TALLY_COLUMNS` name, in that order (shared with the
    raw report)."""
    answered = calls.answered_at.is_not(None)
    abandoned = calls.outcome == Outcome.ABANDONED.value
    left_queue = or_(answered, abandoned)
    handled = and_(answered, calls.agent_id.is_not(None))
    # FCR: an answered call of a known customer is resolved unless the same customer calls
    # again within the window after it. The nested CASE keeps the probe off the other rows.
    fcr_eligible = and_(answered, calls.customer_id.is_not(None))
    columns: dict[str, ColumnElement[Any]] = {
        "offered": func.count(),
        "answered": _count_if(answered),
        "abandoned": _count_if(abandoned),
        # The SQL form of kpis.short_abandon and kpis.answered_in_target.
        "short_abandoned": _count_if(and_(abandoned, calls.wait_s < short_abandon_s)),
        "answered_within_target": _count_if(and_(answered, calls.wait_s <= target_s)),
        "handled": _count_if(handled),
        "transferred": _count_if(and_(answered, calls.transferred)),
        "wait_answered_s": _sum_if(answered, calls.wait_s),
        "wait_all_s": _sum_if(left_queue, calls.wait_s),
        "waited": _count_if(left_queue),
        "max_wait_s": func.max(case((left_queue, calls.wait_s), else_=None)),
        "talk_s": _sum_if(handled, calls.talk_s),
        "hold_s": _sum_if(handled, calls.hold_s),
        "wrap_up_s": _sum_if(handled, calls.wrap_up_s),
        "csat_responses": func.count(calls.csat),
        "csat_sum": func.coalesce(func.sum(calls.csat), 0),
        "csat_satisfied": _count_if(calls.csat >= kpis.CSAT_SATISFIED_MIN),
        "nps_responses": func.count(calls.nps),
        "nps_promoters": _count_if(calls.nps >= kpis.NPS_PROMOTER_MIN),
        "nps_detractors": _count_if(calls.nps <= kpis.NPS_DETRACTOR_MAX),
        "fcr_eligible": _count_if(fcr_eligible),
        "fcr_repeated": func.sum(
            case((fcr_eligible, case((repeat_exists(fcr_window_s), 1), else_=0)), else_=0)
        ),
        "announce_s": _sum_if(handled, calls.announce_s),
        "announcement_hangups": _count_if(calls.outcome == Outcome.ANNOUNCEMENT_HANGUP.value),
    }
    if tuple(columns) != TALLY_COLUMNS:
        raise RuntimeError(f"call_tally_columns: expected {TALLY_COLUMNS}, got {tuple(columns)}")
    return columns


def _keys(dialect: str, agent: bool) -> list[ColumnElement[Any]]:
    """The key columns' values, in the order of the roll-up's primary key."""
    start = interval_start(dialect, calls.arrived_at)
    if agent:
        return [func.coalesce(calls.agent_id, NONE_KEY), start]
    return [start, func.coalesce(calls.queue, NONE_KEY), func.coalesce(calls.call_type, NONE_KEY)]


def add_wait_bins(dialect: str, agent: bool) -> Any:
    """Add the waits of every caller who left the queue to a histogram (a rebuild)."""
    table = AGENT_WAIT_BINS if agent else QUEUE_WAIT_BINS
    day = interval_start(dialect, calls.arrived_at, WAIT_BINS_DAY_S)
    wait_bin = _floor(dialect, calls.wait_s / literal(kpis.WAIT_BIN_S))
    keys: list[ColumnElement[Any]]
    if agent:
        keys = [func.coalesce(calls.agent_id, NONE_KEY), day, wait_bin]
    else:
        keys = [
            day,
            func.coalesce(calls.queue, NONE_KEY),
            func.coalesce(calls.call_type, NONE_KEY),
            wait_bin,
        ]
    where: list[ColumnElement[bool]] = [
        calls.enqueued_at.is_not(None),
        or_(calls.answered_at.is_not(None), calls.outcome == Outcome.ABANDONED.value),
    ]
    source = select(*keys, func.count()).where(*where).group_by(*keys)
    key_names = [column.name for column in table.primary_key]
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).from_select([*key_names, "waited"], source)
    return stmt.on_conflict_do_update(
        index_elements=key_names, set_={"waited": table.c.waited + stmt.excluded.waited}
    )


def _upsert(
    dialect: str,
    agent: bool,
    source: Select[Any],
    selected: Sequence[str],
    columns: Sequence[str],
) -> Any:
    """INSERT ... SELECT ... ON CONFLICT DO UPDATE adding `columns` (max for max_wait_s).

    `source` selects the key and the tally columns `selected` (all of them the table has:
    SQLite checks NOT NULL before the conflict), `columns` are those updated."""
    table = AGENT_INTERVALS if agent else QUEUE_INTERVALS
    key_names = [column.name for column in table.primary_key]
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).from_select([*key_names, *selected], source)
    return stmt.on_conflict_do_update(
        index_elements=key_names, set_=added_on_conflict(table, stmt.excluded, columns)
    )


def added_on_conflict(table: Table, excluded: Any, columns: Sequence[str]) -> dict[str, Any]:
    """ON CONFLICT DO UPDATE's SET for a roll-up: each of `columns` plus the excluded row's
    value (the larger one for max_wait_s)."""
    old, new = table.c, excluded
    updates: dict[str, Any] = {}
    for name in columns:
        if name == "max_wait_s":
            updates[name] = case(
                (new.max_wait_s.is_(None), old.max_wait_s),
                (or_(old.max_wait_s.is_(None), new.max_wait_s > old.max_wait_s), new.max_wait_s),
                else_=old.max_wait_s,
            )
        else:
            updates[name] = old[name] + new[name]
    return updates


def add_calls(dialect: str, agent: bool, columns: Sequence[str] = TALLY_COLUMNS) -> Any:
    """Add every offered call to a roll-up (a rebuild; the writer adds its new calls with
    `cdr.store.rollup_delta`), filling the tally `columns` (a migration names those its tables
    have then)."""
    keys = _keys(dialect, agent)
    tallies = call_tally_columns(ROLLUP_TARGET_S, ROLLUP_SHORT_ABANDON_S, ROLLUP_FCR_WINDOW_S)
    source = (
        select(*keys, *(tallies[name] for name in columns))
        .where(calls.enqueued_at.is_not(None))
        .group_by(*keys)
    )
    return _upsert(dialect, agent, source, columns, columns)


def newly_repeated(dialect: str) -> CompoundSelect[Any]:
    """Ids of the calls to count as repeated (FCR) now that the calls `:ids` are written:
    those of `:ids` with a later call of the customer within the window, and calls written
    before whose first later call within the window is among `:ids`. Only eligible calls
    (offered, answered, identified customer)."""
    window = ROLLUP_FCR_WINDOW_S
    new = CallRow.__table__.alias("new")
    earlier = CallRow.__table__.alias("earlier")
    later = CallRow.__table__.alias("later")
    # Earlier calls of the batch's customers, found through the (customer_id, arrived_at)
    # index; the extra second covers rounding in `arrived - window` vs `earlier + window`.
    candidates = (
        select(earlier.c.call_id)
        .select_from(new)
        .join(
            earlier,
            and_(
                earlier.c.customer_id == new.c.customer_id,
                earlier.c.arrived_at < new.c.arrived_at,
                earlier.c.arrived_at >= new.c.arrived_at - (window + 1.0),
            ),
        )
        .where(in_ids(dialect, new.c.call_id))
    )
    within = and_(
        later.c.customer_id == calls.customer_id,
        later.c.arrived_at > calls.arrived_at,
        later.c.arrived_at <= calls.arrived_at + window,
    )
    eligible = (
        calls.enqueued_at.is_not(None),
        calls.answered_at.is_not(None),
        calls.customer_id.is_not(None),
    )
    new_repeated = select(calls.call_id).where(
        in_ids(dialect, calls.call_id), *eligible, repeat_exists(window)
    )
    old_repeated = select(calls.call_id).where(
        calls.call_id.in_(candidates),
        not_(in_ids(dialect, calls.call_id)),
        *eligible,
        select(literal(1)).where(within, in_ids(dialect, later.c.call_id)).exists(),
        not_(select(literal(1)).where(within, not_(in_ids(dialect, later.c.call_id))).exists()),
    )
    return union(new_repeated, old_repeated)


def add_repeats(dialect: str, agent: bool) -> Any:
    """Count the calls in `:repeated` as repeated (FCR) in a roll-up."""
    keys = _keys(dialect, agent)
    values: dict[str, ColumnElement[Any]] = dict.fromkeys(TALLY_COLUMNS, literal(0))
    values |= {"max_wait_s": literal(None), "fcr_repeated": func.count()}  # keeps the order
    source = (
        select(*keys, *values.values())
        .where(in_ids(dialect, calls.call_id, "repeated"))
        .group_by(*keys)
    )
    return _upsert(dialect, agent, source, TALLY_COLUMNS, ("fcr_repeated",))


def rebuild(connection: Connection, columns: Sequence[str] = TALLY_COLUMNS) -> None:
    """Empty the roll-ups and fill them from every call (migrations; synchronous). A migration
    names the tally `columns` the tables have at its revision (and `calls` the columns they
    read)."""
    dialect = connection.dialect.name
    for agent in (False, True):
        for table in (
            (AGENT_INTERVALS, AGENT_WAIT_BINS)
            if agent
            else (
                QUEUE_INTERVALS,
                QUEUE_WAIT_BINS,
            )
        ):
            connection.execute(table.delete())
        connection.execute(add_calls(dialect, agent, columns))
        connection.execute(add_wait_bins(dialect, agent))
