"""What the engine does for callers outside the ACD proper: the IVR before the queue, the
callback that keeps a waiting caller's place, the post-call survey.

The IVR handlers (`callcenter.engine.ivr_handlers`) call these through the switchboard
between awaits, like every other input; everything here is synchronous and does no I/O.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from acd import AcdError, AgentState, CallRequest
from callcenter.engine.decisions import RouterDecisions
from callcenter.engine.live import CallPhase, IvrSpan, LiveCall
from callcenter.engine.records import finish_ivr_span
from callcenter.engine.state import EngineState, ScheduledCallback
from cdr import Outcome, SegmentKind, Survey
from ivr.outcomes import (
    Blocked,
    CallbackRequest,
    Enqueue,
    HangUp,
    IvrOutcome,
    Transfer,
    Voicemail,
)
from ivr.ports import QueueStatus


@dataclass(frozen=True, slots=True)
class HoldStatus:
    """A waiting caller as the position announcement sees it."""

    queue: str
    position: int
    expected_wait_s: float | None
    language: str
    callback_allowed: bool


class CallerServices:
    """IVR spans, callbacks and surveys, over the state book and the router."""

    def __init__(self, state: EngineState, decisions: RouterDecisions) -> None:
        self.state = state
        self.decisions = decisions

    # ----------------------------------------------------------------- IVR

    def ivr_started(self, uniqueid: str, channel: str, caller: str, caller_name: str,
                    did: str, language: str, now: float) -> IvrSpan:
        now = self.state.tick(now)
        span = IvrSpan(uniqueid, channel, caller, caller_name, did, now, language)
        self.state.ivr_spans[uniqueid] = span
        return span

    def ivr_finished(self, span: IvrSpan, outcome: IvrOutcome, now: float) -> None:
        """The flow ended: remember how, so the enqueue (or the record) can use it."""
        now = self.state.tick(now)
        if self.state.ivr_spans.get(span.uniqueid) is not span:
            return  # the caller's record was written at a reconnection meanwhile
        span.ended_at = now
        span.path = "/".join(outcome.path)
        match outcome:
            case Enqueue():
                span.queue, span.tier = outcome.queue, outcome.tier or None
                span.customer_id = outcome.customer_id or span.customer_id
                return  # the UserEvent from cc-enqueue takes the span
            case Voicemail():
                span.outcome, span.queue = Outcome.VOICEMAIL, outcome.box
            case Transfer():
                span.outcome = Outcome.TRANSFERRED
            case Blocked():
                span.outcome = Outcome.BLOCKED
            case HangUp():
                span.outcome = Outcome.ABANDONED if outcome.caller_hung_up else Outcome.BLOCKED
            case CallbackRequest():
                self.state.ivr_spans.pop(span.uniqueid, None)
                self.schedule_callback(span.uniqueid, outcome, span.caller_name, span, now)
                return
        finish_ivr_span(self.state, span)

    def queue_status(self, queue: str) -> QueueStatus:
        """For IVR branch conditions; raises AcdError for an unknown queue."""
        snapshot = self.state.router.queue_snapshot(queue)
        staffed = sum(n for state, n in snapshot.agents.items()
                      if state not in (AgentState.LOGGED_OUT, AgentState.PAUSED))
        available = snapshot.agents.get(AgentState.AVAILABLE, 0)
        if available:
            wait: float | None = 0.0
        elif staffed:
            wait = (snapshot.waiting + 1) * snapshot.handle_estimate_s / staffed
        else:
            wait = None
        logged_in = sum(n for state, n in snapshot.agents.items()
                        if state is not AgentState.LOGGED_OUT)
        return QueueStatus(snapshot.waiting, wait, logged_in, available)

    # ----------------------------------------------------------------- while waiting

    def hold_status(self, call_id: str) -> HoldStatus | None:
        """None unless the caller is waiting (not ringing an agent, not on a callback)."""
        call = self.state.calls.get(call_id)
        if call is None or call.phase is not CallPhase.WAITING or call.callback_to:
            return None
        try:
            position = self.state.router.position(call_id)
            wait = self.state.router.expected_wait(call_id)
        except AcdError:
            return None
        if position == 0:
            return None
        return HoldStatus(call.queue, position, wait, call.language,
                          self.state.config.services_of(call.queue).callback)

    def request_callback(self, call_id: str, number: str, now: float) -> bool:
        """The waiting caller asked to be called back at `number`: the call keeps its place;
        when its turn comes the agent's phone rings and then dials the customer."""
        call = self.state.calls.get(call_id)
        if call is None or call.phase is not CallPhase.WAITING or not number:
            return False
        self.state.tick(now)
        call.callback_to = number
        self.state.outbox.notice(
            "info", f"call {call_id}: callback to {number} requested, place kept",
            call_id=call_id)
        return True

    def schedule_callback(self, call_id: str, request: CallbackRequest, caller_name: str,
                          span: IvrSpan | None, now: float) -> None:
        """An IVR callback request: queued now, or at `request.at`."""
        due = request.at if request.at is not None and request.at > now else now
        self.state.scheduled_seq += 1
        heapq.heappush(self.state.scheduled, (due, self.state.scheduled_seq,
                                         ScheduledCallback(call_id, request, caller_name, span)))
        if due <= now:
            self._release_callbacks(now)

    def _release_callbacks(self, now: float) -> None:
        while self.state.scheduled and self.state.scheduled[0][0] <= now:
            _, _, item = heapq.heappop(self.state.scheduled)
            self._queue_callback(item, now)

    def _queue_callback(self, item: ScheduledCallback, now: float) -> None:
        request = item.request
        try:
            decisions = self.state.router.enqueue(
                CallRequest(id=item.call_id, queue=request.queue, caller=request.number), now)
        except AcdError as error:
            self.state.outbox.notice(
                "error", f"callback {item.call_id} to {request.number}: {error}",
                call_id=item.call_id)
            return
        span = item.span
        arrived = span.started_at if span is not None else now
        call = LiveCall(
            call_id=item.call_id, channel="", caller=request.number,
            caller_name=item.caller_name, queue=request.queue, priority=0, skills="",
            language=request.language, tier=span.tier if span else None,
            ivr_path="/".join(request.path), arrived_at=arrived, enqueued_at=now,
            waiting_since=now, callback_to=request.number,
            did=span.did if span is not None else "",
        )
        if span is not None:
            call.add_segment(SegmentKind.IVR, span.started_at, span.ended_at or now)
            call.customer_id = span.customer_id
        self.state.calls[item.call_id] = call
        self.state.enqueued_total += 1
        self.state.dirty_queues.add(request.queue)
        self.decisions.apply(decisions, now, now)

    # ----------------------------------------------------------------- timers

    def next_due(self) -> float | None:
        """When the next scheduled callback is due (None: none is)."""
        scheduled = self.state.scheduled
        return scheduled[0][0] if scheduled else None

    def release_due(self, now: float) -> None:
        if self.state.scheduled:
            self._release_callbacks(now)

    def voicemail_result(self, uniqueid: str, *, taken: bool, now: float) -> None:
        """The voicemail script ended: without a message (the caller left before the beep or
        said nothing, or it could not be recorded) the record must not say voicemail. An IVR
        caller is then an abandon; a queue caller sent to voicemail by rule, an overflow."""
        self.state.tick(now)
        if taken:
            return
        span = self.state.ivr_spans.get(uniqueid)
        if span is not None and span.outcome is Outcome.VOICEMAIL:
            span.outcome = Outcome.ABANDONED
            return
        call = self.state.calls.get(uniqueid)
        if call is not None and call.outcome is Outcome.VOICEMAIL:
            call.outcome = Outcome.OVERFLOWED

    # ----------------------------------------------------------------- after the call

    def survey_wanted(self, call_id: str) -> tuple[bool, bool, str] | None:
        """(csat, nps, language) if the caller's queue surveys and the agent hung up first."""
        call = self.state.calls.get(call_id)
        if call is None or call.answered_at is None or call.survey is not None:
            return None
        services = self.state.config.services_of(call.queue)
        if not (services.survey_csat or services.survey_nps):
            return None
        return services.survey_csat, services.survey_nps, call.language

    def survey_answered(self, call_id: str, csat: int | None, nps: int | None,
                        now: float) -> bool:
        call = self.state.calls.get(call_id)
        if call is None:
            return False
        call.survey = Survey(csat, nps, self.state.tick(now))
        return True
