"""The outbox alone: order, coalescing of retained messages, and what overflow drops first."""

from __future__ import annotations

import pytest

from callcenter.bus.outbox import Outbox, Outgoing


class Seq:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, topic: str, qos: int = 1, retain: bool = False) -> Outgoing:
        self.n += 1
        return Outgoing(self.n, topic, f"{topic}#{self.n}".encode(), qos, retain)


def test_fifo_and_put_back_keeps_publication_order() -> None:
    new, box = Seq(), Outbox(10)
    for topic in ("pop/a", "pop/b", "pop/c", "pop/d"):
        assert box.put(new(topic)) == []
    first = box.take(2)
    assert [m.topic for m in first] == ["pop/a", "pop/b"]
    box.put(new("pop/e"))
    box.put_back(list(reversed(first)))  # the connection broke before their PUBACK
    assert [m.topic for m in box.take(10)] == ["pop/a", "pop/b", "pop/c", "pop/d", "pop/e"]


def test_retained_message_replaces_the_queued_one_for_its_topic() -> None:
    new, box = Seq(), Outbox(10)
    box.put(new("state/1007", retain=True))
    box.put(new("pop/1007"))
    box.put(new("state/1007", retain=True))
    assert box.coalesced == 1
    taken = box.take(10)
    assert [(m.topic, m.seq) for m in taken] == [("pop/1007", 2), ("state/1007", 3)]


def test_put_back_skips_a_retained_message_superseded_meanwhile() -> None:
    new, box = Seq(), Outbox(10)
    box.put(new("state/1007", retain=True))
    inflight = box.take(1)
    box.put(new("state/1007", retain=True))  # newer state while the old one was in flight
    box.put_back(inflight)
    assert [m.seq for m in box.take(10)] == [2]
    assert box.coalesced == 1


def test_overflow_drops_oldest_qos0_first_then_retained_then_oldest() -> None:
    new, box = Seq(), Outbox(4)
    box.put(new("pop/1"))
    box.put(new("stats/a", qos=0, retain=True))
    box.put(new("state/1", retain=True))
    box.put(new("stats/b", qos=0, retain=True))
    dropped = box.put(new("pop/2"))
    assert [m.topic for m in dropped] == ["stats/a"]
    assert [m.topic for m in box.put(new("pop/3"))] == ["stats/b"]
    assert [m.topic for m in box.put(new("pop/4"))] == ["state/1"]
    assert [m.topic for m in box.put(new("pop/5"))] == ["pop/1"]  # only now a screen-pop
    assert [m.topic for m in box.take(10)] == ["pop/2", "pop/3", "pop/4", "pop/5"]


def test_put_back_over_the_limit_drops_by_the_same_rule() -> None:
    new, box = Seq(), Outbox(3)
    box.put(new("stats/a", qos=0))
    box.put(new("pop/1"))
    inflight = box.take(2)
    for i in range(2, 5):
        box.put(new(f"pop/{i}"))
    dropped = box.put_back(inflight)
    assert [m.topic for m in dropped] == ["stats/a", "pop/1"]
    assert [m.topic for m in box.take(10)] == ["pop/2", "pop/3", "pop/4"]


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Outbox(0)
