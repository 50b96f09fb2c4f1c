"""Waiting calls grouped by (queue, requirement): per-priority heaps in line order, lazy deletion.

An agent who comes free looks only at the groups whose requirement it meets and compares
their heads; a call that leaves (answered, abandoned, re-indexed) is not searched for, its
heap entries just go stale (their token no longer matches the call's).
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush

from acd.calls import Call
from acd.queue_state import QueueRuntime
from acd.skills import Requirement

# (enqueued_at, seq, heap_token, call): the first two are the place in line and unique.
Entry = tuple[float, int, int, Call]
# What a group offers an agent: (aged priority, enqueued_at, seq, call).
Head = tuple[int, float, int, Call]

_COMPACT_SLACK = 64


class WaitGroup:
    __slots__ = ("levels", "live", "queue", "required", "size")

    def __init__(self, queue: QueueRuntime, required: Requirement) -> None:
        self.queue = queue
        self.required = required
        self.levels: dict[int, list[Entry]] = {}  # priority -> heap
        self.live = 0
        self.size = 0

    def push(self, call: Call) -> None:
        heap = self.levels.get(call.priority)
        if heap is None:
            heap = self.levels[call.priority] = []
        heappush(heap, (call.enqueued_at, call.seq, call.heap_token, call))
        self.live += 1
        self.size += 1

    def discard(self) -> None:
        """One member has left; its entry is now stale."""
        self.live -= 1
        if self.size > 2 * self.live + _COMPACT_SLACK:
            self._compact()

    def best(self, now: float, agent_id: str) -> Head | None:
        """The best call for `agent_id` in this group: highest aged priority, then longest wait."""
        best: Head | None = None
        aged_priority = self.queue.aged_priority
        empty: list[int] = []
        for priority, heap in self.levels.items():
            while heap and heap[0][3].heap_token != heap[0][2]:
                heappop(heap)
                self.size -= 1
            if not heap:
                empty.append(priority)
                continue
            entry = heap[0]
            call = entry[3]
            if call.declined and call.declined.get(agent_id, -1.0) > now:
                found = _first_not_declined(heap, agent_id, now)
                if found is None:
                    continue
                entry = found
            aged = aged_priority(priority, entry[0], now)
            if best is None or aged > best[0] or (aged == best[0] and entry[:2] < best[1:3]):
                best = (aged, entry[0], entry[1], entry[3])
        for priority in empty:
            del self.levels[priority]
        return best

    def oldest(self) -> float | None:
        """Earliest enqueue time among live members."""
        oldest: float | None = None
        for heap in self.levels.values():
            while heap and heap[0][3].heap_token != heap[0][2]:
                heappop(heap)
                self.size -= 1
            if heap and (oldest is None or heap[0][0] < oldest):
                oldest = heap[0][0]
        return oldest

    def _compact(self) -> None:
        size = 0
        for priority, heap in list(self.levels.items()):
            alive = [e for e in heap if e[3].heap_token == e[2]]
            if alive:
                heapify(alive)
                self.levels[priority] = alive
                size += len(alive)
            else:
                del self.levels[priority]
        self.size = size


def _first_not_declined(heap: list[Entry], agent_id: str, now: float) -> Entry | None:
    # Rare path (an agent back from a RONA meeting the call it let ring): walk in line order.
    for entry in sorted(heap):
        call = entry[3]
        if call.heap_token == entry[2] and call.declined.get(agent_id, -1.0) <= now:
            return entry
    return None
