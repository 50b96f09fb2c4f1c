"""Waiting calls grouped by (queue, requirement): per-priority heaps in line order, lazy deletion.

An agent who comes free looks only at the groups whose requirement it meets and compares
their heads; a call that leaves (answered, abandoned, re-indexed) is not searched for, its
heap entries just go stale (their token no longer matches the call's).
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush

from acd.calls import Call
from acd.queue_state import QueueRuntime
from acd.queues import MAX_PRIORITY
from acd.skills import Requirement

# (enqueued_at, seq, heap_token, call): the first two are the place in line and unique.
Entry = tuple[float, int, int, Call]
# What a group offers an agent: (aged priority, enqueued_at, seq, call).
Head = tuple[int, float, int, Call]

_COMPACT_SLACK = 64


class WaitGroup:
    __slots__ = ("flagged", "levels", "live", "queue", "required", "size", "top")

    def __init__(self, queue: QueueRuntime, required: Requirement) -> None:
        self.queue = queue
        self.required = required
        self.levels: list[list[Entry]] = [[] for _ in range(MAX_PRIORITY + 1)]  # by priority
        self.live = 0
        self.flagged = 0  # live members some agent had declined when they joined
        self.size = 0
        self.top = 0  # no level above this one holds an entry, live or stale

    def push(self, call: Call) -> None:
        priority = call.priority
        heappush(self.levels[priority], (call.enqueued_at, call.seq, call.heap_token, call))
        if priority > self.top:
            self.top = priority
        self.live += 1
        self.size += 1
        if call.flagged:
            self.flagged += 1

    def discard(self, call: Call) -> None:
        """`call` has left; its entry is now stale."""
        self.live -= 1
        if call.flagged:
            self.flagged -= 1
        if self.size > 2 * self.live + _COMPACT_SLACK:
            self._compact()

    def holds_unflagged_other(self, call: Call) -> bool:
        """True if a live member other than `call` joined with no agent declining it.

        Such a member proves that no idle agent meets this group's requirement: had one
        been idle, the router would already have offered it that call.
        """
        return self.live - self.flagged - (0 if call.flagged else 1) > 0

    def best(self, now: float, agent_id: str) -> Head | None:
        """The best call for `agent_id` in this group: highest aged priority, then longest wait."""
        best: Head | None = None
        queue = self.queue
        aging = queue.settings.aging_step != 0
        levels = self.levels
        for priority in range(self.top, -1, -1):
            heap = levels[priority]
            while heap and heap[0][3].heap_token != heap[0][2]:
                heappop(heap)
                self.size -= 1
            if not heap:
                continue
            entry = heap[0]
            call = entry[3]
            if call.declined and agent_id in call.declined:
                found = _first_not_declined(heap, agent_id)
                if found is None:
                    continue
                entry = found
            if not aging:
                # Without aging, the first non-empty level holds the best call.
                return (priority, entry[0], entry[1], entry[3])
            aged = queue.aged_priority(priority, entry[0], now)
            if best is None or aged > best[0] or (aged == best[0] and entry[:2] < best[1:3]):
                best = (aged, entry[0], entry[1], entry[3])
        return best

    def oldest(self) -> float | None:
        """Earliest enqueue time among live members."""
        oldest: float | None = None
        for heap in self.levels:
            while heap and heap[0][3].heap_token != heap[0][2]:
                heappop(heap)
                self.size -= 1
            if heap and (oldest is None or heap[0][0] < oldest):
                oldest = heap[0][0]
        return oldest

    def _compact(self) -> None:
        size = 0
        for priority, heap in enumerate(self.levels):
            alive = [e for e in heap if e[3].heap_token == e[2]]
            heapify(alive)
            self.levels[priority] = alive
            size += len(alive)
        self.size = size


def _first_not_declined(heap: list[Entry], agent_id: str) -> Entry | None:
    # Rare path (an agent back from a RONA meeting the call it let ring): walk in line order.
    for entry in sorted(heap):
        call = entry[3]
        if call.heap_token == entry[2] and agent_id not in call.declined:
            return entry
    return None
