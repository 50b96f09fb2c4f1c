"""The roll-ups' counts and sums for one call, and what a batch of new calls adds to them,
in plain Python from the `calls` rows the writer builds.

The counts and sums are the fields of `kpis.CallTally` that call records count
(`TALLY_COLUMNS`, in that order). `call_tally` is `rollup.call_tally_columns` (the SQL
definition raw reports and the full rebuild use) for one `calls` row, as a plain tuple: the
writer adds up thousands of them per batch. `tests/cdr/test_rollup.py` checks that both give
the same value under each name, and that the writer's incremental roll-ups equal a rebuild.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, get_type_hints

from cdr import kpis
from cdr.records import Outcome
from cdr.store.rows import Row
from cdr.store.schema import CallRow

ROLLUP_INTERVAL_S = 900.0  # the roll-ups' time resolution (UTC quarter hours)
ROLLUP_TARGET_S = kpis.DEFAULT_TARGET_S
ROLLUP_SHORT_ABANDON_S = kpis.DEFAULT_SHORT_ABANDON_S
ROLLUP_FCR_WINDOW_S = kpis.DEFAULT_FCR_WINDOW_S
NONE_KEY = ""  # a call without queue, call type or agent, in the roll-ups' keys
WAIT_BINS_DAY_S = 86400.0  # the wait histograms' time resolution (UTC days)
TALLY_COLUMNS: tuple[str, ...] = kpis.RECORDED_FIELDS  # the roll-ups' counts and sums

_AT = {column.name: i for i, column in enumerate(CallRow.__table__.columns)}
CALL_ID = _AT["call_id"]
_QUEUE, _CALL_TYPE, _AGENT = _AT["queue"], _AT["call_type"], _AT["agent_id"]
_CUSTOMER, _ARRIVED, _ENQUEUED = _AT["customer_id"], _AT["arrived_at"], _AT["enqueued_at"]
_ANSWERED, _OUTCOME, _TRANSFERRED = _AT["answered_at"], _AT["outcome"], _AT["transferred"]
_CSAT, _NPS, _WAIT = _AT["csat"], _AT["nps"], _AT["wait_s"]
_TALK, _HOLD, _WRAP_UP = _AT["talk_s"], _AT["hold_s"], _AT["wrap_up_s"]
_ANNOUNCE = _AT["announce_s"]
_MAX_WAIT = TALLY_COLUMNS.index("max_wait_s")
_ABANDONED = Outcome.ABANDONED.value
_ANNOUNCEMENT_HANGUP = Outcome.ANNOUNCEMENT_HANGUP.value
_TYPES = get_type_hints(kpis.CallTally)
_KINDS: tuple[tuple[str, type[int] | type[float]], ...] = tuple(
    (name, float if _TYPES[name] is float else int) for name in TALLY_COLUMNS
)


def _start(at: float, width: float) -> float:
    # floor(at / width) * width: the float operations of `cdr.store.rollup.interval_start` (SQL)
    return math.floor(at / width) * width


def call_tally(row: Row) -> Row:
    """What one offered call's `calls` row adds, in `TALLY_COLUMNS` order (fcr_repeated 0;
    max_wait_s None for a call that did not leave the queue answered or abandoned)."""
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
        int(abandoned and kpis.short_abandon(wait, ROLLUP_SHORT_ABANDON_S)),
        int(answered and kpis.answered_in_target(wait, ROLLUP_TARGET_S)),
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
        row[_ANNOUNCE] if handled else 0.0,
        int(row[_OUTCOME] == _ANNOUNCEMENT_HANGUP),
    )


def tally_of(values: Sequence[Any]) -> kpis.CallTally:
    """A `kpis.CallTally` from values in `TALLY_COLUMNS` order (a roll-up or GROUP BY result
    row without its key); NULL sums, as SQL gives for no rows, are 0."""
    fields: dict[str, Any] = {
        name: kind(value) if value is not None else kind(0)
        for (name, kind), value in zip(_KINDS, values, strict=True)
    }
    return kpis.CallTally(**fields)


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
