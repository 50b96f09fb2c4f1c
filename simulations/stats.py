"""Streaming statistics of a run: counts and sums per interval, queue and call type.

Nothing is kept per call once it has ended, so memory stays flat however many calls run.
Calls count in the interval they arrived in and in the queue they arrived at; a call that
overflows counts there as overflowed, not again in the queue it went to.

The call counts are `cdr.kpis.CallTally`, the tally the CDR reports and the live statistics
keep; beside each, the waits of the callers who left the queue (answered or abandoned) as a
histogram of `cdr.kpis.WAIT_BIN_S` bins, for p90 wait.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from acd import AgentState
from cdr import CallTally

WAIT_BINS = 3600  # of cdr.kpis.WAIT_BIN_S each: one hour; longer waits land in the last bin


def wait_bins() -> list[int]:
    """An empty wait histogram."""
    return [0] * WAIT_BINS


def add_wait_bins(total: list[int], other: list[int]) -> None:
    """Add the histogram `other` to `total`, bin by bin."""
    for index, count in enumerate(other):
        if count:
            total[index] += count


@dataclass(slots=True)
class AgentTally:
    """Seconds an agent group spent in each state."""

    seconds: dict[AgentState, float] = field(default_factory=lambda: dict.fromkeys(AgentState, 0.0))

    def merge(self, other: AgentTally) -> None:
        for state, seconds in other.seconds.items():
            self.seconds[state] += seconds


CallKey = tuple[int, str, int]  # (interval, queue, call type)
AgentKey = tuple[int, str]  # (interval, agent group)


@dataclass(slots=True)
class RunStats:
    """Everything one replication measured."""

    interval_s: float
    calls: dict[CallKey, CallTally] = field(default_factory=dict)
    waits: dict[CallKey, list[int]] = field(default_factory=dict)  # beside `calls`, same keys
    agents: dict[AgentKey, AgentTally] = field(default_factory=dict)
    max_waiting: dict[tuple[int, str], int] = field(default_factory=dict)  # (interval, queue)
    calls_simulated: int = 0

    def tally(self, interval: int, queue: str, call_type: int) -> CallTally:
        """The group's call tally, made (with its wait histogram) on first use."""
        key = (interval, queue, call_type)
        tally = self.calls.get(key)
        if tally is None:
            tally = self.calls[key] = CallTally()
            self.waits[key] = wait_bins()
        return tally

    def add_agent_time(self, group: str, state: AgentState, start: float, end: float) -> None:
        """Credit [start, end) in `state` to `group`, split at interval boundaries."""
        width = self.interval_s
        while end > start:
            interval = int(start // width)
            stop = min(end, (interval + 1) * width)
            key = (interval, group)
            tally = self.agents.get(key)
            if tally is None:
                tally = self.agents[key] = AgentTally()
            tally.seconds[state] += stop - start
            start = stop
