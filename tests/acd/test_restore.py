"""After an engine restart: waiting callers keep their place, talking calls stay connected."""

from __future__ import annotations

import pytest

from acd import AgentState, CallRequest, Offer, RaisePriority, Router
from acd.errors import IllegalTransitionError, InvalidValueError
from acd.queues import QueueSettings
from acd.testing import check_invariants


def router() -> Router:
    r = Router([QueueSettings(name="q", rules=(RaisePriority(30.0, 2),))])
    for agent in ("a1", "a2"):
        r.add_agent(agent, {"s": 1})
    return r


def test_a_restored_caller_is_served_before_callers_who_came_later() -> None:
    r = router()
    r.enqueue(CallRequest(id="late", queue="q"), 100.0)
    r.enqueue(CallRequest(id="early", queue="q", enqueued_at=40.0), 101.0)
    out = r.login("a1", 102.0)
    offers = [d for d in out if isinstance(d, Offer)]
    assert [o.call_id for o in offers] == ["early"]
    assert offers[0].why.waited_s == pytest.approx(62.0)
    check_invariants(r)


def test_rules_whose_time_has_passed_fire_at_the_next_advance() -> None:
    r = router()
    r.enqueue(CallRequest(id="c", queue="q", enqueued_at=10.0, queue_entered_at=20.0), 100.0)
    assert r.next_deadline() == pytest.approx(50.0)  # entered 20 + 30 s
    r.advance(100.0)
    assert r.call_info("c").priority == 2
    check_invariants(r)


def test_restore_connected_puts_the_agent_on_call() -> None:
    r = router()
    r.login("a1", 100.0)
    out = r.restore_connected(CallRequest(id="c", queue="q", enqueued_at=50.0), "a1", 60.0, 100.0)
    assert [(d.old, d.new) for d in out] == [(AgentState.AVAILABLE, AgentState.ON_CALL)]  # type: ignore[union-attr]
    assert r.call_info("c").agent_id == "a1"
    check_invariants(r)
    r.end_call("c", 130.0)
    assert r.agent_info("a1").talk_time_s == pytest.approx(70.0)
    check_invariants(r)


def test_bad_restored_times_are_refused_and_change_nothing() -> None:
    r = router()
    with pytest.raises(InvalidValueError, match="restored times"):
        r.enqueue(CallRequest(id="c", queue="q", enqueued_at=200.0), 100.0)
    with pytest.raises(InvalidValueError, match="restored times"):
        r.enqueue(CallRequest(id="c", queue="q", enqueued_at=50.0, queue_entered_at=40.0), 100.0)
    with pytest.raises(IllegalTransitionError, match="restore-connected"):
        r.restore_connected(CallRequest(id="c", queue="q", enqueued_at=50.0), "a1", 60.0, 100.0)
    r.login("a1", 100.0)
    with pytest.raises(InvalidValueError, match="answered_at"):
        r.restore_connected(CallRequest(id="c", queue="q", enqueued_at=50.0), "a1", 40.0, 100.0)
    assert list(r.call_ids()) == []
    check_invariants(r)
