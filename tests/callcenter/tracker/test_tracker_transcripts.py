"""Each transcript replayed through the tracker gives the call history the README describes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from callcenter.ami.testing import Record, fixtures_dir, transcript_events
from callcenter.tracker import CallOutcome, CallTracker, QueueOutcome, RingOutcome
from callcenter.tracker import facts as f
from callcenter.tracker.model import Call

Transcript = Callable[[str], list[Record]]


def _replay(records: list[Record]) -> tuple[CallTracker, list[f.Fact]]:
    tracker = CallTracker()
    facts = tracker.apply_all(transcript_events(records))
    # Every transcript ends idle: nothing may be left open.
    assert tracker.channels == {}
    assert tracker.bridges == {}
    assert all(c.ended for c in tracker.calls.values())
    return tracker, facts


def _calls(tracker: CallTracker) -> list[Call]:
    return [c for c in tracker.calls.values() if c.outcome is not CallOutcome.MERGED]


def _one_call(records: list[Record]) -> tuple[Call, list[f.Fact]]:
    tracker, facts = _replay(records)
    calls = _calls(tracker)
    assert len(calls) == 1
    ended = [x for x in facts if isinstance(x, f.CallEnded)]
    assert len(ended) == 1  # never counted twice
    return calls[0], facts


def test_b1_queue_answered_agent_hangs_up(transcript: Transcript) -> None:
    call, facts = _one_call(transcript("b1"))
    assert call.call_id == "cc-call-b1" and call.caller_num == "5550001"
    assert call.outcome is CallOutcome.ANSWERED and call.hung_up_by == "agent"
    (seg,) = call.queue
    assert seg.queue == "support" and seg.outcome is QueueOutcome.ANSWERED
    assert seg.wait == pytest.approx(2.0, abs=0.01)
    (ring,) = call.rings
    assert (ring.interface, ring.member_name, ring.outcome) == (
        "Local/1001@agents", "Agent 1001", RingOutcome.ANSWERED)
    assert ring.ring_time == 2.0
    assert call.agent_interface == "Local/1001@agents"
    assert call.talk_time == pytest.approx(5.5, abs=0.05)
    assert call.cdrs.count("ANSWERED") == 3
    kinds = [type(x).__name__ for x in facts]
    assert kinds.index("QueueLeft") < kinds.index("AgentConnected") < kinds.index("TalkStarted")


def test_queue_caller_leave_before_agent_connect_is_an_answer_not_an_abandon(
    transcript: Transcript,
) -> None:
    call, facts = _one_call(transcript("b2"))
    left = [x for x in facts if isinstance(x, f.QueueLeft)]
    assert [x.outcome for x in left] == [QueueOutcome.ANSWERED]
    assert call.hung_up_by == "caller" and call.outcome is CallOutcome.ANSWERED
    assert call.rings[0].ring_time == 1.0
    assert call.talk_time == pytest.approx(5.0, abs=0.1)


def test_b3_ring_no_answer_in_milliseconds_then_the_other_agent(transcript: Transcript) -> None:
    call, facts = _one_call(transcript("b3"))
    first, second = call.rings
    assert first.interface == "Local/1001@agents" and first.outcome is RingOutcome.NO_ANSWER
    assert first.ring_time == 10.0  # wire: RingTime: 10000 (ms)
    assert second.interface == "Local/1002@agents" and second.outcome is RingOutcome.ANSWERED
    assert second.started_at - first.ended_at == pytest.approx(2.0, abs=0.05)  # retry = 2 s
    # DialEnd came twice for the first agent (NOANSWER, CANCEL): one RingEnded only.
    ends = [x for x in facts if isinstance(x, f.RingEnded)]
    assert [x.outcome for x in ends] == [RingOutcome.NO_ANSWER, RingOutcome.ANSWERED]
    assert call.queue[0].wait == pytest.approx(14.0, abs=0.05)


def test_b4_ringall_loser_is_cancelled(transcript: Transcript) -> None:
    call, _ = _one_call(transcript("b4"))
    outcome = {r.interface: r.outcome for r in call.rings}
    assert outcome == {"Local/1002@agents": RingOutcome.ANSWERED,
                       "Local/1001@agents": RingOutcome.CANCELLED}
    assert call.agent_interface == "Local/1002@agents"


def test_c1_abandon_after_three_unanswered_rings(transcript: Transcript) -> None:
    call, _ = _one_call(transcript("c1"))
    assert call.outcome is CallOutcome.ABANDONED
    assert [r.outcome for r in call.rings] == [
        RingOutcome.NO_ANSWER, RingOutcome.NO_ANSWER, RingOutcome.CANCELLED]
    assert all(r.interface == "Local/2001@agents-noanswer" for r in call.rings)
    assert call.queue[0].outcome is QueueOutcome.ABANDONED
    assert call.queue[0].wait == pytest.approx(12.0, abs=0.05)
    assert call.cdrs.count("NO ANSWER") == 3  # one per dial attempt on the caller ;1


def test_c2_abandon_without_any_agent_called(transcript: Transcript) -> None:
    call, _ = _one_call(transcript("c2"))
    assert call.outcome is CallOutcome.ABANDONED and call.rings == []
    assert call.queue[0].wait == pytest.approx(6.0, abs=0.05)


def test_d1_hold_then_redirect_to_agent(transcript: Transcript) -> None:
    call, _ = _one_call(transcript("d1"))
    assert call.queue == []
    (ring,) = call.rings
    assert ring.interface == "Local/1001@agents"
    assert ring.started_at == pytest.approx(3.009, abs=0.01)
    assert call.outcome is CallOutcome.ANSWERED and call.hung_up_by == "agent"
    assert call.talk_time == pytest.approx(5.5, abs=0.05)


def test_d2_linkedid_change_merges_the_originated_agent_into_the_caller(
    transcript: Transcript,
) -> None:
    tracker, facts = _replay(transcript("d2"))
    merged = [x for x in facts if isinstance(x, f.CallMerged)]
    assert [(x.call_id, x.into) for x in merged] == [("cc-d2-agent", "cc-d2-caller")]
    (call,) = _calls(tracker)
    assert call.call_id == "cc-d2-caller"
    assert call.connected_at == pytest.approx(3.011, abs=0.01)
    assert call.agent_interface == "Local/1002@agents"
    assert call.hung_up_by == "agent"
    assert call.talk_time == pytest.approx(3.0, abs=0.05)
    assert len([x for x in facts if isinstance(x, f.CallEnded)]) == 1


def test_d3_local_optimisation_keeps_one_talk_segment(transcript: Transcript) -> None:
    call, facts = _one_call(transcript("d3"))
    assert len(call.talk) == 1
    assert call.talk_time == pytest.approx(5.0, abs=0.05)
    assert len([x for x in facts if isinstance(x, f.TalkStarted)]) == 1
    assert call.agent_interface == "Local/1001@agents"


def test_e1_two_recorded_calls(transcript: Transcript) -> None:
    tracker, _ = _replay(transcript("e1"))
    first, second = _calls(tracker)
    assert (first.hung_up_by, second.hung_up_by) == ("caller", "agent")
    assert second.talk_time == pytest.approx(4.0, abs=0.05)


def test_e2_one_talking_and_one_waiting(transcript: Transcript) -> None:
    tracker, _ = _replay(transcript("e2"))
    talk, wait = _calls(tracker)
    assert talk.queue[0].wait == pytest.approx(1.0, abs=0.05)
    assert wait.queue[0].wait == pytest.approx(4.0, abs=0.05)
    assert wait.agent_interface == "Local/1002@agents"


def test_e4_cdr_before_hangup_and_failed_originate(transcript: Transcript) -> None:
    records = transcript("e4")
    tracker = CallTracker()
    cdr_first = False
    for event in transcript_events(records):
        from callcenter.ami import events as ev

        if isinstance(event, ev.Cdr) and event.uniqueid in tracker.channels:
            # The Cdr of a live channel must not end it.
            tracker.apply(event)
            assert event.uniqueid in tracker.channels
            cdr_first = True
            continue
        tracker.apply(event)
    assert cdr_first
    calls = _calls(tracker)
    assert [c.outcome for c in calls] == [CallOutcome.UNANSWERED] * 4
    assert any("OutgoingSpoolFailed" in c.parties for c in calls)


def test_g2_restart_ends_the_call_cleanly(transcript: Transcript) -> None:
    call, _ = _one_call(transcript("g2"))
    assert call.outcome is CallOutcome.ANSWERED and call.hung_up_by == "caller"
    assert call.ended_at == pytest.approx(2.021, abs=0.01)


@pytest.mark.parametrize("name", sorted(p.name[:2] for p in fixtures_dir().glob("*.jsonl")))
def test_every_transcript_leaves_nothing_open_and_ends_each_call_once(
    transcript: Transcript, name: str
) -> None:
    _tracker, facts = _replay(transcript(name))
    started = [x.call_id for x in facts if isinstance(x, f.CallStarted)]
    ended = [x.call_id for x in facts if isinstance(x, f.CallEnded)]
    merged = [x.call_id for x in facts if isinstance(x, f.CallMerged)]
    assert len(started) == len(set(started))
    assert sorted(ended + merged) == sorted(started)


def test_f1_supervisor_spy_legs_are_their_own_calls(transcript: Transcript) -> None:
    tracker, _ = _replay(transcript("f1"))
    calls = {c.call_id: c for c in _calls(tracker)}
    assert set(calls) == {"cc-f1-caller", "cc-f1-sup1", "cc-f1-sup2"}
    assert calls["cc-f1-caller"].outcome is CallOutcome.ANSWERED
    assert calls["cc-f1-sup1"].caller_num == "800"
