"""The bus's bounded outbox: what the engine published and the broker has not acknowledged.

Plain data, no I/O: `MqttBus` puts messages in, its sender takes batches out, and puts back
at the front what was in flight when a connection was lost, so nothing is lost to a broker
restart. Two rules keep it small and its losses explicit:

- A retained message replaces a queued retained message for the same topic (an agent's
  state, a queue's stats): the broker keeps only the last anyway. Counted as `coalesced`.
- When full, the oldest QoS 0 message goes first (wallboard stats, re-sent every few
  seconds), then the oldest retained message (a state snapshot), and only then the oldest
  of anything (a screen-pop or reply that has waited longest, the least useful by now).
  The caller logs each drop loudly; nothing is dropped without being returned.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(slots=True)
class Outgoing:
    """One message on its way to the broker. `seq` orders messages by publication."""

    seq: int
    topic: str
    payload: bytes
    qos: int
    retain: bool
    attempts: int = 0


class Outbox:
    """FIFO by `seq`, bounded, with indexes for the drop order and retained coalescing."""

    __slots__ = ("_by_topic", "_items", "_qos0", "_retained", "coalesced", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"outbox limit: expected at least 1 message, got {limit}")
        self.limit = limit
        self._items: OrderedDict[int, Outgoing] = OrderedDict()
        self._qos0: OrderedDict[int, None] = OrderedDict()
        self._retained: OrderedDict[int, None] = OrderedDict()
        self._by_topic: dict[str, int] = {}  # retained topic -> seq of its queued message
        self.coalesced = 0

    def __len__(self) -> int:
        return len(self._items)

    def put(self, message: Outgoing) -> list[Outgoing]:
        """Append `message` (its seq must be the largest yet); return what was dropped for it."""
        if message.retain:
            older = self._by_topic.get(message.topic)
            if older is not None:
                self._remove(older)
                self.coalesced += 1
        self._add(message)
        return self._enforce_limit()

    def take(self, count: int) -> list[Outgoing]:
        """Remove and return up to `count` messages, oldest first."""
        batch: list[Outgoing] = []
        while self._items and len(batch) < count:
            seq = next(iter(self._items))
            batch.append(self._remove(seq))
        return batch

    def put_back(self, messages: list[Outgoing]) -> list[Outgoing]:
        """Return messages taken earlier (not acknowledged) to the front, in seq order.

        A retained message for which a newer one was published meanwhile is superseded and
        not put back. Returns what the limit then dropped.
        """
        for message in sorted(messages, key=lambda m: m.seq, reverse=True):
            if message.retain and message.topic in self._by_topic:
                self.coalesced += 1
                continue
            self._add(message, front=True)
        return self._enforce_limit()

    def pending(self) -> list[Outgoing]:
        """Every queued message, oldest first (for the shutdown report)."""
        return list(self._items.values())

    def _add(self, message: Outgoing, front: bool = False) -> None:
        seq = message.seq
        self._items[seq] = message
        indexes: list[OrderedDict[int, None]] = []
        if message.qos == 0:
            indexes.append(self._qos0)
        if message.retain:
            indexes.append(self._retained)
            self._by_topic[message.topic] = seq
        for index in indexes:
            index[seq] = None
            if front:
                index.move_to_end(seq, last=False)
        if front:
            self._items.move_to_end(seq, last=False)

    def _remove(self, seq: int) -> Outgoing:
        message = self._items.pop(seq)
        self._qos0.pop(seq, None)
        if seq in self._retained:
            del self._retained[seq]
            del self._by_topic[message.topic]
        return message

    def _enforce_limit(self) -> list[Outgoing]:
        dropped: list[Outgoing] = []
        while len(self._items) > self.limit:
            for index in (self._qos0, self._retained, self._items):
                if index:
                    dropped.append(self._remove(next(iter(index))))
                    break
        return dropped
