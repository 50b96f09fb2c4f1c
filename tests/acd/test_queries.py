"""Position, expected wait and snapshots."""

from __future__ import annotations

import pytest
from acd_helpers import call, queue, staffed

from acd import AgentState, Router


def test_position_counts_calls_ahead_by_the_ordering_rule() -> None:
    router = Router([queue()])
    router.add_agent("a", {})
    router.enqueue(call("n1"), 0.0)
    router.enqueue(call("n2"), 1.0)
    router.enqueue(call("vip", priority=5), 2.0)
    assert [router.position(c) for c in ("vip", "n1", "n2")] == [1, 2, 3]


def test_expected_wait_uses_handle_time_and_staffed_agents() -> None:
    router = staffed([queue(wrap_up_s=20.0, expected_handle_s=200.0)], {"a": {}, "b": {}})
    router.enqueue(call("c1"), 0.0)
    router.enqueue(call("c2"), 0.0)
    router.enqueue(call("c3"), 0.0)
    router.enqueue(call("c4"), 0.0)
    # No talk measured yet: 200 s per call, 2 staffed agents; c4 is 2nd in line.
    assert router.expected_wait("c4") == pytest.approx(2 * 200.0 / 2)
    assert router.expected_wait("c1") == 0.0  # ringing
    router.answer("c1", 1.0)
    router.end_call("c1", 101.0)  # 100 s of talk; estimate = 100 + 20 wrap-up
    assert router.queue_snapshot("support").handle_estimate_s == pytest.approx(120.0)
    assert router.expected_wait("c4") == pytest.approx(2 * 120.0 / 2)  # still 2nd: a is in wrap-up


def test_expected_wait_is_none_when_nobody_staffs_the_queue() -> None:
    router = Router([queue()])
    router.add_agent("a", {})
    router.enqueue(call("c1"), 0.0)
    assert router.expected_wait("c1") is None


def test_snapshot_counts_calls_and_agents_by_state() -> None:
    router = staffed([queue("q", {"en": 3})], {"a": {"en": 5}, "b": {"en": 5}, "c": {"en": 1}})
    router.add_agent("d", {"en": 9})
    router.pause("b", "lunch", 0.0)
    router.enqueue(call("c1", "q"), 1.0)
    router.enqueue(call("c2", "q"), 5.0)
    snap = router.queue_snapshot("q")
    assert (snap.waiting, snap.ringing, snap.connected) == (1, 1, 0)
    assert snap.longest_wait_s == 0.0  # c2 just arrived at t=5
    assert snap.agents[AgentState.RESERVED] == 1
    assert snap.agents[AgentState.PAUSED] == 1
    assert snap.agents[AgentState.LOGGED_OUT] == 1  # d; c lacks the level and is not counted
    assert sum(snap.agents.values()) == 3
    assert router.waiting_count("q") == snap.waiting == 1
    # Measured at a later moment (a wallboard every second), the wait has grown.
    assert router.queue_snapshot("q", 12.0).longest_wait_s == 7.0
    assert router.queue_snapshot("q", 3.0).longest_wait_s == 0.0  # never before the router's now


def test_agent_info_time_in_state() -> None:
    router = staffed([queue()], {"a": {}})
    router.advance(42.0)
    info = router.agent_info("a")
    assert info.state is AgentState.AVAILABLE and info.time_in_state_s == 42.0
