"""What each AMI event means to the engine: one handler per event type, in a dispatch table.

`AmiHandlers.handle` stamps the event's arrival (actions it leads to are timed from it, for
the decision latency), advances the clock and calls the event's handler; events the engine
does not follow have none and cost one dict lookup.
"""

from __future__ import annotations

from acd import AgentState
from callcenter.ami import actions, events as ev
from callcenter.engine.calls import CallFlow
from callcenter.engine.decisions import RouterDecisions
from callcenter.engine.dispatch import DispatchTable
from callcenter.engine.effects import AmiRequest
from callcenter.engine.live import CallPhase
from callcenter.engine.records import finish_ivr_span
from callcenter.engine.state import DEVICE_OFFLINE, OFFLINE_STATES, EngineState
from dialplans.contract import ANNOUNCED_AGENT_FIELD, ANNOUNCED_EVENT, ENQUEUE_EVENT
from recording.policy import CallType


class AmiHandlers:
    """The engine's reading of Asterisk's events."""

    def __init__(self, state: EngineState, flow: CallFlow, decisions: RouterDecisions) -> None:
        self.state = state
        self.flow = flow
        self.decisions = decisions
        table: DispatchTable[ev.AmiEvent, [float]] = DispatchTable()
        table.on(ev.UserEvent, self._user_event)
        table.on(ev.Newchannel, self._newchannel)
        table.on(ev.Newstate, self._newstate)
        table.on(ev.Hangup, self._hangup)
        table.on(ev.OriginateResponse, self._originate_response)
        table.on(ev.DeviceStateChange, self._device_state)
        table.on(ev.BridgeEnter, self._bridge_enter)
        table.on(ev.Hold, self._hold)
        table.on(ev.Unhold, self._unhold)
        table.on(ev.DialEnd, self._dial_end)
        self._handler_for = table.handler_for

    def handle(self, event: ev.AmiEvent) -> None:
        handler = self._handler_for(event)
        if handler is None:
            return
        state = self.state
        arrived = event.received_at + state.epoch_offset
        state.outbox.cause = arrived  # actions are timed from the event's arrival
        try:
            handler(event, state.tick(arrived))
        finally:
            state.outbox.cause = None

    def action_failed(self, request: AmiRequest, message: str) -> None:
        """Asterisk refused an action outright (e.g. Originate to an unknown device)."""
        state = self.state
        now = state.tick(request.caused_at)
        if request.name == actions.ORIGINATE and request.leg is not None:
            leg = state.legs.get(request.leg)
            if leg is not None:
                self.flow.leg_failed(leg, now)
        state.outbox.notice("warning", f"AMI {request.name} refused: {message}",
                            call_id=request.call_id or "")

    # ----------------------------------------------------------------- callers

    def _user_event(self, event: ev.UserEvent, now: float) -> None:
        if event.user_event == ANNOUNCED_EVENT:
            if event.channel is not None:
                call = self.state.calls.get(event.channel.uniqueid)
                if call is not None:
                    self.flow.announced(call, event.fields.get(ANNOUNCED_AGENT_FIELD, ""), now)
            return
        if event.user_event != ENQUEUE_EVENT:
            return
        channel = event.channel
        if channel is None:
            self.state.outbox.notice(
                "error", f"UserEvent {ENQUEUE_EVENT} without a channel: ignored")
            return
        if channel.uniqueid in self.state.calls:
            return  # seen already (a replay after a reconnect)
        self.flow.enqueue_channel(channel, event.fields, now, now)

    def _hangup(self, event: ev.Hangup, now: float) -> None:
        state = self.state
        uid = event.channel.uniqueid
        call = state.calls.get(uid)
        if call is not None and call.channel == event.channel.name:
            self.flow.caller_gone(call, now, now)
            return
        leg = state.legs.pop(uid, None)
        if leg is not None:
            leg.ended_at = now
            self.flow.leg_gone(leg, now, now)
            return
        span = state.ivr_spans.get(uid)
        if span is not None and call is None:
            span.hung_up_at = now
            finish_ivr_span(state, span)

    def _bridge_enter(self, event: ev.BridgeEnter, now: float) -> None:
        call = self.state.calls.get(event.channel.uniqueid)
        if call is not None and call.phase is CallPhase.CONNECTED:
            self.flow.bridged(call, now)
            if not call.recording_decided:
                self.flow.record_at_bridge(call, call.channel, CallType.INBOUND, now)

    def _hold(self, event: ev.Hold, now: float) -> None:
        call = self.state.call_of_channel(event.channel.uniqueid)
        if call is not None and call.phase is CallPhase.CONNECTED and call.hold_since is None:
            self.flow.hold_started(call, now)

    def _unhold(self, event: ev.Unhold, now: float) -> None:
        call = self.state.call_of_channel(event.channel.uniqueid)
        if call is not None and call.hold_since is not None:
            self.flow.hold_ended(call, now)

    # ----------------------------------------------------------------- agent legs

    def _newchannel(self, event: ev.Newchannel, now: float) -> None:
        leg = self.state.legs.get(event.channel.uniqueid)
        if leg is not None:
            leg.channel = event.channel.name

    def _newstate(self, event: ev.Newstate, now: float) -> None:
        if event.channel.state is not ev.ChannelState.UP:
            return
        leg = self.state.legs.get(event.channel.uniqueid)
        if leg is None or leg.answered_at is not None:
            return
        self.flow.leg_answered(leg, event.channel.name, now)

    def _dial_end(self, event: ev.DialEnd, now: float) -> None:
        """The customer of a callback or a click-to-dial answered (cc-outbound's Dial)."""
        if event.caller is None or event.status != "ANSWER":
            return
        state = self.state
        leg = state.legs.get(event.caller.uniqueid)
        if leg is None:
            return
        call = state.calls.get(leg.call_id)
        if call is None:
            return
        if not leg.outbound:
            if call.callback_to and call.callback_reached_at is None:
                call.callback_reached_at = call.answered_at = call.talk_since = now
                self.flow.record_at_bridge(call, leg.address, CallType.INBOUND, now)
        elif call.answered_at is None:
            call.answered_at = now
            self.flow.record_at_bridge(call, leg.address, CallType.OUTBOUND, now)

    def _originate_response(self, event: ev.OriginateResponse, now: float) -> None:
        """A failed Originate (busy, offline, no answer, hung up while ringing): its leg is the
        one whose ChannelId Asterisk echoes as `Uniqueid` (main/manager.c, fast_originate),
        never "the agent's current call": a response can arrive after the engine has offered
        that agent another call (it comes before the leg's Hangup)."""
        if event.success or event.uniqueid is None:
            return
        state = self.state
        leg = state.legs.get(event.uniqueid)
        if leg is None or leg.answered_at is not None or leg.ended_at is not None:
            return
        state.outbox.notice("warning", f"agent {leg.agent_id}: call to {event.channel} failed"
                            f" (reason {event.reason})", call_id=leg.call_id)
        self.flow.leg_failed(leg, now)

    # ----------------------------------------------------------------- devices

    def _device_state(self, event: ev.DeviceStateChange, now: float) -> None:
        self.device_state(event.device, event.state, now)

    def device_state(self, device: str, device_state: str, now: float) -> None:
        """A device's state, from an event or a `DeviceStateList`: an agent whose phone is
        unavailable is paused `device-offline`, and resumed when it is back."""
        state = self.state
        state.device_states[device] = device_state
        agent_id = state.devices.get(device)
        if agent_id is None:
            return
        agent = state.agents[agent_id]
        agent.device_state = device_state
        router = state.router
        if device_state in OFFLINE_STATES:
            if not agent.offline_paused and agent.state is not AgentState.PAUSED:
                agent.offline_paused = True
                self.decisions.agent_entry(lambda: router.pause(agent.id, DEVICE_OFFLINE, now),
                                           now)
        elif agent.offline_paused:
            agent.offline_paused = False
            # Unpause only the engine's own pause (or cancel it while the agent is busy).
            if agent.state is not AgentState.PAUSED or agent.reason == DEVICE_OFFLINE:
                self.decisions.agent_entry(lambda: router.unpause(agent.id, now), now)
        state.outbox.agent_state(agent.id)
