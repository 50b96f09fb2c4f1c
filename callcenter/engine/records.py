"""The call record at the end of a call: one `CallRecord` per caller, written once.

A queue call's record waits until the caller is gone and every agent who talked to it has
ended wrap-up; an IVR caller who never reached a queue gets its record once both its flow and
its channel have ended.
"""

from __future__ import annotations

from callcenter.engine import recorder
from callcenter.engine.live import CallPhase, IvrSpan, LiveCall
from callcenter.engine.state import EngineState
from cdr import CallRecord, Direction, HangupBy, Outcome, Segment, SegmentKind


def finish_if_done(state: EngineState, call: LiveCall) -> None:
    """Write the record and forget the call, once it has ended and every wrap-up is over."""
    if call.phase is not CallPhase.ENDED or call.wrap_ups_pending:
        return
    del state.calls[call.call_id]
    for leg in call.legs:
        state.legs.pop(leg.uniqueid, None)
    state.outbox.store(record_of(call, state.clock))
    recording_done(state, call, call.ended_at if call.ended_at is not None else state.clock)


def recording_done(state: EngineState, call: LiveCall, now: float) -> None:
    item = recorder.finished(call, now)
    if item is not None:
        state.outbox.store(item)


def record_of(call: LiveCall, clock: float) -> CallRecord:
    """The call's record as it stands (`clock` ends a call that has no end yet)."""
    first_offer = call.legs[0].offered_at if call.legs else None
    answered_leg = next((leg for leg in call.legs if leg.answered_at), None)
    transfer_exten, transfer_context = call.transfer_to or (None, None)
    outbound = bool(call.legs) and call.legs[0].outbound
    return CallRecord(
        call_id=call.call_id, arrived_at=call.arrived_at,
        ended_at=call.ended_at if call.ended_at is not None else clock,
        outcome=call.outcome or Outcome.ABANDONED,
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        linkedid=call.linkedid or None, uniqueid=call.call_id, channel=call.channel or None,
        agent_channel=answered_leg.channel if answered_leg is not None else None,
        agent_uniqueid=answered_leg.uniqueid if answered_leg is not None else None,
        caller=call.caller or None, dnis=call.did or None, customer_id=call.customer_id,
        queue=call.queue or None, priority=call.priority, tier=call.tier,
        enqueued_at=None if outbound else call.enqueued_at,
        offered_at=first_offer, answered_at=call.answered_at, agent_id=call.agent_id,
        agent_display_id=call.agent_display, hangup_by=call.hangup_by,
        transferred=call.transferred, transfer_exten=transfer_exten,
        transfer_context=transfer_context, segments=tuple(call.segments),
        recording=call.recording.path if call.recording is not None else None,
        survey=call.survey,
    )


def finish_ivr_span(state: EngineState, span: IvrSpan) -> None:
    """Write the record of a caller the IVR kept (blocked, voicemail, transferred, hung up
    in a menu) once both its flow and its channel have ended."""
    if span.ended_at is None or span.hung_up_at is None:
        return
    if state.ivr_spans.pop(span.uniqueid, None) is None:
        return  # written already (the channel's end was seen at a reconnection)
    # No outcome: the flow enqueued the caller, who hung up before reaching the queue.
    outcome = span.outcome or Outcome.ABANDONED
    record = CallRecord(
        call_id=span.uniqueid, arrived_at=span.started_at, ended_at=span.hung_up_at,
        outcome=outcome, uniqueid=span.uniqueid, linkedid=span.uniqueid,
        channel=span.channel or None, caller=span.caller or None, dnis=span.did or None,
        customer_id=span.customer_id, queue=span.queue, tier=span.tier,
        hangup_by=HangupBy.CALLER if outcome is Outcome.ABANDONED else None,
    )
    record.segments = (Segment(0, SegmentKind.IVR, span.started_at,
                               max(span.started_at, span.ended_at)),)
    state.outbox.store(record)
