"""Calls on the Asterisk side: AMI events in, router decisions applied, effects out.

The base layer of `callcenter.engine.switchboard.Switchboard`: the live calls, agent legs and
agents, the handlers of the AMI events that move them, the application of the router's
decisions (Originate, Hangup, Redirect, screen-pops, records) and the call record at the end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from acd import (
    AcdError,
    AgentState,
    AgentStateChanged,
    CallAbandoned,
    CallCompleted,
    CallConnected,
    CallQueued,
    CallRequest,
    Decision,
    Expired,
    Offer,
    OfferWithdrawn,
    Overflow,
    OverflowTarget,
    RingNoAnswer,
    Router,
    RuleApplied,
)
from acd.skills import Requirement
from callcenter.ami import events as ev
from callcenter.ami.codec import Value
from callcenter.engine import recorder
from callcenter.engine.config import EngineConfig
from callcenter.engine.effects import (
    AgentStatePublish,
    AmiRequest,
    CustomerLookup,
    Effect,
    Notice,
    ScreenPopPublish,
    StoreRecord,
)
from callcenter.engine.live import CallPhase, IvrSpan, Leg, LiveAgent, LiveCall
from callcenter.engine.stats import TodayStats
from callcenter.errors import CallcenterError
from cdr.records import (
    AgentActivity,
    AgentStateSpan,
    CallRecord,
    Direction,
    HangupBy,
    Outcome,
    Segment,
    SegmentKind,
)
from recording.policy import CallType

log = logging.getLogger(__name__)

AGENT_CONTEXT = "cc-agent"
CONNECT_CONTEXT = "cc-connect"
HOLD_CONTEXT = "cc-hold"
OUTBOUND_CONTEXT = "cc-outbound"
DEVICE_OFFLINE = "device-offline"
OUTBOUND_PAUSE = "outbound-call"
DIRECTED_SKILL = "agent:"  # every agent has skill "agent:<id>", so a call can be sent to one

ENQUEUE_EVENT = "CallcenterEnqueue"
OVERFLOW_CONTEXT = "cc-overflow"
CALLER_CONTEXTS = frozenset({"cc-enqueue", HOLD_CONTEXT, CONNECT_CONTEXT})
OFFLINE_STATES = frozenset({"UNAVAILABLE", "INVALID"})
OPTOUT_VALUES = frozenset({"1", "yes", "true"})  # CC_RECORDING_OPTOUT, via RecordingOptOut

_ACTIVITY = {
    AgentState.AVAILABLE: AgentActivity.AVAILABLE,
    AgentState.RESERVED: AgentActivity.RESERVED,
    AgentState.ON_CALL: AgentActivity.ON_CALL,
    AgentState.WRAP_UP: AgentActivity.WRAP_UP,
    AgentState.PAUSED: AgentActivity.PAUSED,
}


class CommandRefused(CallcenterError):
    """An agent command that cannot be carried out now; the message is the reply's error."""


def parse_skills(text: str) -> tuple[Requirement, ...] | None:
    """`CC_SKILLS` → alternatives: `billing:3&english:2|general:1`; empty → None (the queue's).

    Raises ValueError naming the bad part."""
    text = text.strip()
    if not text:
        return None
    alternatives: list[dict[str, int]] = []
    for alternative in text.split("|"):
        skills: dict[str, int] = {}
        for part in alternative.split("&"):
            name, sep, level = part.strip().partition(":")
            if not name or (sep and not level.strip().isdigit()):
                raise ValueError(f"skill {part!r}: expected name or name:level")
            skills[name] = int(level) if sep else 1
        alternatives.append(skills)
    return tuple(alternatives)  # type: ignore[arg-type]  # acd checks and canonicalises them


class CallHandling:
    """State, AMI events and router decisions: the base of `Switchboard`."""

    def __init__(self, config: EngineConfig, *, seed: int = 0) -> None:
        self.config = config
        self.router = Router([q.to_settings() for q in config.queues], seed=seed)
        self.agents: dict[str, LiveAgent] = {}
        for agent in config.agents:
            self.add_agent(agent.id, dict(agent.skills), agent.display_id, agent.queues,
                           agent.device)
        self.calls: dict[str, LiveCall] = {}
        self.legs: dict[str, Leg] = {}
        self.ivr_spans: dict[str, IvrSpan] = {}  # callers in an IVR flow, by uniqueid
        self.devices: dict[str, str] = {}  # device → agent logged in with it
        self.device_states: dict[str, str] = {}
        self.dirty_queues: set[str] = set()
        self.stats = TodayStats(
            config.zone(), {q.name: q.sl_target_s for q in config.queues}, config.short_abandon_s
        )
        self._effects: list[Effect] = []
        self._clock = 0.0
        # AMI events are stamped with the monotonic clock; records need the epoch.
        self.epoch_offset = 0.0
        self._cause: float | None = None
        self._outbound_seq = 0
        self.enqueued_total = 0  # calls taken into a queue since start
        self._handlers: dict[type[Any], Callable[[Any, float], None]] = {
            ev.UserEvent: self._on_user_event,
            ev.Newchannel: self._on_newchannel,
            ev.Newstate: self._on_newstate,
            ev.Hangup: self._on_hangup,
            ev.OriginateResponse: self._on_originate_response,
            ev.DeviceStateChange: self._on_device_state,
            ev.BridgeEnter: self._on_bridge_enter,
            ev.Hold: self._on_hold,
            ev.Unhold: self._on_unhold,
            ev.DialEnd: self._on_dial_end,
        }

    # ----------------------------------------------------------------- plumbing

    def take_effects(self) -> list[Effect]:
        effects, self._effects = self._effects, []
        return effects

    def tick(self, now: float) -> float:
        """Router time never goes backwards, even if the wall clock does."""
        if now > self._clock:
            self._clock = now
        return self._clock

    def handle(self, event: ev.AmiEvent) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            arrived = event.received_at + self.epoch_offset
            self._cause = arrived  # actions are timed from the event's arrival, not the clock
            try:
                handler(event, self.tick(arrived))
            finally:
                self._cause = None

    def advance(self, now: float) -> None:
        """Run the router's timers that are due (ring timeouts, wrap-up ends, rules)."""
        now = self.tick(now)
        self._apply(self.router.advance(now), now, now)

    def next_deadline(self) -> float | None:
        return self.router.next_deadline()

    def _ami(self, name: str, fields: dict[str, Value], caused_at: float,
             call_id: str | None = None, leg: str | None = None) -> None:
        cause = self._cause if self._cause is not None else caused_at
        self._effects.append(AmiRequest(name, fields, cause, call_id, leg))

    def _notice(self, level: str, message: str, **details: str) -> None:
        self._effects.append(Notice(level, message, details))

    def _setvars(self, channel: str, values: Mapping[str, str], caused_at: float,
                 call_id: str) -> None:
        for name, value in values.items():
            self._ami("Setvar", {"Channel": channel, "Variable": name, "Value": value},
                      caused_at, call_id)

    # ----------------------------------------------------------------- configuration

    def add_agent(self, agent_id: str, skills: dict[str, int], display_id: str | None = None,
                  queues: Iterable[str] | None = None, device: str | None = None) -> None:
        skills = {**skills, DIRECTED_SKILL + agent_id: 1}
        self.router.add_agent(agent_id, skills, display_id=display_id, queues=queues)
        self.agents[agent_id] = LiveAgent(agent_id, display_id or agent_id, device,
                                          queues=tuple(queues or ()))

    # ----------------------------------------------------------------- calls arriving

    def _on_user_event(self, event: ev.UserEvent, now: float) -> None:
        if event.user_event != ENQUEUE_EVENT:
            return
        channel = event.channel
        if channel is None:
            self._notice("error", f"UserEvent {ENQUEUE_EVENT} without a channel: ignored")
            return
        if channel.uniqueid in self.calls:
            return  # seen already (a replay after a reconnect)
        self._enqueue_channel(channel, event.fields, now, now)

    def _enqueue_channel(self, channel: ev.Channel, fields: Mapping[str, str], now: float,
                         caused_at: float, *, restored: bool = False) -> LiveCall | None:
        """A caller asks for a queue (fields: Queue, CallPriority, Skills, CallLanguage, Tier,
        IvrPath;
        restored callers also CC_ENQUEUED_AT / CC_QUEUE_ENTERED_AT)."""
        uid = channel.uniqueid
        queue = fields.get("Queue", "")
        where = f"call {uid} ({channel.name})"
        try:
            self.router.queue_settings(queue)
        except AcdError:
            self._notice("error", f"{where}: unknown queue {queue!r}; the caller is hung up",
                         call_id=uid)
            self._ami("Hangup", {"Channel": channel.name, "Cause": 1}, caused_at, uid)
            return None
        priority_text = fields.get("CallPriority", "") or "0"
        priority = int(priority_text) if priority_text.isdigit() else -1
        if not 0 <= priority <= 9:
            self._notice("warning",
                         f"{where}: CallPriority {priority_text!r} is not 0-9; using 0")
            priority = 0
        try:
            required = parse_skills(fields.get("Skills", ""))
        except ValueError as error:
            self._notice("warning", f"{where}: Skills: {error}; using the queue's skills")
            required = None
        language = fields.get("CallLanguage", "") or self.config.announce.default_language
        tier = fields.get("Tier", "") or None
        enqueued_at = parse_float(fields.get("CC_ENQUEUED_AT")) if restored else None
        entered_at = parse_float(fields.get("CC_QUEUE_ENTERED_AT")) if restored else None
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
            decisions = self.router.enqueue(request, now)
        except AcdError as error:
            self._notice("error", f"{where}: cannot queue: {error}; the caller is hung up")
            self._ami("Hangup", {"Channel": channel.name, "Cause": 1}, caused_at, uid)
            return None
        span = self.ivr_spans.pop(uid, None)
        arrived_at = enqueued_at or now
        if span is not None and span.started_at <= arrived_at:
            arrived_at = span.started_at
        call = LiveCall(
            call_id=uid, channel=channel.name, caller=channel.caller_id_num,
            caller_name=channel.caller_id_name, queue=queue, priority=priority,
            skills=fields.get("Skills", ""), language=language, tier=tier,
            ivr_path=fields.get("IvrPath", ""), arrived_at=arrived_at,
            enqueued_at=enqueued_at or now, linkedid=channel.linkedid, did=channel.exten,
            waiting_since=now,
            recording_optout=fields.get("RecordingOptOut", "").strip().lower() in OPTOUT_VALUES,
        )
        if span is not None:
            call.add_segment(SegmentKind.IVR, arrived_at, span.ended_at or now)
            call.customer_id = span.customer_id
        self.calls[uid] = call
        self.enqueued_total += 1
        self.dirty_queues.add(queue)
        if not restored:
            # The one piece of routing state the dialplan cannot know; the rest it set itself.
            self._setvars(channel.name, {"CC_ENQUEUED_AT": repr(now)}, caused_at, uid)
        if call.caller:
            self._effects.append(CustomerLookup(uid, call.caller))
        self._apply(decisions, now, caused_at)
        return call

    # ----------------------------------------------------------------- router decisions

    def apply_decisions(self, decisions: list[Decision], now: float) -> None:
        """Carry out what the router decided after a change made directly on it (admin)."""
        self._apply(decisions, now, now)

    def _apply(self, decisions: list[Decision], now: float, caused_at: float) -> None:
        for decision in decisions:
            kind = type(decision)
            if kind is AgentStateChanged:
                self._agent_changed(decision)  # type: ignore[arg-type]
            elif kind is Offer:
                self._offer(decision, now, caused_at)  # type: ignore[arg-type]
            elif kind is RingNoAnswer:
                self._ring_no_answer(decision, now, caused_at)  # type: ignore[arg-type]
            elif kind is OfferWithdrawn:
                self._offer_withdrawn(decision, now, caused_at)  # type: ignore[arg-type]
            elif kind is CallConnected:
                d: Any = decision
                self.stats.answered(d.queue, d.waited_s, now)
                self.dirty_queues.add(d.queue)
            elif kind is CallAbandoned:
                d = decision
                self.stats.abandoned(d.queue, d.waited_s, now)
                self.dirty_queues.add(d.queue)
            elif kind is Overflow:
                self._overflow(decision, now, caused_at)  # type: ignore[arg-type]
            elif kind is Expired:
                self._expired(decision, now, caused_at)  # type: ignore[arg-type]
            elif kind is CallQueued or kind is CallCompleted or kind is RuleApplied:
                self.dirty_queues.add(decision.queue)  # type: ignore[union-attr]

    def _offer(self, offer: Offer, now: float, caused_at: float) -> None:
        call = self.calls[offer.call_id]
        agent = self.agents[offer.agent_id]
        device = agent.device or agent.default_device or ""
        call.add_segment(SegmentKind.QUEUE, call.waiting_since, now, queue=call.queue)
        leg = Leg(f"{call.call_id}-{len(call.legs) + 1}", call.call_id, agent.id, now)
        call.legs.append(leg)
        call.leg = leg
        call.phase = CallPhase.RINGING
        agent.call_id = call.call_id
        self.legs[leg.uniqueid] = leg
        variables = [f"CC_CALL_ID={call.call_id}", f"CC_AGENT_ID={agent.id}"]
        context, exten = AGENT_CONTEXT, "s"
        whisper = self.config.whisper
        if call.callback_to:
            # The agent answers, then cc-outbound dials the customer from the agent's phone.
            context, exten = OUTBOUND_CONTEXT, call.callback_to
        elif whisper.enabled:
            exten = "whisper"
            prompt = (whisper.vip_prompt if (call.tier or "").lower() == "vip"
                      else whisper.queue_prompt.format(queue=call.queue))
            variables.append(f"CC_WHISPER={prompt}")
        ring_s = self.router.queue_settings(call.queue).ring_timeout_s + self.config.ring_slack_s
        caller_id = f'"{call.caller_name}" <{call.caller}>' if call.caller_name else call.caller
        self._ami(
            "Originate",
            {"Channel": device, "Context": context, "Exten": exten, "Priority": 1,
             "Async": "true", "Timeout": int(ring_s * 1000), "CallerID": caller_id,
             "ChannelId": leg.uniqueid, "Variable": variables},
            caused_at, call.call_id, leg.uniqueid,
        )
        self._effects.append(ScreenPopPublish(call.call_id, agent.id, leg.uniqueid))

    def _end_ring(self, call: LiveCall, leg: Leg, now: float, answered: bool) -> None:
        call.add_segment(SegmentKind.RING, leg.offered_at, now, agent_id=leg.agent_id,
                         queue=call.queue, answered=answered)

    def _ring_no_answer(self, rona: RingNoAnswer, now: float, caused_at: float) -> None:
        call = self.calls.get(rona.call_id)
        agent = self.agents[rona.agent_id]
        if agent.call_id == rona.call_id:
            agent.call_id = None
        if call is None or call.leg is None:
            return
        leg = call.leg
        self._end_ring(call, leg, now, False)
        call.leg = None
        call.phase = CallPhase.WAITING
        call.waiting_since = now
        if leg.ended_at is None:
            self._ami("Hangup", {"Channel": leg.address, "Cause": 19}, caused_at, call.call_id,
                      leg.uniqueid)

    def _offer_withdrawn(self, withdrawn: OfferWithdrawn, now: float, caused_at: float) -> None:
        agent = self.agents[withdrawn.agent_id]
        if agent.call_id == withdrawn.call_id:
            agent.call_id = None
        call = self.calls.get(withdrawn.call_id)
        if call is None or call.leg is None:
            return
        leg = call.leg
        self._end_ring(call, leg, now, False)
        call.leg = None
        if leg.ended_at is None:
            self._ami("Hangup", {"Channel": leg.address, "Cause": 16}, caused_at, call.call_id,
                      leg.uniqueid)

    def _overflow(self, overflow: Overflow, now: float, caused_at: float) -> None:
        call = self.calls.get(overflow.call_id)
        if call is None:
            return
        self.dirty_queues.add(overflow.from_queue)
        call.add_segment(SegmentKind.QUEUE, call.waiting_since, now, queue=overflow.from_queue)
        call.waiting_since = now
        if overflow.target is OverflowTarget.QUEUE and overflow.to_queue is not None:
            self.stats.left(overflow.from_queue, now)
            call.queue = overflow.to_queue
            call.overflowed_to = overflow.to_queue
            self.dirty_queues.add(overflow.to_queue)
            self._setvars(call.channel, {"CC_QUEUE": call.queue,
                                         "CC_QUEUE_ENTERED_AT": repr(now),
                                         "CC_HOLD_SLICE": self.config.hold_slice(call.queue)},
                          caused_at, call.call_id)
            return
        self.stats.left(overflow.from_queue, now)
        call.phase = CallPhase.LEFT
        call.outcome = (Outcome.VOICEMAIL if overflow.target is OverflowTarget.VOICEMAIL
                        else Outcome.CALLBACK)
        self._ami("Redirect", {"Channel": call.channel, "Context": OVERFLOW_CONTEXT,
                               "Exten": overflow.target.value, "Priority": 1},
                  caused_at, call.call_id)

    def _expired(self, expired: Expired, now: float, caused_at: float) -> None:
        call = self.calls.get(expired.call_id)
        if call is None:
            return
        self.stats.left(expired.queue, now)
        self.dirty_queues.add(expired.queue)
        call.add_segment(SegmentKind.QUEUE, call.waiting_since, now, queue=expired.queue)
        call.phase = CallPhase.LEFT
        call.outcome = Outcome.OVERFLOWED
        self._ami("Redirect", {"Channel": call.channel, "Context": OVERFLOW_CONTEXT,
                               "Exten": "expired", "Priority": 1}, caused_at, call.call_id)

    def _agent_changed(self, change: AgentStateChanged) -> None:
        agent = self.agents[change.agent_id]
        old_activity = _ACTIVITY.get(change.old)
        if old_activity is not None and agent.logged_in_at is not None:
            self._effects.append(StoreRecord(AgentStateSpan(
                agent.id, old_activity, agent.state_since, change.at, agent.reason)))
        if change.old is AgentState.WRAP_UP and agent.call_id is not None:
            self._wrap_up_ended(agent, change.at)
        agent.state = change.new
        agent.state_since = change.at
        agent.reason = change.reason
        self._effects.append(AgentStatePublish(agent.id))

    def _wrap_up_ended(self, agent: LiveAgent, now: float) -> None:
        call_id, agent.call_id = agent.call_id, None
        call = self.calls.get(call_id or "")
        if call is None:
            return
        call.add_segment(SegmentKind.WRAP_UP, agent.state_since, now, agent_id=agent.id,
                         queue=call.queue)
        call.wrap_ups_pending.discard(agent.id)
        self._finish_if_done(call)

    # ----------------------------------------------------------------- channel events

    def _on_newchannel(self, event: ev.Newchannel, now: float) -> None:
        leg = self.legs.get(event.channel.uniqueid)
        if leg is not None:
            leg.channel = event.channel.name

    def _on_newstate(self, event: ev.Newstate, now: float) -> None:
        if event.channel.state is not ev.ChannelState.UP:
            return
        leg = self.legs.get(event.channel.uniqueid)
        if leg is None or leg.answered_at is not None:
            return
        self._leg_answered(leg, event.channel.name, now)

    def _leg_answered(self, leg: Leg, channel: str, now: float) -> None:
        """The agent picked up: connect the call (announcement, then bridge)."""
        leg.channel = channel
        leg.answered_at = now
        if leg.outbound:
            return
        call = self.calls.get(leg.call_id)
        if call is None or call.leg is not leg or call.phase is not CallPhase.RINGING:
            self._ami("Hangup", {"Channel": leg.address, "Cause": 16}, now,
                      leg.call_id, leg.uniqueid)  # answered too late: the offer is gone
            return
        try:
            decisions = self.router.answer(call.call_id, now)
        except AcdError as error:
            self._notice("error", f"call {call.call_id}: answer refused by the router: {error}")
            self._ami("Hangup", {"Channel": leg.address, "Cause": 16}, now,
                      call.call_id, leg.uniqueid)
            return
        self._end_ring(call, leg, now, True)
        call.phase = CallPhase.CONNECTED
        agent = self.agents[leg.agent_id]
        if call.agent_id is None:
            call.agent_id = agent.id
            call.agent_display = agent.display_id
            call.answered_at = now
        call.wrap_ups_pending.add(agent.id)
        self._apply(decisions, now, now)
        if call.callback_to:
            call.answered_at = call.callback_reached_at  # talk starts when the customer answers
            return
        self._connect_caller(call, agent, leg, now)

    def _connect_caller(self, call: LiveCall, agent: LiveAgent, leg: Leg,
                        caused_at: float) -> None:
        """Tell the caller who answers, then bridge (the dialplan's cc-connect)."""
        announce = self.config.announce
        values = {"CC_AGENT_ID": agent.id, "CC_AGENT_DISPLAY": agent.display_id,
                  "CC_AGENT_CHANNEL": leg.address}
        exten = "unhold"
        if announce.enabled:
            prompts = announce.for_language(call.language)
            values["CC_ANNOUNCE_PREFIX"] = prompts.prefix
            values["CC_ANNOUNCE_SUFFIX"] = prompts.suffix
            exten = "s"
        self._setvars(call.channel, values, caused_at, call.call_id)
        self._ami("Redirect", {"Channel": call.channel, "Context": CONNECT_CONTEXT,
                               "Exten": exten, "Priority": 1}, caused_at, call.call_id)

    def _on_bridge_enter(self, event: ev.BridgeEnter, now: float) -> None:
        call = self.calls.get(event.channel.uniqueid)
        if call is not None and call.phase is CallPhase.CONNECTED:
            call.bridged = True
            if call.hold_since is not None:
                self._hold_ended(call, now)
            if not call.recording_decided:
                self._record_at_bridge(call, call.channel, CallType.INBOUND, now)

    def _record_at_bridge(self, call: LiveCall, channel: str, call_type: CallType,
                          now: float) -> None:
        """Ask the recording policy once per call, at its first bridge; MixMonitor if yes."""
        call.recording_decided = True
        agent_id = call.leg.agent_id if call.leg is not None else call.agent_id
        decision = recorder.decide_for(self.config, call, agent_id, call_type)
        if decision.record:
            fields = recorder.start(self.config, call, agent_id, channel, decision, now)
            self._ami("MixMonitor", fields, now, call.call_id)

    def _recording_done(self, call: LiveCall, now: float) -> None:
        item = recorder.finished(call, now)
        if item is not None:
            self._effects.append(StoreRecord(item))

    def _on_hold(self, event: ev.Hold, now: float) -> None:
        call = self._call_of_channel(event.channel.uniqueid)
        if call is not None and call.phase is CallPhase.CONNECTED and call.hold_since is None:
            call.hold_since = now

    def _on_unhold(self, event: ev.Unhold, now: float) -> None:
        call = self._call_of_channel(event.channel.uniqueid)
        if call is not None and call.hold_since is not None:
            self._hold_ended(call, now)

    def _hold_ended(self, call: LiveCall, now: float) -> None:
        assert call.hold_since is not None
        agent_id = call.leg.agent_id if call.leg is not None else None
        call.add_segment(SegmentKind.HOLD, call.hold_since, now, agent_id=agent_id,
                         queue=call.queue)
        call.hold_since = None

    def _call_of_channel(self, uniqueid: str) -> LiveCall | None:
        call = self.calls.get(uniqueid)
        if call is None:
            leg = self.legs.get(uniqueid)
            if leg is not None:
                call = self.calls.get(leg.call_id)
        return call

    def _on_dial_end(self, event: ev.DialEnd, now: float) -> None:
        if event.caller is None or event.status != "ANSWER":
            return
        leg = self.legs.get(event.caller.uniqueid)
        if leg is not None and not leg.outbound:
            call = self.calls.get(leg.call_id)
            if call is not None and call.callback_to and call.callback_reached_at is None:
                call.callback_reached_at = call.answered_at = now
                self._record_at_bridge(call, leg.address, CallType.INBOUND, now)
            return
        if leg is not None and leg.outbound:
            call = self.calls.get(leg.call_id)
            if call is not None and call.answered_at is None:
                call.answered_at = now
                self._record_at_bridge(call, leg.address, CallType.OUTBOUND, now)

    def _on_hangup(self, event: ev.Hangup, now: float) -> None:
        uid = event.channel.uniqueid
        call = self.calls.get(uid)
        if call is not None and call.channel == event.channel.name:
            self._caller_gone(call, now, now)
            return
        leg = self.legs.pop(uid, None)
        if leg is not None:
            leg.ended_at = now
            self._leg_gone(leg, now, now)
            return
        span = self.ivr_spans.get(uid)
        if span is not None and call is None:
            span.hung_up_at = now
            self.finish_ivr_span(span)

    def _caller_gone(self, call: LiveCall, now: float, caused_at: float) -> None:
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
            self._route(self.router.abandon, call.call_id, now, caused_at)
        elif phase is CallPhase.CONNECTED:
            call.hangup_by = call.hangup_by or HangupBy.CALLER
            self._end_talk(call, now, caused_at)
        call.phase = CallPhase.ENDED
        self._finish_if_done(call)

    def _end_talk(self, call: LiveCall, now: float, caused_at: float) -> None:
        """The conversation is over: talk segment, agent to wrap-up, the other leg hung up."""
        leg = call.leg
        if call.hold_since is not None:
            self._hold_ended(call, now)
        talk_from = leg.answered_at if leg is not None else None
        if call.callback_to:
            talk_from = call.callback_reached_at
            if talk_from is None:
                call.outcome = Outcome.CALLBACK  # the agent called, nobody answered
        if leg is not None and talk_from is not None:
            call.add_segment(SegmentKind.TALK, talk_from, now, agent_id=leg.agent_id,
                             queue=call.queue)
        if call.outcome is None:
            call.outcome = Outcome.ANSWERED
        call.leg = None
        self._route(self.router.end_call, call.call_id, now, caused_at)
        if leg is not None and leg.ended_at is None:
            self._ami("Hangup", {"Channel": leg.address, "Cause": 16}, caused_at, call.call_id,
                      leg.uniqueid)

    def _leg_gone(self, leg: Leg, now: float, caused_at: float) -> None:
        call = self.calls.get(leg.call_id)
        if leg.outbound:
            self._outbound_ended(leg, now, caused_at)
            return
        if call is None or call.leg is not leg:
            return  # an offer already withdrawn or timed out
        if call.phase is CallPhase.RINGING:
            # The device refused, was busy, or the agent hung up the ringing phone.
            self._route(self.router.reject, call.call_id, now, caused_at)
        elif call.phase is CallPhase.CONNECTED:
            call.hangup_by = HangupBy.AGENT
            self._end_talk(call, now, caused_at)
            if call.callback_to and not call.channel:
                call.ended_at = now
                call.phase = CallPhase.ENDED
                self._finish_if_done(call)
                return
            if not call.bridged or call.hold_since is not None:
                # Not (or no longer) in the Bridge() of cc-connect: nothing else ends the
                # caller's channel.
                self._ami("Hangup", {"Channel": call.channel, "Cause": 16}, caused_at,
                          call.call_id)
            call.phase = CallPhase.LEFT if call.ended_at is None else CallPhase.ENDED

    def _on_originate_response(self, event: ev.OriginateResponse, now: float) -> None:
        """A failed Originate (busy, offline, no answer) names the device it dialled; the leg
        is the agent's unanswered one."""
        if event.success:
            return
        agent_id = self.devices.get(event.channel)
        if agent_id is None:
            return
        agent = self.agents[agent_id]
        leg = agent.outbound
        if leg is None:
            call = self.calls.get(agent.call_id or "")
            leg = call.leg if call is not None else None
        if leg is None or leg.answered_at is not None or leg.ended_at is not None:
            return
        self.legs.pop(leg.uniqueid, None)
        leg.ended_at = now
        self._notice("warning", f"agent {agent_id}: call to {event.channel} failed"
                     f" (reason {event.reason})", call_id=leg.call_id)
        self._leg_gone(leg, now, now)

    def action_failed(self, request: AmiRequest, message: str) -> None:
        """Asterisk refused an action outright (e.g. Originate to an unknown device)."""
        now = self.tick(request.caused_at)
        if request.name == "Originate" and request.leg is not None:
            leg = self.legs.pop(request.leg, None)
            if leg is not None:
                leg.ended_at = now
                self._leg_gone(leg, now, now)
        self._notice("warning", f"AMI {request.name} refused: {message}",
                     call_id=request.call_id or "")

    def _route(self, entry: Callable[[str, float], list[Decision]], call_id: str, now: float,
               caused_at: float) -> None:
        try:
            decisions = entry(call_id, now)
        except AcdError as error:
            self._notice("error", f"call {call_id}: {error}")
            return
        self._apply(decisions, now, caused_at)

    def _finish_if_done(self, call: LiveCall) -> None:
        if call.phase is not CallPhase.ENDED or call.wrap_ups_pending:
            return
        del self.calls[call.call_id]
        for leg in call.legs:
            self.legs.pop(leg.uniqueid, None)
        self._effects.append(StoreRecord(self.record_of(call)))
        self._recording_done(call, call.ended_at if call.ended_at is not None else self._clock)

    def record_of(self, call: LiveCall) -> CallRecord:
        first_offer = call.legs[0].offered_at if call.legs else None
        answered_leg = next((leg for leg in call.legs if leg.answered_at), None)
        transfer_exten, transfer_context = call.transfer_to or (None, None)
        return CallRecord(
            call_id=call.call_id, arrived_at=call.arrived_at,
            ended_at=call.ended_at if call.ended_at is not None else self._clock,
            outcome=call.outcome or Outcome.ABANDONED,
            direction=Direction.OUTBOUND if call.legs and call.legs[0].outbound
            else Direction.INBOUND,
            linkedid=call.linkedid or None, uniqueid=call.call_id, channel=call.channel or None,
            agent_channel=answered_leg.channel if answered_leg is not None else None,
            agent_uniqueid=answered_leg.uniqueid if answered_leg is not None else None,
            caller=call.caller or None, dnis=call.did or None, customer_id=call.customer_id,
            queue=call.queue or None, priority=call.priority, tier=call.tier,
            enqueued_at=None if call.legs and call.legs[0].outbound else call.enqueued_at,
            offered_at=first_offer, answered_at=call.answered_at, agent_id=call.agent_id,
            agent_display_id=call.agent_display, hangup_by=call.hangup_by,
            transferred=call.transferred, transfer_exten=transfer_exten,
            transfer_context=transfer_context, segments=tuple(call.segments),
            recording=call.recording.path if call.recording is not None else None,
            survey=call.survey,
        )

    def finish_ivr_span(self, span: IvrSpan) -> None:
        """Write the record of a caller the IVR kept (blocked, voicemail, transferred, hung up
        in a menu) once both its flow and its channel have ended."""
        if span.ended_at is None or span.hung_up_at is None:
            return
        if self.ivr_spans.pop(span.uniqueid, None) is None:
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
        self._effects.append(StoreRecord(record))

    # ----------------------------------------------------------------- devices

    def _on_device_state(self, event: ev.DeviceStateChange, now: float) -> None:
        device, state = event.device, event.state
        self.device_states[device] = state
        agent_id = self.devices.get(device)
        if agent_id is None:
            return
        agent = self.agents[agent_id]
        agent.device_state = state
        if state in OFFLINE_STATES:
            if not agent.offline_paused and agent.state is not AgentState.PAUSED:
                agent.offline_paused = True
                self._agent_entry(lambda: self.router.pause(agent.id, DEVICE_OFFLINE, now), now)
        elif agent.offline_paused:
            agent.offline_paused = False
            # Unpause only the engine's own pause (or cancel it while the agent is busy).
            if agent.state is not AgentState.PAUSED or agent.reason == DEVICE_OFFLINE:
                self._agent_entry(lambda: self.router.unpause(agent.id, now), now)
        self._effects.append(AgentStatePublish(agent.id))

    def _agent_entry(self, entry: Callable[[], list[Decision]], now: float) -> None:
        try:
            decisions = entry()
        except AcdError as error:
            self._notice("error", str(error))
            return
        self._apply(decisions, now, now)

    def _outbound_ended(self, leg: Leg, now: float, caused_at: float) -> None:
        agent = self.agents[leg.agent_id]
        agent.outbound = None
        call = self.calls.pop(leg.call_id, None)
        if call is not None:
            call.ended_at = now
            call.outcome = Outcome.ANSWERED if call.answered_at is not None else (
                Outcome.ABANDONED)
            if call.answered_at is not None:
                call.add_segment(SegmentKind.TALK, call.answered_at, now, agent_id=agent.id)
            self._effects.append(StoreRecord(self.record_of(call)))
            self._recording_done(call, now)
        if agent.paused_for_outbound:
            agent.paused_for_outbound = False
            if agent.state is AgentState.PAUSED and agent.reason == OUTBOUND_PAUSE:
                self._agent_entry(lambda: self.router.unpause(agent.id, now), now)


def parse_float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


