"""IVR spans, callbacks and surveys in the switchboard, without a PBX: every IVR caller ends in
exactly one record, whatever order the flow's end and the channel's end arrive in."""

from __future__ import annotations

from engine_helpers import caller_hangup, channel, config, enqueue

from callcenter.ami import events as ev
from callcenter.engine.effects import StoreRecord
from callcenter.engine.live import CallPhase
from callcenter.engine.switchboard import Switchboard
from cdr.records import CallRecord, Outcome, SegmentKind
from ivr.outcomes import Blocked, Enqueue, HangUp

T0 = 1_700_000_000.0


def records(sb: Switchboard) -> list[CallRecord]:
    return [e.item for e in sb.take_effects()
            if isinstance(e, StoreRecord) and isinstance(e.item, CallRecord)]


def in_ivr(sb: Switchboard, uid: str, at: float = T0) -> None:
    sb.ivr_started(uid, f"PJSIP/trunk-{uid}", "5550001", "Caller", "4000", "en", at)


def test_a_blocked_caller_gets_one_record_whichever_end_comes_first() -> None:
    for hangup_first in (False, True):
        sb = Switchboard(config())
        in_ivr(sb, "c1")
        span = sb.ivr_spans["c1"]
        if hangup_first:
            caller_hangup(sb, "c1", T0 + 3)
        sb.ivr_finished(span, Blocked("abusive", path=("screen",)), T0 + 2)
        if not hangup_first:
            assert records(sb) == []  # the channel has not ended yet
            caller_hangup(sb, "c1", T0 + 3)
        (record,) = records(sb)
        assert record.outcome is Outcome.BLOCKED and record.queue is None
        assert [(s.kind, s.start, s.end) for s in record.segments] == [
            (SegmentKind.IVR, T0, T0 + (3 if hangup_first else 2))]
        assert sb.ivr_spans == {}


def test_the_ivr_segment_starts_the_record_of_an_enqueued_caller() -> None:
    sb = Switchboard(config())
    in_ivr(sb, "c1")
    sb.ivr_finished(sb.ivr_spans["c1"], Enqueue("support", path=("menu=2", "q")), T0 + 5)
    enqueue(sb, "c1", T0 + 6)
    call = sb.calls["c1"]
    assert call.arrived_at == T0 and call.segments[0].kind is SegmentKind.IVR
    caller_hangup(sb, "c1", T0 + 9)
    (record,) = records(sb)
    assert record.outcome is Outcome.ABANDONED
    assert [s.kind for s in record.segments] == [SegmentKind.IVR, SegmentKind.QUEUE]


def test_hanging_up_between_the_ivr_and_the_queue_is_an_abandon() -> None:
    sb = Switchboard(config())
    in_ivr(sb, "c1")
    sb.ivr_finished(sb.ivr_spans["c1"], Enqueue("support"), T0 + 5)
    caller_hangup(sb, "c1", T0 + 5.1)  # before cc-enqueue's UserEvent
    (record,) = records(sb)
    assert record.outcome is Outcome.ABANDONED and sb.ivr_spans == {}


def test_a_caller_gone_during_an_ami_outage_is_recorded_at_the_reconnection() -> None:
    sb = Switchboard(config())
    in_ivr(sb, "c1")
    in_ivr(sb, "c2")
    held_by_the_agi_handler = sb.ivr_spans["c1"]
    still_there = ev.CoreShowChannel(T0 + 30, channel("PJSIP/trunk-c2", "c2",
                                                      context="cc-inbound"), "AGI", "", "", "")
    sb.reconcile([still_there], T0 + 30)
    (record,) = records(sb)
    assert (record.call_id, record.outcome) == ("c1", Outcome.ABANDONED)
    sb.ivr_finished(held_by_the_agi_handler, HangUp(caller_hung_up=True), T0 + 31)
    assert records(sb) == [] and list(sb.ivr_spans) == ["c2"]


def test_a_callback_keeps_the_place_after_the_caller_hangs_up() -> None:
    sb = Switchboard(config())
    enqueue(sb, "c1", T0)
    enqueue(sb, "c2", T0 + 1)
    assert sb.request_callback("c1", "5550001", T0 + 2)
    caller_hangup(sb, "c1", T0 + 3)
    call = sb.calls["c1"]
    assert call.phase is CallPhase.WAITING and call.channel == "" and records(sb) == []
    assert sb.router.position("c1") == 1 and sb.router.position("c2") == 2
    assert sb.hold_status("c2") is not None and sb.hold_status("c1") is None
