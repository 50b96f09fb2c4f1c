"""The agent state machine: legal paths, illegal events, pauses and wrap-up."""

from __future__ import annotations

import pytest
from acd_helpers import call, offers, queue, staffed

from acd import AgentState, AgentStateChanged, PauseReason, Router
from acd.errors import IllegalTransitionError
from acd.testing import check_invariants, fingerprint


def states(decisions: list[object]) -> list[tuple[str, AgentState, AgentState]]:
    return [(d.agent_id, d.old, d.new) for d in decisions if isinstance(d, AgentStateChanged)]


def test_full_cycle_available_reserved_on_call_wrap_up_available() -> None:
    router = staffed([queue(wrap_up_s=30)], {"a1": {}})
    S = AgentState
    d = router.enqueue(call("c1"), 1.0)
    assert offers(d) == [("c1", "a1")]
    assert states(d) == [("a1", S.AVAILABLE, S.RESERVED)]
    assert states(router.answer("c1", 3.0)) == [("a1", S.RESERVED, S.ON_CALL)]
    assert states(router.end_call("c1", 63.0)) == [("a1", S.ON_CALL, S.WRAP_UP)]
    assert router.next_deadline() == 93.0
    assert states(router.advance(93.0)) == [("a1", S.WRAP_UP, S.AVAILABLE)]
    info = router.agent_info("a1")
    assert info.calls_handled == 1 and info.talk_time_s == 60.0
    check_invariants(router)


def test_zero_wrap_up_goes_straight_back_to_available_and_takes_the_next_call() -> None:
    router = staffed([queue(wrap_up_s=0)], {"a1": {}})
    router.enqueue(call("c1"), 0.0)
    router.enqueue(call("c2"), 1.0)
    router.answer("c1", 2.0)
    d = router.end_call("c1", 10.0)
    assert [s[2] for s in states(d)] == [
        AgentState.WRAP_UP,
        AgentState.AVAILABLE,
        AgentState.RESERVED,
    ]
    assert offers(d) == [("c2", "a1")]


def test_illegal_transition_names_agent_state_and_event_and_changes_nothing() -> None:
    router = staffed([queue()], {"a1": {}})
    router.enqueue(call("c1"), 0.0)
    router.answer("c1", 1.0)
    before = fingerprint(router)
    with pytest.raises(IllegalTransitionError) as err:
        router.logout("a1", 2.0)
    assert "a1" in str(err.value) and "on-call" in str(err.value) and "logout" in str(err.value)
    assert fingerprint(router) == before
    with pytest.raises(IllegalTransitionError):
        router.end_wrap_up("a1", 2.0)
    with pytest.raises(IllegalTransitionError):
        router.login("a1", 2.0)
    assert fingerprint(router) == before


def test_pause_while_on_call_applies_after_wrap_up() -> None:
    router = staffed([queue(wrap_up_s=10)], {"a1": {}})
    router.enqueue(call("c1"), 0.0)
    router.answer("c1", 1.0)
    assert router.pause("a1", PauseReason.LUNCH, 2.0) == []
    assert router.agent_info("a1").pending_pause == "lunch"
    router.end_call("c1", 5.0)
    router.enqueue(call("c2"), 6.0)
    d = router.advance(15.0)
    assert states(d) == [("a1", AgentState.WRAP_UP, AgentState.PAUSED)]
    assert router.agent_info("a1").pause_reason == "lunch"
    assert offers(d) == []  # c2 waits: the agent went on its break
    d = router.unpause("a1", 20.0)
    assert offers(d) == [("c2", "a1")]


def test_unpause_while_busy_cancels_the_pending_pause() -> None:
    router = staffed([queue(wrap_up_s=0)], {"a1": {}})
    router.enqueue(call("c1"), 0.0)
    router.answer("c1", 1.0)
    router.pause("a1", "break", 2.0)
    router.unpause("a1", 3.0)
    d = router.end_call("c1", 4.0)
    assert states(d)[-1][2] is AgentState.AVAILABLE


def test_pending_pause_can_be_cancelled_during_wrap_up() -> None:
    router = staffed([queue(wrap_up_s=30)], {"a1": {}})
    router.enqueue(call("c1"), 0.0)
    router.answer("c1", 1.0)
    router.pause("a1", "break", 2.0)  # pending: the agent is talking
    router.end_call("c1", 5.0)
    assert router.agent_info("a1").state is AgentState.WRAP_UP
    assert router.unpause("a1", 6.0) == []
    assert states(router.advance(35.0)) == [("a1", AgentState.WRAP_UP, AgentState.AVAILABLE)]


def test_pause_from_wrap_up_ends_wrap_up_now() -> None:
    router = staffed([queue(wrap_up_s=60)], {"a1": {}})
    router.enqueue(call("c1"), 0.0)
    router.answer("c1", 1.0)
    router.end_call("c1", 5.0)
    assert states(router.pause("a1", "training", 6.0)) == [
        ("a1", AgentState.WRAP_UP, AgentState.PAUSED)
    ]
    assert router.next_deadline() is None  # the wrap-up timer no longer fires
    assert router.advance(100.0) == []


def test_end_and_extend_wrap_up() -> None:
    router = staffed([queue(wrap_up_s=30)], {"a1": {}})
    router.enqueue(call("c1"), 0.0)
    router.answer("c1", 0.0)
    router.end_call("c1", 10.0)
    router.extend_wrap_up("a1", 15.0, 11.0)
    assert router.next_deadline() == 55.0
    assert router.advance(40.0) == []
    assert states(router.advance(55.0)) == [("a1", AgentState.WRAP_UP, AgentState.AVAILABLE)]
    router.enqueue(call("c2"), 56.0)
    router.answer("c2", 56.0)
    router.end_call("c2", 60.0)
    assert states(router.end_wrap_up("a1", 61.0)) == [
        ("a1", AgentState.WRAP_UP, AgentState.AVAILABLE)
    ]
    assert router.advance(200.0) == []


def test_login_paused_and_logout() -> None:
    router = Router([queue()])
    router.add_agent("a1", {})
    d = router.login("a1", 0.0, paused="meeting")
    assert states(d) == [("a1", AgentState.LOGGED_OUT, AgentState.PAUSED)]
    assert router.agent_info("a1").pause_reason == "meeting"
    assert states(router.logout("a1", 1.0)) == [("a1", AgentState.PAUSED, AgentState.LOGGED_OUT)]
    info = router.agent_info("a1")
    assert info.state is AgentState.LOGGED_OUT and info.time_in_state_s == 0.0
