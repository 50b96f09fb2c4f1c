"""The writer's side of the roll-ups: what a batch of new calls adds to them.

The counts and sums are computed in Python from the batch's `calls` rows (already in memory)
with the definitions of `rollup.call_tally_columns`, grouped, and added to the roll-up rows
with one INSERT ... ON CONFLICT DO UPDATE per group. Re-reading the calls just written and
aggregating them in SQL cost the writer more than inserting them. `rollup.rebuild` (migrations)
still aggregates in SQL; `tests/cdr/test_rollup.py` checks that both give the same rows.

First-call resolution needs the calls around the batch in the database, so it stays in SQL
(`rollup.newly_repeated`, `rollup.add_repeats`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from cdr import kpis
from cdr.records import Outcome
from cdr.rollup import (
    AGENT_INTERVALS,
    AGENT_WAIT_BINS,
    NONE_KEY,
    QUEUE_INTERVALS,
    QUEUE_WAIT_BINS,
    ROLLUP_INTERVAL_S,
    ROLLUP_SHORT_ABANDON_S,
    ROLLUP_TARGET_S,
    TALLY_COLUMNS,
    WAIT_BINS_DAY_S,
    add_repeats,
    added_on_conflict,
    ids_param,
    newly_repeated,
)
from cdr.schema import CallRow

Row = tuple[Any, ...]
_AT = {column.name: i for i, column in enumerate(CallRow.__table__.columns)}
_CALL_ID = _AT["call_id"]
_QUEUE, _CALL_TYPE, _AGENT = _AT["queue"], _AT["call_type"], _AT["agent_id"]
_CUSTOMER, _ARRIVED, _ENQUEUED = _AT["customer_id"], _AT["arrived_at"], _AT["enqueued_at"]
_ANSWERED, _OUTCOME, _TRANSFERRED = _AT["answered_at"], _AT["outcome"], _AT["transferred"]
_CSAT, _NPS, _WAIT = _AT["csat"], _AT["nps"], _AT["wait_s"]
_TALK, _HOLD, _WRAP_UP = _AT["talk_s"], _AT["hold_s"], _AT["wrap_up_s"]
_MAX_WAIT = TALLY_COLUMNS.index("max_wait_s")
_ABANDONED = Outcome.ABANDONED.value


def _start(at: float, width: float) -> float:
    # floor(at / width) * width, the same float operations as `rollup.interval_start` in SQL
    return math.floor(at / width) * width


def call_tally(row: Row) -> Row:
    """What one offered call's `calls` row adds, in `TALLY_COLUMNS` order (fcr_repeated 0)."""
    wait: float = row[_WAIT]
    answered = row[_ANSWERED] is not None
    abandoned = row[_OUTCOME] == _ABANDONED
    left_queue = answered or abandoned
    handled = answered and row[_AGENT] is not None
    csat, nps = row[_CSAT], row[_NPS]
    return (
        1,
        int(answered),
        int(abandoned),
        int(abandoned and wait < ROLLUP_SHORT_ABANDON_S),
        int(answered and wait <= ROLLUP_TARGET_S),
        int(handled),
        int(answered and bool(row[_TRANSFERRED])),
        wait if answered else 0.0,
        wait if left_queue else 0.0,
        int(left_queue),
        wait if left_queue else None,
        row[_TALK] if handled else 0.0,
        row[_HOLD] if handled else 0.0,
        row[_WRAP_UP] if handled else 0.0,
        int(csat is not None),
        csat or 0,
        int(csat is not None and csat >= kpis.CSAT_SATISFIED_MIN),
        int(nps is not None),
        int(nps is not None and nps >= kpis.NPS_PROMOTER_MIN),
        int(nps is not None and nps <= kpis.NPS_DETRACTOR_MAX),
        int(answered and row[_CUSTOMER] is not None),
        0,
    )


def _summed(tallies: list[Row]) -> Sequence[Any]:
    if len(tallies) == 1:
        return tallies[0]
    columns = list(zip(*tallies, strict=True))
    waits = [wait for wait in columns[_MAX_WAIT] if wait is not None]
    columns[_MAX_WAIT] = ()
    sums: list[Any] = [sum(column) for column in columns]
    sums[_MAX_WAIT] = max(waits) if waits else None
    return sums


def deltas(rows: Sequence[Row]) -> tuple[list[Row], list[Row], list[Row], list[Row]]:
    """The rows the new calls `rows` add to queue_intervals, agent_intervals, queue_wait_bins
    and agent_wait_bins, each in its table's column order."""
    by_queue: defaultdict[tuple[float, str, str], list[Row]] = defaultdict(list)
    by_agent: defaultdict[tuple[str, float], list[Row]] = defaultdict(list)
    queue_bins: defaultdict[tuple[float, str, str, int], int] = defaultdict(int)
    agent_bins: defaultdict[tuple[str, float, int], int] = defaultdict(int)
    for row in rows:
        if row[_ENQUEUED] is None:
            continue
        tally = call_tally(row)
        arrived = row[_ARRIVED]
        queue = row[_QUEUE] or NONE_KEY
        call_type = row[_CALL_TYPE] or NONE_KEY
        agent = row[_AGENT] or NONE_KEY
        interval = _start(arrived, ROLLUP_INTERVAL_S)
        by_queue[interval, queue, call_type].append(tally)
        by_agent[agent, interval].append(tally)
        if tally[_MAX_WAIT] is not None:  # left the queue: its wait goes into the histograms
            day = _start(arrived, WAIT_BINS_DAY_S)
            wait_bin = math.floor(row[_WAIT] / kpis.WAIT_BIN_S)
            queue_bins[day, queue, call_type, wait_bin] += 1
            agent_bins[agent, day, wait_bin] += 1
    return (
        [(*key, *_summed(tallies)) for key, tallies in by_queue.items()],
        [(*key, *_summed(tallies)) for key, tallies in by_agent.items()],
        [(*key, waited) for key, waited in queue_bins.items()],
        [(*key, waited) for key, waited in agent_bins.items()],
    )


def _upsert_sql(dialect: Dialect, table: Table) -> str:
    """INSERT ... VALUES ... ON CONFLICT DO UPDATE adding every non-key column (max for
    max_wait_s), positional parameters in column order, for executemany with tuples."""
    module: Any = postgresql if dialect.name == "postgresql" else sqlite
    keys = [column.name for column in table.primary_key]
    columns = [column.name for column in table.columns]
    stmt = module.insert(table)
    updates = added_on_conflict(table, stmt.excluded, [c for c in columns if c not in keys])
    compiled = stmt.on_conflict_do_update(index_elements=keys, set_=updates).compile(
        dialect=dialect, column_keys=columns
    )
    if list(compiled.positiontup or ())[: len(columns)] != columns:
        raise RuntimeError(f"roll-up upsert: unexpected parameter order for {table.name}")
    return str(compiled.string)


class RollupDeltas:
    """Adds the calls a writer batch stores for the first time to the roll-ups, inside the
    batch's transaction."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect.name
        self._upserts = [
            _upsert_sql(dialect, table)
            for table in (QUEUE_INTERVALS, AGENT_INTERVALS, QUEUE_WAIT_BINS, AGENT_WAIT_BINS)
        ]

    async def add(self, conn: AsyncConnection, new_calls: Sequence[Row]) -> None:
        """Roll up `new_calls` (`calls` rows just inserted, never rolled up) and count the
        earlier calls they make repeated (FCR)."""
        if not new_calls:
            return
        for sql, rows in zip(self._upserts, deltas(new_calls), strict=True):
            if rows:
                await conn.exec_driver_sql(sql, rows)
        ids = ids_param(self._dialect, [row[_CALL_ID] for row in new_calls])
        found = await conn.execute(newly_repeated(self._dialect), {"ids": ids})
        repeated = list(found.scalars())
        if repeated:
            bound = ids_param(self._dialect, repeated)
            for agent in (False, True):
                await conn.execute(add_repeats(self._dialect, agent), {"repeated": bound})
