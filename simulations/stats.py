"""Streaming statistics of a run: counts and sums per interval, queue and call type.

Nothing is kept per call once it has ended, so memory stays flat however many calls run.
Calls count in the interval they arrived in and in the queue they arrived at; a call that
overflows counts there as overflowed, not again in the queue it went to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from acd.agents import AgentState

WAIT_BINS = 3600  # of cdr.kpis.WAIT_BIN_S each: one hour; longer waits land in the last bin


@dataclass(slots=True)
class CallTally:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0  # abandoned before the short-abandon threshold (cdr.kpis)
    answered_in_target: int = 0
    delayed: int = 0  # not offered to an agent the moment it arrived
    overflowed: int = 0  # left for voicemail, a callback or another queue
    expired: int = 0  # reached the queue's maximum wait
    ring_no_answer: int = 0
    wait_answered_s: float = 0.0
    wait_abandoned_s: float = 0.0
    max_wait_s: float = 0.0
    talk_s: float = 0.0
    wrap_up_s: float = 0.0
    wait_hist: list[int] = field(default_factory=lambda: [0] * WAIT_BINS)

    def merge(self, other: CallTally) -> None:
        self.offered += other.offered
        self.answered += other.answered
        self.abandoned += other.abandoned
        self.short_abandoned += other.short_abandoned
        self.answered_in_target += other.answered_in_target
        self.delayed += other.delayed
        self.overflowed += other.overflowed
        self.expired += other.expired
        self.ring_no_answer += other.ring_no_answer
        self.wait_answered_s += other.wait_answered_s
        self.wait_abandoned_s += other.wait_abandoned_s
        self.max_wait_s = max(self.max_wait_s, other.max_wait_s)
        self.talk_s += other.talk_s
        self.wrap_up_s += other.wrap_up_s
        hist = self.wait_hist
        for index, count in enumerate(other.wait_hist):
            if count:
                hist[index] += count


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
    agents: dict[AgentKey, AgentTally] = field(default_factory=dict)
    max_waiting: dict[tuple[int, str], int] = field(default_factory=dict)  # (interval, queue)
    calls_simulated: int = 0

    def tally(self, interval: int, queue: str, call_type: int) -> CallTally:
        key = (interval, queue, call_type)
        tally = self.calls.get(key)
        if tally is None:
            tally = self.calls[key] = CallTally()
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
