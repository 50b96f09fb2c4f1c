"""Every deadline the router keeps: ring timeouts, wrap-up ends, rules, maximum waits, retries.

Most deadlines arrive in order: within one queue, "rule 2 fires 60 s after entering" or
"the phone rings for 15 s" is a fixed offset from a time that never goes backwards. Those
go into a FIFO lane per (queue, kind), O(1) to add and to take; a small heap holds the head
of each lane. The few that arrive out of order (a call back in line after a RONA, an
extended wrap-up) go into one general heap. `peek`/`pop` give the earliest of both.
"""

from __future__ import annotations

from collections import deque
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
LaneKey = tuple[str, int]  # (queue, lane number chosen by the router)


class Timers:
    __slots__ = ("_heads", "_heap", "_lanes", "_seq", "_stale_heads")

    def __init__(self) -> None:
        self._heap: list[TimerEntry] = []
        self._lanes: dict[LaneKey, deque[TimerEntry]] = {}
        self._heads: list[tuple[float, int, LaneKey]] = []  # one entry per non-empty lane
        self._seq = 0
        self._stale_heads = 0  # entries of _heads whose lane head was retracted

    def push(
        self,
        deadline: float,
        kind: TimerKind,
        subject: Agent | Call,
        token: int,
        detail: str = "",
        lane: LaneKey | None = None,
    ) -> None:
        """Add a deadline; with `lane`, it goes there if it is not earlier than the lane's last."""
        self._seq += 1
        entry = (deadline, self._seq, kind, subject, token, detail)
        if lane is not None:
            queue = self._lanes.get(lane)
            if queue is None:
                queue = self._lanes[lane] = deque()
            if not queue:
                queue.append(entry)
                heappush(self._heads, (deadline, self._seq, lane))
                return
            if deadline >= queue[-1][0]:
                queue.append(entry)
                return
        heappush(self._heap, entry)

    def retract_newest(self, lane: LaneKey, kind: TimerKind, subject: Agent | Call) -> None:
        """Drop the lane's newest deadline if it is `subject`'s of `kind`: the caller knows it
        is moot (an offer answered at once leaves its ring timeout behind).

        Anything else stays where it is and is skipped when it comes due, as ever."""
        queue = self._lanes.get(lane)
        if not queue:
            return
        newest = queue[-1]
        if newest[3] is not subject or newest[2] is not kind:
            return
        queue.pop()
        if not queue:
            # It was the lane's head too: its entry among the heads goes, now if it is on top
            # (the usual case), else when it gets there.
            heads = self._heads
            if heads[0][1] == newest[1]:
                heappop(heads)
            else:
                self._stale_heads += 1

    def _drop_stale_heads(self) -> None:
        """Pop the entries on top of the heads heap whose lane head was retracted since."""
        heads, lanes = self._heads, self._lanes
        while heads:
            queue = lanes[heads[0][2]]
            if queue and queue[0][1] == heads[0][1]:
                return
            heappop(heads)
            self._stale_heads -= 1

    def peek(self) -> TimerEntry | None:
        """The earliest deadline, valid or not."""
        heap, heads = self._heap, self._heads
        if self._stale_heads:
            self._drop_stale_heads()
        if heads and (not heap or heads[0][:2] < heap[0][:2]):
            return self._lanes[heads[0][2]][0]
        return heap[0] if heap else None

    def pop(self) -> TimerEntry:
        """Remove and return the earliest deadline (call `peek` first: there must be one)."""
        heap, heads = self._heap, self._heads
        if self._stale_heads:
            self._drop_stale_heads()
        if heads and (not heap or heads[0][:2] < heap[0][:2]):
            lane = heappop(heads)[2]
            queue = self._lanes[lane]
            entry = queue.popleft()
            if queue:
                head = queue[0]
                heappush(heads, (head[0], head[1], lane))
            return entry
        return heappop(heap)

    def __len__(self) -> int:
        return len(self._heap) + sum(len(q) for q in self._lanes.values())
