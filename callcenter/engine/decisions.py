"""The router's decisions carried out on the Asterisk side: one handler per decision type.

`RouterDecisions.apply` looks each decision up in a dispatch table: an `Offer` rings the
agent's device (Originate) and pops the screen; `RingNoAnswer` and `OfferWithdrawn` hang the
leg up; `Overflow` and `Expired` send the caller out of the queue; `AgentStateChanged` writes
the agent's state span and ends wrap-up; the call tallies feed today's figures.
"""

from __future__ import annotations

from collections.abc import Callable

from acd import (
    AcdError,
    AgentState,
    AgentStateChanged,
    CallAbandoned,
    CallCompleted,
    CallConnected,
    CallQueued,
    Decision,
    Expired,
    Offer,
    OfferWithdrawn,
    Overflow,
    OverflowTarget,
    RingNoAnswer,
    RuleApplied,
)
from callcenter.ami import actions
from callcenter.engine.announcement import announcement_prompts, announces_while_ringing
from callcenter.engine.dispatch import DispatchTable
from callcenter.engine.live import CallPhase, Leg, LiveAgent, LiveCall
from callcenter.engine.records import finish_if_done
from callcenter.engine.state import CommandRefused, EngineState
from cdr import AgentActivity, AgentStateSpan, Outcome, SegmentKind
from dialplans import contract
from dialplans.contract import Var

_ACTIVITY = {
    AgentState.AVAILABLE: AgentActivity.AVAILABLE,
    AgentState.RESERVED: AgentActivity.RESERVED,
    AgentState.ON_CALL: AgentActivity.ON_CALL,
    AgentState.WRAP_UP: AgentActivity.WRAP_UP,
    AgentState.PAUSED: AgentActivity.PAUSED,
}


class RouterDecisions:
    """Applies what `acd.Router` returns; every entry into the router goes through here."""

    def __init__(self, state: EngineState) -> None:
        self.state = state
        table: DispatchTable[Decision, [float, float]] = DispatchTable()
        table.on(AgentStateChanged, self._agent_changed)
        table.on(Offer, self._offer)
        table.on(RingNoAnswer, self._ring_no_answer)
        table.on(OfferWithdrawn, self._offer_withdrawn)
        table.on(CallConnected, self._connected)
        table.on(CallAbandoned, self._abandoned)
        table.on(Overflow, self._overflow)
        table.on(Expired, self._expired)
        table.on(CallQueued, self._queue_changed)
        table.on(CallCompleted, self._queue_changed)
        table.on(RuleApplied, self._queue_changed)
        self._handler_for = table.handler_for

    # ----------------------------------------------------------------- entries

    def apply(self, decisions: list[Decision], now: float, caused_at: float) -> None:
        handler_for = self._handler_for
        for decision in decisions:
            handler = handler_for(decision)
            if handler is not None:
                handler(decision, now, caused_at)

    def route(self, entry: Callable[[str, float], list[Decision]], call_id: str, now: float,
              caused_at: float) -> None:
        """A router entry about one call; a refusal becomes a notice (the event was real)."""
        try:
            decisions = entry(call_id, now)
        except AcdError as error:
            self.state.outbox.notice("error", f"call {call_id}: {error}")
            return
        self.apply(decisions, now, caused_at)

    def agent_entry(self, entry: Callable[[], list[Decision]], now: float) -> None:
        """A router entry the engine makes by itself (device gone, restore): refusals noted."""
        try:
            decisions = entry()
        except AcdError as error:
            self.state.outbox.notice("error", str(error))
            return
        self.apply(decisions, now, now)

    def command(self, entry: Callable[[], list[Decision]], now: float) -> None:
        """A router entry someone asked for: a refusal is the command's reply."""
        try:
            decisions = entry()
        except AcdError as error:
            raise CommandRefused(str(error)) from None
        self.apply(decisions, now, now)

    # ----------------------------------------------------------------- offers

    def _offer(self, offer: Offer, now: float, caused_at: float) -> None:
        state = self.state
        call = state.calls[offer.call_id]
        agent = state.agents[offer.agent_id]
        device = agent.device or agent.default_device or ""
        call.add_segment(SegmentKind.QUEUE, call.waiting_since, now, queue=call.queue)
        leg = Leg(f"{call.call_id}-{len(call.legs) + 1}", call.call_id, agent.id, now)
        call.legs.append(leg)
        call.leg = leg
        call.phase = CallPhase.RINGING
        agent.call_id = call.call_id
        state.legs[leg.uniqueid] = leg
        variables = [f"{Var.CALL_ID}={call.call_id}", f"{Var.AGENT_ID}={agent.id}",
                     f"{Var.OFFERED_AT}={now!r}"]
        context, exten = contract.AGENT, contract.AGENT_ENTRY
        whisper = state.config.whisper
        if call.callback_to:
            # The agent answers, then cc-outbound dials the customer from the agent's phone.
            context, exten = contract.OUTBOUND, call.callback_to
        elif whisper.enabled:
            exten = contract.WHISPER_ENTRY
            prompt = (whisper.vip_prompt if (call.tier or "").lower() == "vip"
                      else whisper.queue_prompt.format(queue=call.queue))
            variables.append(f"{Var.WHISPER}={prompt}")
        ring_s = state.router.queue_settings(call.queue).ring_timeout_s + state.config.ring_slack_s
        caller_id = f'"{call.caller_name}" <{call.caller}>' if call.caller_name else call.caller
        state.outbox.ami(
            actions.originate(device, context=context, exten=exten, timeout_s=ring_s,
                              caller_id=caller_id, channel_id=leg.uniqueid, variables=variables),
            caused_at, call.call_id, leg.uniqueid,
        )
        if announces_while_ringing(state, call):
            call.announced_agent = None
            state.outbox.setvars(call.channel, {
                Var.AGENT_ID: agent.id, Var.AGENT_DISPLAY: agent.display_id,
                **announcement_prompts(state, call)}, caused_at, call.call_id)
            state.outbox.ami(actions.redirect(call.channel, contract.ANNOUNCE,
                                              contract.ANNOUNCE_ENTRY), caused_at, call.call_id)
        state.outbox.screen_pop(call.call_id, agent.id, leg.uniqueid)

    def _ring_no_answer(self, rona: RingNoAnswer, now: float, caused_at: float) -> None:
        state = self.state
        call = state.calls.get(rona.call_id)
        agent = state.agents[rona.agent_id]
        if agent.call_id == rona.call_id:
            agent.call_id = None
        if call is None or call.leg is None:
            return
        leg = call.leg
        end_ring(call, leg, now, answered=False)
        call.leg = None
        call.phase = CallPhase.WAITING
        call.waiting_since = now
        if leg.ended_at is None:
            state.outbox.ami(actions.hangup(leg.address, actions.CAUSE_NO_USER_RESPONSE),
                             caused_at, call.call_id, leg.uniqueid)
        self._unannounce(call, caused_at)

    def _unannounce(self, call: LiveCall, caused_at: float) -> None:
        """The agent announced while ringing will not take the call: back to music at once
        (the next agent's ID is announced when its phone rings)."""
        if announces_while_ringing(self.state, call) and call.channel:
            call.announced_agent = None
            self.state.outbox.ami(actions.redirect(call.channel, contract.HOLD,
                                                   contract.HOLD_ENTRY), caused_at, call.call_id)

    def _offer_withdrawn(self, withdrawn: OfferWithdrawn, now: float, caused_at: float) -> None:
        state = self.state
        agent = state.agents[withdrawn.agent_id]
        if agent.call_id == withdrawn.call_id:
            agent.call_id = None
        call = state.calls.get(withdrawn.call_id)
        if call is None or call.leg is None:
            return
        leg = call.leg
        end_ring(call, leg, now, answered=False)
        call.leg = None
        if leg.ended_at is None:
            state.outbox.ami(actions.hangup(leg.address), caused_at, call.call_id, leg.uniqueid)
        if call.phase is CallPhase.WAITING or call.phase is CallPhase.RINGING:
            self._unannounce(call, caused_at)

    # ----------------------------------------------------------------- leaving the queue

    def _overflow(self, overflow: Overflow, now: float, caused_at: float) -> None:
        state = self.state
        call = state.calls.get(overflow.call_id)
        if call is None:
            return
        state.dirty_queues.add(overflow.from_queue)
        call.add_segment(SegmentKind.QUEUE, call.waiting_since, now, queue=overflow.from_queue)
        call.waiting_since = now
        state.stats.left(overflow.from_queue, now)
        if overflow.target is OverflowTarget.QUEUE and overflow.to_queue is not None:
            call.queue = overflow.to_queue
            call.overflowed_to = overflow.to_queue
            state.dirty_queues.add(overflow.to_queue)
            state.outbox.setvars(call.channel, {
                Var.QUEUE: call.queue, Var.QUEUE_ENTERED_AT: repr(now),
                Var.HOLD_SLICE: state.config.hold_slice(call.queue),
            }, caused_at, call.call_id)
            return
        call.phase = CallPhase.LEFT
        call.outcome = (Outcome.VOICEMAIL if overflow.target is OverflowTarget.VOICEMAIL
                        else Outcome.CALLBACK)
        state.outbox.ami(actions.redirect(call.channel, contract.OVERFLOW,
                                          overflow.target.value), caused_at, call.call_id)

    def _expired(self, expired: Expired, now: float, caused_at: float) -> None:
        state = self.state
        call = state.calls.get(expired.call_id)
        if call is None:
            return
        state.stats.left(expired.queue, now)
        state.dirty_queues.add(expired.queue)
        call.add_segment(SegmentKind.QUEUE, call.waiting_since, now, queue=expired.queue)
        call.phase = CallPhase.LEFT
        call.outcome = Outcome.OVERFLOWED
        state.outbox.ami(actions.redirect(call.channel, contract.OVERFLOW, contract.EXPIRED),
                         caused_at, call.call_id)

    # ----------------------------------------------------------------- tallies

    def _connected(self, connected: CallConnected, now: float, caused_at: float) -> None:
        self.state.stats.answered(connected.queue, connected.waited_s, now)
        self.state.dirty_queues.add(connected.queue)

    def _abandoned(self, abandoned: CallAbandoned, now: float, caused_at: float) -> None:
        self.state.stats.abandoned(abandoned.queue, abandoned.waited_s, now)
        self.state.dirty_queues.add(abandoned.queue)

    def _queue_changed(self, decision: CallQueued | CallCompleted | RuleApplied, now: float,
                       caused_at: float) -> None:
        self.state.dirty_queues.add(decision.queue)

    # ----------------------------------------------------------------- agents

    def _agent_changed(self, change: AgentStateChanged, now: float, caused_at: float) -> None:
        state = self.state
        agent = state.agents[change.agent_id]
        old_activity = _ACTIVITY.get(change.old)
        if old_activity is not None and agent.logged_in_at is not None:
            state.outbox.store(AgentStateSpan(
                agent.id, old_activity, agent.state_since, change.at, agent.reason))
        if change.old is AgentState.WRAP_UP and agent.call_id is not None:
            self._wrap_up_ended(agent, change.at)
        agent.state = change.new
        agent.state_since = change.at
        agent.reason = change.reason
        state.outbox.agent_state(agent.id)

    def _wrap_up_ended(self, agent: LiveAgent, now: float) -> None:
        call_id, agent.call_id = agent.call_id, None
        call = self.state.calls.get(call_id or "")
        if call is None:
            return
        call.add_segment(SegmentKind.WRAP_UP, agent.state_since, now, agent_id=agent.id,
                         queue=call.queue)
        call.wrap_ups_pending.discard(agent.id)
        finish_if_done(self.state, call)


def end_ring(call: LiveCall, leg: Leg, now: float, *, answered: bool) -> None:
    """The ring segment of an offer that was answered or not."""
    call.add_segment(SegmentKind.RING, leg.offered_at, now, agent_id=leg.agent_id,
                     queue=call.queue, answered=answered)
