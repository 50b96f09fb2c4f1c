"""One heap of deadlines for everything time-based: ring timeouts, wrap-up ends, rules, max wait."""

from __future__ import annotations

from enum import IntEnum
from heapq import heappop, heappush

from acd.agents import Agent
from acd.calls import Call


class TimerKind(IntEnum):
    RING_TIMEOUT = 0
    WRAP_UP_END = 1
    RULE = 2
    MAX_WAIT = 3
    RETRY = 4


# (deadline, seq, kind, subject, token, detail); validity is judged by the router from the token.
TimerEntry = tuple[float, int, TimerKind, Agent | Call, int, str]


class Timers:
    __slots__ = ("_seq", "heap")

    def __init__(self) -> None:
        self.heap: list[TimerEntry] = []
        self._seq = 0

    def push(
        self, deadline: float, kind: TimerKind, subject: Agent | Call, token: int, detail: str = ""
    ) -> None:
        self._seq += 1
        heappush(self.heap, (deadline, self._seq, kind, subject, token, detail))

    def pop(self) -> TimerEntry:
        return heappop(self.heap)

    def __len__(self) -> int:
        return len(self.heap)
