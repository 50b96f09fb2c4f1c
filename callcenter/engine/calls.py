"""A queue call's life on the Asterisk side: queued, rung, connected, ended.

`CallFlow` holds the steps that AMI events, agent commands and the restore path share: a
caller enters a queue, an agent leg answers (announcement, then bridge), the call is put on
hold, the caller or the agent leg goes away, the talk ends. Each step changes the state book,
asks the router through `RouterDecisions`, and leaves its AMI actions in the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping

from acd import AcdError, AgentState, CallRequest, Requirement, SkillLevel
from callcenter.ami import actions, events as ev
from callcenter.engine import recorder
from callcenter.engine.announcement import announcement_prompts, announces_while_ringing
from callcenter.engine.decisions import RouterDecisions, end_ring
from callcenter.engine.live import CallPhase, Leg, LiveAgent, LiveCall
from callcenter.engine.records import finish_if_done, record_of, recording_done
from callcenter.engine.state import OUTBOUND_PAUSE, EngineState
from cdr import HangupBy, Outcome, SegmentKind
from dialplans import contract
from dialplans.contract import EnqueueField, Var
from recording.policy import CallType

OPTOUT_VALUES = frozenset({"1", "yes", "true"})  # CC_RECORDING_OPTOUT, via RecordingOptOut


def parse_skills(text: str) -> tuple[Requirement, ...] | None:
    """`CC_SKILLS` → alternatives: `billing:3&english:2|general:1`; empty → None (the queue's).

    Raises ValueError naming the bad part."""
    text = text.strip()
    if not text:
        return None
    alternatives: list[Requirement] = []
    for alternative in text.split("|"):
        skills: dict[str, int] = {}
        for part in alternative.split("&"):
            name, sep, level = part.strip().partition(":")
            if not name or (sep and not level.strip().isdigit()):
                raise ValueError(f"skill {part!r}: expected name or name:level")
            skills[name] = int(level) if sep else 1
        # The router checks the levels and canonicalises (acd.skills.requirement).
        alternatives.append(tuple(SkillLevel(name, level) for name, level in skills.items()))
    return tuple(alternatives)


def _agent_of(call: LiveCall) -> str | None:
    return call.leg.agent_id if call.leg is not None else None


def parse_float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


class CallFlow:
    """The steps of a queue call, shared by every input of the switchboard."""

    def __init__(self, state: EngineState, decisions: RouterDecisions) -> None:
        self.state = state
        self.decisions = decisions

    # ----------------------------------------------------------------- entering a queue

    def enqueue_channel(self, channel: ev.Channel, fields: Mapping[str, str], now: float,
                        caused_at: float, *, restored: bool = False) -> LiveCall | None:
        """A caller asks for a queue (the `CallcenterEnqueue` headers; restored callers also
        carry `CC_ENQUEUED_AT` / `CC_QUEUE_ENTERED_AT`)."""
        state = self.state
        outbox = state.outbox
        uid = channel.uniqueid
        queue = fields.get(EnqueueField.QUEUE, "")
        where = f"call {uid} ({channel.name})"
        if not state.knows_queue(queue):
            outbox.notice("error", f"{where}: unknown queue {queue!r}; the caller is hung up",
                          call_id=uid)
            outbox.ami(actions.hangup(channel.name, actions.CAUSE_UNALLOCATED), caused_at, uid)
            return None
        priority_text = fields.get(EnqueueField.PRIORITY, "") or "0"
        priority = int(priority_text) if priority_text.isdigit() else -1
        if not 0 <= priority <= 9:
            outbox.notice("warning",
                          f"{where}: CallPriority {priority_text!r} is not 0-9; using 0")
            priority = 0
        skills = fields.get(EnqueueField.SKILLS, "")
        try:
            required = parse_skills(skills)
        except ValueError as error:
            outbox.notice("warning", f"{where}: Skills: {error}; using the queue's skills")
            required = None
        language = (fields.get(EnqueueField.LANGUAGE, "")
                    or state.config.announce.default_language)
        tier = fields.get(EnqueueField.TIER, "") or None
        enqueued_at = parse_float(fields.get(Var.ENQUEUED_AT)) if restored else None
        entered_at = parse_float(fields.get(Var.QUEUE_ENTERED_AT)) if restored else None
        if enqueued_at is not None and not enqueued_at <= now:
            enqueued_at = entered_at = None
        if entered_at is not None and enqueued_at is not None and not (
            enqueued_at <= entered_at <= now
        ):
            entered_at = enqueued_at
        request = CallRequest(
            id=uid, queue=queue, priority=priority, required=required, tier=tier,
            caller=channel.caller_id_num or None, enqueued_at=enqueued_at,
            queue_entered_at=entered_at,
        )
        try:
            decisions = state.router.enqueue(request, now)
        except AcdError as error:
            outbox.notice("error", f"{where}: cannot queue: {error}; the caller is hung up")
            outbox.ami(actions.hangup(channel.name, actions.CAUSE_UNALLOCATED), caused_at, uid)
            return None
        span = state.ivr_spans.pop(uid, None)
        arrived_at = enqueued_at or now
        if span is not None and span.started_at <= arrived_at:
            arrived_at = span.started_at
        optout = fields.get(EnqueueField.RECORDING_OPTOUT, "").strip().lower() in OPTOUT_VALUES
        call = LiveCall(
            call_id=uid, channel=channel.name, caller=channel.caller_id_num,
            caller_name=channel.caller_id_name, queue=queue, priority=priority,
            skills=skills, language=language, tier=tier,
            ivr_path=fields.get(EnqueueField.IVR_PATH, ""), arrived_at=arrived_at,
            enqueued_at=enqueued_at or now, linkedid=channel.linkedid,
            # The dialled number comes from cc-inbound (the enqueue runs in cc-enqueue,s).
            did=fields.get(EnqueueField.DID, "") or (span.did if span is not None else ""),
            waiting_since=entered_at or enqueued_at or now, recording_optout=optout,
        )
        if span is not None:
            call.add_segment(SegmentKind.IVR, arrived_at, span.ended_at or now)
            call.customer_id = span.customer_id
        state.calls[uid] = call
        state.enqueued_total += 1
        state.dirty_queues.add(queue)
        if not restored:
            # The one piece of routing state the dialplan cannot know; the rest it set itself.
            outbox.setvars(channel.name, {Var.ENQUEUED_AT: repr(now)}, caused_at, uid)
        if call.caller:
            outbox.lookup(uid, call.caller)
        self.decisions.apply(decisions, now, caused_at)
        return call

    # ----------------------------------------------------------------- the agent answers

    def leg_answered(self, leg: Leg, channel: str, now: float) -> None:
        """The agent picked up: connect the call (announcement, then bridge)."""
        state = self.state
        outbox = state.outbox
        leg.channel = channel
        leg.answered_at = now
        if leg.outbound:
            return
        call = state.calls.get(leg.call_id)
        if call is None or call.leg is not leg or call.phase is not CallPhase.RINGING:
            # Answered too late: the offer is gone.
            outbox.ami(actions.hangup(leg.address), now, leg.call_id, leg.uniqueid)
            return
        try:
            decisions = state.router.answer(call.call_id, now)
        except AcdError as error:
            outbox.notice("error", f"call {call.call_id}: answer refused by the router: {error}")
            outbox.ami(actions.hangup(leg.address), now, call.call_id, leg.uniqueid)
            return
        end_ring(call, leg, now, answered=True)
        call.phase = CallPhase.CONNECTED
        agent = state.agents[leg.agent_id]
        if call.agent_id is None:
            call.agent_id = agent.id
            call.agent_display = agent.display_id
            call.answered_at = now
        call.wrap_ups_pending.add(agent.id)
        self.decisions.apply(decisions, now, now)
        if call.callback_to:
            call.answered_at = call.callback_reached_at  # talk starts when the customer answers
            return
        if not state.config.announce.enabled or call.announced_agent == agent.id:
            call.talk_since = now  # nothing (more) to hear first: the bridge follows
        else:
            call.announce_since = now  # the agent waits while the caller hears its ID
            if announces_while_ringing(state, call):
                call.connect_pending = True  # bridged when that announcement ends
                return
        self.connect_caller(call, agent, leg, now)

    def connect_caller(self, call: LiveCall, agent: LiveAgent, leg: Leg,
                       caused_at: float) -> None:
        """Tell the caller who answers, then bridge (the dialplan's cc-connect); straight to
        the bridge when the caller heard the agent's ID while its phone rang."""
        call.connect_pending = False
        values: dict[str, str] = {Var.AGENT_ID: agent.id, Var.AGENT_DISPLAY: agent.display_id,
                                  Var.AGENT_CHANNEL: leg.address}
        if leg.answered_at is not None:  # so that a restarted engine can time the call
            values[Var.ANSWERED_AT] = repr(leg.answered_at)
        exten = contract.UNHOLD_ENTRY
        if self.state.config.announce.enabled and call.announced_agent != agent.id:
            values |= announcement_prompts(self.state, call)
            exten = contract.CONNECT_ENTRY
        outbox = self.state.outbox
        outbox.setvars(call.channel, values, caused_at, call.call_id)
        outbox.ami(actions.redirect(call.channel, contract.CONNECT, exten), caused_at,
                   call.call_id)

    def announced(self, call: LiveCall, agent_id: str, now: float) -> None:
        """cc-announce played `agent_id`'s ID to the caller while its phone rang."""
        leg = call.leg
        if leg is None or leg.agent_id != agent_id:
            return  # an announcement of an offer that is gone
        call.announced_agent = agent_id
        if call.connect_pending and call.phase is CallPhase.CONNECTED:
            self.connect_caller(call, self.state.agents[agent_id], leg, now)

    def record_at_bridge(self, call: LiveCall, channel: str, call_type: CallType,
                         now: float) -> None:
        """Ask the recording policy once per call, at its first bridge; MixMonitor if yes."""
        call.recording_decided = True
        config = self.state.config
        agent_id = call.leg.agent_id if call.leg is not None else call.agent_id
        decision = recorder.decide_for(config, call, agent_id, call_type)
        if decision.record:
            self.state.outbox.ami(recorder.start(config, call, agent_id, channel, decision, now),
                                  now, call.call_id)

    def bridged(self, call: LiveCall, now: float) -> None:
        """The caller entered the bridge with its agent: the announcement (if any) is over,
        a hold is over, the talk goes on."""
        call.bridged = True
        if call.hold_since is not None:
            self.hold_ended(call, now)
        if call.announce_since is not None:
            call.add_segment(SegmentKind.ANNOUNCEMENT, call.announce_since, now,
                             agent_id=_agent_of(call), queue=call.queue)
            call.announce_since = None
        if call.talk_since is None and call.hold_since is None:
            call.talk_since = now

    def hold_started(self, call: LiveCall, now: float) -> None:
        """The caller is put on hold: the talk so far is one segment, the hold another."""
        self.talk_paused(call, now)
        call.hold_since = now

    def hold_ended(self, call: LiveCall, now: float) -> None:
        assert call.hold_since is not None
        call.add_segment(SegmentKind.HOLD, call.hold_since, now, agent_id=_agent_of(call),
                         queue=call.queue)
        call.hold_since = None
        call.talk_since = now

    def talk_paused(self, call: LiveCall, now: float) -> None:
        if call.talk_since is not None:
            call.add_segment(SegmentKind.TALK, call.talk_since, now, agent_id=_agent_of(call),
                             queue=call.queue)
            call.talk_since = None

    # ----------------------------------------------------------------- endings

    def caller_gone(self, call: LiveCall, now: float, caused_at: float, *,
                    events_missed: bool = False) -> None:
        """The caller's channel is gone (`events_missed`: found so at a reconnection, so how
        and when exactly is not known)."""
        phase = call.phase
        if call.callback_to and phase is CallPhase.WAITING:
            call.channel = ""  # off the line; the place in the queue stays
            return
        call.ended_at = now
        if phase is CallPhase.WAITING or phase is CallPhase.RINGING:
            if phase is CallPhase.WAITING:
                call.add_segment(SegmentKind.QUEUE, call.waiting_since, now, queue=call.queue)
            call.outcome = Outcome.ABANDONED
            call.hangup_by = HangupBy.CALLER
            self.decisions.route(self.state.router.abandon, call.call_id, now, caused_at)
        elif phase is CallPhase.CONNECTED:
            call.hangup_by = call.hangup_by or HangupBy.CALLER
            self.end_talk(call, now, caused_at, events_missed=events_missed)
        call.phase = CallPhase.ENDED
        finish_if_done(self.state, call)

    def end_talk(self, call: LiveCall, now: float, caused_at: float, *,
                 events_missed: bool = False) -> None:
        """The conversation is over: its last segments, agent to wrap-up, the other leg hung
        up. A caller who leaves while still hearing the agent's ID never talked (unless the
        events in between were missed: then the bridge may have come and gone unseen)."""
        leg = call.leg
        if call.hold_since is not None:
            self.hold_ended(call, now)
            call.talk_since = None  # ended on hold: no talk after it
        if call.callback_to:
            if call.callback_reached_at is None:
                call.outcome = Outcome.CALLBACK  # the agent called, nobody answered
        elif call.announce_since is not None:
            call.add_segment(SegmentKind.ANNOUNCEMENT, call.announce_since, now,
                             agent_id=_agent_of(call), queue=call.queue)
            call.announce_since = None
            talked = any(s.kind is SegmentKind.TALK for s in call.segments)
            if (call.hangup_by is HangupBy.CALLER and not talked and call.outcome is None
                    and not events_missed):
                call.outcome = Outcome.ANNOUNCEMENT_HANGUP
        self.talk_paused(call, now)
        if call.outcome is None:
            call.outcome = Outcome.ANSWERED
        call.connect_pending = False
        call.announced_agent = None
        call.leg = None
        self.decisions.route(self.state.router.end_call, call.call_id, now, caused_at)
        if leg is not None and leg.ended_at is None:
            self.state.outbox.ami(actions.hangup(leg.address), caused_at, call.call_id,
                                  leg.uniqueid)

    def leg_gone(self, leg: Leg, now: float, caused_at: float) -> None:
        """An agent leg ended (hung up, refused, failed): what it means depends on the call."""
        state = self.state
        call = state.calls.get(leg.call_id)
        if leg.outbound:
            self.outbound_ended(leg, now)
            return
        if call is None or call.leg is not leg:
            return  # an offer already withdrawn or timed out
        if call.phase is CallPhase.RINGING:
            # The device refused, was busy, or the agent hung up the ringing phone.
            self.decisions.route(state.router.reject, call.call_id, now, caused_at)
        elif call.phase is CallPhase.CONNECTED:
            call.hangup_by = HangupBy.AGENT
            self.end_talk(call, now, caused_at)
            if call.callback_to and not call.channel:
                call.ended_at = now
                call.phase = CallPhase.ENDED
                finish_if_done(state, call)
                return
            if not call.bridged or call.hold_since is not None:
                # Not (or no longer) in the Bridge() of cc-connect: nothing else ends the
                # caller's channel.
                state.outbox.ami(actions.hangup(call.channel), caused_at, call.call_id)
            call.phase = CallPhase.LEFT if call.ended_at is None else CallPhase.ENDED

    def leg_failed(self, leg: Leg, now: float) -> None:
        """Asterisk says the leg never came up (or refused to originate it)."""
        self.state.legs.pop(leg.uniqueid, None)
        leg.ended_at = now
        self.leg_gone(leg, now, now)

    def outbound_ended(self, leg: Leg, now: float) -> None:
        """A click-to-dial call ended: its record, and the agent back from its pause."""
        state = self.state
        agent = state.agents[leg.agent_id]
        agent.outbound = None
        call = state.calls.pop(leg.call_id, None)
        if call is not None:
            call.ended_at = now
            call.outcome = Outcome.ANSWERED if call.answered_at is not None else (
                Outcome.ABANDONED)
            if call.answered_at is not None:
                call.add_segment(SegmentKind.TALK, call.answered_at, now, agent_id=agent.id)
            state.outbox.store(record_of(call, state.clock))
            recording_done(state, call, now)
        if agent.paused_for_outbound:
            agent.paused_for_outbound = False
            if agent.state is AgentState.PAUSED and agent.reason == OUTBOUND_PAUSE:
                self.decisions.agent_entry(lambda: state.router.unpause(agent.id, now), now)

