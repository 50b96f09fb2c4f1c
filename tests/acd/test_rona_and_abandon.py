"""Ring-no-answer keeps the call's place; abandons are timed and release the agent."""

from __future__ import annotations

from acd_helpers import call, offers, queue, staffed

from acd import (
    AgentState,
    CallAbandoned,
    CallQueued,
    OfferWithdrawn,
    RingNoAnswer,
    RonaAction,
    Router,
)
from acd.testing import check_invariants


def test_rona_pauses_the_agent_and_the_call_keeps_its_place_in_line() -> None:
    router = Router([queue(ring_timeout_s=15.0)])
    router.add_agent("sleepy", {})
    router.add_agent("b", {})
    router.login("sleepy", 0.0)
    router.enqueue(call("first"), 1.0)  # offered to sleepy at once
    router.enqueue(call("second"), 2.0)
    router.enqueue(call("third"), 3.0)
    assert router.next_deadline() == 16.0
    d = router.advance(16.0)
    [rona] = [x for x in d if isinstance(x, RingNoAnswer)]
    assert (rona.call_id, rona.agent_id, rona.rang_s, rona.rejected) == (
        "first",
        "sleepy",
        15.0,
        False,
    )
    info = router.agent_info("sleepy")
    assert info.state is AgentState.PAUSED and info.pause_reason == "RONA"
    # Back at the head of the line, not at the back.
    assert router.position("first") == 1
    assert router.position("third") == 3
    assert offers(router.login("b", 20.0)) == [("first", "b")]
    check_invariants(router)


def test_reject_is_a_rona_too() -> None:
    router = staffed([queue()], {"a": {}, "b": {}})
    d = router.enqueue(call("c1"), 1.0)
    assert offers(d) == [("c1", "a")]
    d = router.reject("c1", 2.0)
    assert [x.rejected for x in d if isinstance(x, RingNoAnswer)] == [True]
    assert offers(d) == [("c1", "b")]  # straight to the next idle agent


def test_rona_back_to_available_skips_that_agent_for_the_retry_window() -> None:
    router = Router([queue(ring_timeout_s=10.0, rona_action=RonaAction.AVAILABLE, retry_s=5.0)])
    router.add_agent("a", {})
    router.login("a", 0.0)
    router.enqueue(call("c1"), 0.0)
    d = router.advance(10.0)
    assert router.agent_info("a").state is AgentState.AVAILABLE
    assert offers(d) == []  # not rung again at once
    router.enqueue(call("c2"), 11.0)  # another call can still reach it
    assert router.call_info("c2").agent_id == "a"
    router.reject("c2", 12.0)
    assert router.next_deadline() == 15.0
    d = router.advance(15.0)
    assert offers(d) == [("c1", "a")]  # retry window over: c1 comes back to a first
    check_invariants(router)


def test_abandon_while_waiting_is_timed_and_removes_the_call() -> None:
    router = Router([queue()])
    router.add_agent("a", {})
    router.enqueue(call("c1"), 10.0)
    d = router.abandon("c1", 42.5)
    assert [
        (x.call_id, x.waited_s, x.while_ringing) for x in d if isinstance(x, CallAbandoned)
    ] == [("c1", 32.5, None)]
    assert router.queue_snapshot("support").waiting == 0
    assert offers(router.login("a", 50.0)) == []


def test_abandon_while_ringing_releases_the_agent_to_the_next_call() -> None:
    router = staffed([queue()], {"a": {}})
    router.enqueue(call("c1"), 0.0)
    router.enqueue(call("c2"), 1.0)
    d = router.abandon("c1", 5.0)
    assert [type(x).__name__ for x in d][:2] == ["OfferWithdrawn", "CallAbandoned"]
    assert [x.agent_id for x in d if isinstance(x, OfferWithdrawn)] == ["a"]
    assert offers(d) == [("c2", "a")]
    assert router.next_deadline() == 20.0  # the ring timer of c2, not the stale one of c1


def test_abandon_many_waiting_calls_leaves_consistent_state() -> None:
    router = Router([queue()])
    router.add_agent("a", {})
    for i in range(500):
        router.enqueue(call(f"c{i}", priority=i % 10), float(i))
    for i in range(0, 500, 2):
        router.abandon(f"c{i}", 600.0)
    assert router.queue_snapshot("support").waiting == 250
    check_invariants(router)
    d = router.login("a", 601.0)
    assert offers(d) == [("c9", "a")]  # highest priority (9) and the oldest of them


def test_abandon_resume_gives_the_old_place_back_within_the_window() -> None:
    router = Router([queue(resume_window_s=120.0)])
    router.add_agent("a", {})
    router.enqueue(call("c1", caller="5550001"), 0.0)
    router.enqueue(call("c2", caller="5550002"), 10.0)
    router.abandon("c1", 30.0)
    d = router.enqueue(call("c1-again", caller="5550001"), 100.0)
    assert [x.resumed for x in d if isinstance(x, CallQueued)] == [True]
    assert router.position("c1-again") == 1
    assert router.call_info("c1-again").enqueued_at == 0.0


def test_abandon_resume_expires_after_the_window() -> None:
    router = Router([queue(resume_window_s=60.0)])
    router.add_agent("a", {})
    router.enqueue(call("c1", caller="5550001"), 0.0)
    router.enqueue(call("c2", caller="5550002"), 10.0)
    router.abandon("c1", 30.0)
    d = router.enqueue(call("c1-again", caller="5550001"), 91.0)
    assert [x.resumed for x in d if isinstance(x, CallQueued)] == [False]
    assert router.position("c1-again") == 2


def test_hangup_dispatches_on_state() -> None:
    router = staffed([queue(wrap_up_s=5.0)], {"a": {}})
    router.enqueue(call("c1"), 0.0)
    router.answer("c1", 1.0)
    d = router.hangup("c1", 9.0)
    assert router.agent_info("a").state is AgentState.WRAP_UP
    assert any(type(x).__name__ == "CallCompleted" for x in d)


def test_answered_offers_leave_no_ring_timeout_and_an_unanswered_one_still_rings_out() -> None:
    router = staffed([queue(ring_timeout_s=15.0)], {"a": {}, "b": {}, "c": {}})
    router.enqueue(call("c1"), 1.0)  # to a
    router.answer("c1", 1.0)
    router.enqueue(call("c2"), 2.0)  # to b, who lets it ring
    router.enqueue(call("c3"), 3.0)  # to c
    router.answer("c3", 3.0)
    assert router.next_deadline() == 17.0  # c2's ring timeout, and nothing stale before it
    assert [x.call_id for x in router.advance(17.0) if isinstance(x, RingNoAnswer)] == ["c2"]
    router.end_call("c1", 20.0)  # a takes c2 back, and answers it
    router.answer("c2", 20.0)
    assert router.next_deadline() is None
    check_invariants(router)
