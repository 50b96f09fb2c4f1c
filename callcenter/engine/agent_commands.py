"""What agents ask of the engine from their desktops: log in and out, pause, end or extend
wrap-up, hold, hang up, transfer, dial out. Each either changes the state or raises
`CommandRefused` with the sentence the agent's desktop shows; nothing half-done.
"""

from __future__ import annotations

from collections.abc import Callable

from acd import AcdError, AgentState, CallRequest, Decision
from callcenter.engine import recorder
from callcenter.engine.callhandling import (
    CONNECT_CONTEXT,
    DEVICE_OFFLINE,
    DIRECTED_SKILL,
    HOLD_CONTEXT,
    OFFLINE_STATES,
    OUTBOUND_CONTEXT,
    OUTBOUND_PAUSE,
    CallHandling,
    CommandRefused,
)
from callcenter.engine.config import DEVICE_PATTERN
from callcenter.engine.effects import AgentStatePublish, StoreRecord
from callcenter.engine.live import CallPhase, Leg, LiveAgent, LiveCall
from cdr.records import AgentSession, HangupBy, Outcome
from recording.policy import CallType


def _refuse(message: str) -> None:
    raise CommandRefused(message)


class AgentCommands(CallHandling):
    """Agent commands on top of the call handling: the middle layer of `Switchboard`."""


    def _agent(self, agent_id: str) -> LiveAgent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise CommandRefused(f"agent {agent_id} is not configured")
        return agent

    def _command(self, entry: Callable[[], list[Decision]], now: float) -> None:
        try:
            decisions = entry()
        except AcdError as error:
            raise CommandRefused(str(error)) from None
        self._apply(decisions, now, now)

    def login(self, agent_id: str, device: str | None, now: float,
              queues: list[str] | None = None) -> None:
        agent = self._agent(agent_id)
        now = self.tick(now)
        if agent.state is not AgentState.LOGGED_OUT:
            raise CommandRefused(f"agent {agent_id} is already logged in ({agent.state.value})")
        device = device or agent.default_device
        if device is None:
            raise CommandRefused(f"agent {agent_id}: login needs a device (e.g. PJSIP/1007)")
        if not DEVICE_PATTERN.match(device):
            raise CommandRefused(f"agent {agent_id}: device {device!r} is not like PJSIP/1007")
        holder = self.devices.get(device)
        if holder is not None and holder != agent_id:
            raise CommandRefused(f"device {device} is in use by agent {holder}")
        if queues is not None:
            self._command(lambda: self.router.set_agent_queues(agent_id, queues, now), now)
            agent.queues = tuple(queues)
        state = self.device_states.get(device, "UNKNOWN")
        offline = state in OFFLINE_STATES
        agent.device, agent.device_state = device, state
        agent.logged_in_at = now
        agent.offline_paused = offline
        self.devices[device] = agent_id
        self._command(lambda: self.router.login(agent_id, now,
                                                paused=DEVICE_OFFLINE if offline else None), now)

    def logout(self, agent_id: str, now: float) -> None:
        agent = self._agent(agent_id)
        now = self.tick(now)
        if agent.state is AgentState.LOGGED_OUT:
            raise CommandRefused(f"agent {agent_id} is not logged in")
        if agent.state in (AgentState.RESERVED, AgentState.ON_CALL) or agent.outbound:
            raise CommandRefused(f"agent {agent_id} is on a call; cannot log out")
        if agent.state is AgentState.WRAP_UP:
            self._command(lambda: self.router.end_wrap_up(agent_id, now), now)
        self._command(lambda: self.router.logout(agent_id, now), now)
        self._effects.append(StoreRecord(AgentSession(
            agent_id, agent.logged_in_at or now, now, agent.queues, agent.device)))
        if agent.device is not None:
            self.devices.pop(agent.device, None)
        agent.device, agent.logged_in_at, agent.offline_paused = None, None, False

    def pause(self, agent_id: str, reason: str, now: float) -> None:
        self._logged_in(agent_id)
        now = self.tick(now)
        self._command(lambda: self.router.pause(agent_id, reason, now), now)
        self._effects.append(AgentStatePublish(agent_id))

    def ready(self, agent_id: str, now: float) -> None:
        agent = self._logged_in(agent_id)
        now = self.tick(now)
        if agent.offline_paused:
            raise CommandRefused(f"agent {agent_id}: device {agent.device} is offline")
        if agent.state is AgentState.WRAP_UP:
            self._command(lambda: self.router.end_wrap_up(agent_id, now), now)
            if self.agents[agent_id].state is AgentState.PAUSED:  # it had asked for a pause
                self._command(lambda: self.router.unpause(agent_id, now), now)
            return
        if agent.state is AgentState.AVAILABLE:
            return
        self._command(lambda: self.router.unpause(agent_id, now), now)
        self._effects.append(AgentStatePublish(agent_id))

    def end_wrap_up(self, agent_id: str, now: float) -> None:
        self._logged_in(agent_id)
        now = self.tick(now)
        self._command(lambda: self.router.end_wrap_up(agent_id, now), now)

    def extend_wrap_up(self, agent_id: str, seconds: float, now: float) -> None:
        self._logged_in(agent_id)
        now = self.tick(now)
        self._command(lambda: self.router.extend_wrap_up(agent_id, seconds, now), now)

    def _logged_in(self, agent_id: str) -> LiveAgent:
        agent = self._agent(agent_id)
        if agent.state is AgentState.LOGGED_OUT:
            raise CommandRefused(f"agent {agent_id} is not logged in")
        return agent

    def _talking(self, agent_id: str) -> LiveCall:
        agent = self._logged_in(agent_id)
        call = self.calls.get(agent.call_id or "")
        if call is None or agent.state is not AgentState.ON_CALL or call.phase is not (
            CallPhase.CONNECTED
        ):
            raise CommandRefused(f"agent {agent_id} is not on a call")
        return call

    def current_caller(self, agent_id: str) -> str:
        """The number of the caller the agent talks to (or just talked to, in wrap-up)."""
        agent = self._logged_in(agent_id)
        call = self.calls.get(agent.call_id or "")
        if call is None or not call.caller or call.phase is CallPhase.WAITING:
            raise CommandRefused(f"agent {agent_id} has no caller to act on")
        return call.caller

    def hold(self, agent_id: str, now: float) -> None:
        call = self._talking(agent_id)
        now = self.tick(now)
        if call.hold_since is not None:
            raise CommandRefused(f"agent {agent_id}: the call is already on hold")
        if not call.bridged:
            raise CommandRefused(f"agent {agent_id}: the caller is still hearing the"
                                 " announcement; try again in a moment")
        call.hold_since = now
        call.bridged = False
        self._ami("Redirect", {"Channel": call.channel, "Context": HOLD_CONTEXT, "Exten": "s",
                               "Priority": 1}, now, call.call_id)

    def unhold(self, agent_id: str, now: float) -> None:
        call = self._talking(agent_id)
        now = self.tick(now)
        if call.hold_since is None:
            raise CommandRefused(f"agent {agent_id}: the call is not on hold")
        self._ami("Redirect", {"Channel": call.channel, "Context": CONNECT_CONTEXT,
                               "Exten": "unhold", "Priority": 1}, now, call.call_id)

    def hangup(self, agent_id: str, now: float) -> None:
        agent = self._logged_in(agent_id)
        now = self.tick(now)
        if agent.outbound is not None:
            self._ami("Hangup", {"Channel": agent.outbound.address, "Cause": 16}, now)
            return
        call = self.calls.get(agent.call_id or "")
        if call is None or call.leg is None or agent.state not in (
            AgentState.RESERVED, AgentState.ON_CALL
        ):
            raise CommandRefused(f"agent {agent_id} has no call to hang up")
        self._ami("Hangup", {"Channel": call.leg.address, "Cause": 16}, now, call.call_id,
                  call.leg.uniqueid)

    def record_start(self, agent_id: str, now: float) -> None:
        """Start recording the agent's queue call on demand, if the policy and the caller allow
        (click-to-dial calls are recorded by the rules for type outbound only)."""
        call = self._talking(agent_id)
        now = self.tick(now)
        if call.recording is not None:
            raise CommandRefused(f"agent {agent_id}: the call is already being recorded")
        if not call.bridged:
            raise CommandRefused(f"agent {agent_id}: the caller is not connected yet (or on"
                                 " hold); try again in a moment")
        decision = recorder.decide_for(self.config, call, agent_id, CallType.INBOUND,
                                       on_demand=True)
        if not decision.record:
            raise CommandRefused(f"agent {agent_id}: recording not allowed:"
                                 f" {decision.explanation}")
        call.recording_decided = True
        fields = recorder.start(self.config, call, agent_id, call.channel, decision, now)
        self._ami("MixMonitor", fields, now, call.call_id)

    def record_pause(self, agent_id: str, now: float) -> None:
        """Mute the recording (both directions) while the caller gives card data; the pause is
        kept in the recording's metadata."""
        call = self._talking(agent_id)
        now = self.tick(now)
        session = call.recording
        if session is None:
            raise CommandRefused(f"agent {agent_id}: the call is not being recorded")
        if session.paused:
            raise CommandRefused(f"agent {agent_id}: the recording is already paused")
        session.pause(now)
        self._ami("MixMonitorMute", recorder.mute_fields(session, True), now, call.call_id)

    def record_resume(self, agent_id: str, now: float) -> None:
        call = self._talking(agent_id)
        now = self.tick(now)
        session = call.recording
        if session is None or not session.paused:
            raise CommandRefused(f"agent {agent_id}: the recording is not paused")
        session.resume(now)
        self._ami("MixMonitorMute", recorder.mute_fields(session, False), now, call.call_id)

    def transfer(self, agent_id: str, mode: str, kind: str, target: str, now: float) -> None:
        call = self._talking(agent_id)
        now = self.tick(now)
        if mode != "blind":
            raise CommandRefused(
                f"agent {agent_id}: {mode} transfer is not supported by this engine version;"
                " use a blind transfer"
            )
        if kind == "queue":
            if target not in set(self.router.queue_names()):
                _refuse(f"transfer: unknown queue {target!r}")
            request = CallRequest(id=call.call_id, queue=target, priority=call.priority,
                                  tier=call.tier, caller=call.caller or None)
        elif kind == "agent":
            if target not in self.agents:
                _refuse(f"transfer: unknown agent {target!r}")
            if self.agents[target].state is AgentState.LOGGED_OUT:
                _refuse(f"transfer: agent {target} is not logged in")
            request = CallRequest(id=call.call_id, queue=call.queue, priority=call.priority,
                                  required=({DIRECTED_SKILL + target: 1},),  # type: ignore[arg-type]
                                  tier=call.tier, caller=call.caller or None)
        elif kind == "extension":
            if not target or not all(c.isalnum() or c in "+*#_-" for c in target):
                _refuse(f"transfer: extension {target!r} is not a dialable extension")
            request = None
        else:
            raise CommandRefused(f"transfer: unknown target kind {kind!r}")
        call.transferred = True
        call.hangup_by = HangupBy.AGENT
        self._end_talk(call, now, now)
        if request is None:
            call.phase = CallPhase.LEFT
            call.outcome = Outcome.TRANSFERRED
            call.transfer_to = (target, self.config.transfer_context)
            self._ami("Redirect", {"Channel": call.channel, "Context":
                                   self.config.transfer_context, "Exten": target, "Priority": 1},
                      now, call.call_id)
            return
        call.transfer_to = ("s", HOLD_CONTEXT)
        call.outcome = None
        call.phase = CallPhase.WAITING
        call.bridged = False
        call.queue = request.queue
        call.waiting_since = now
        self._ami("Redirect", {"Channel": call.channel, "Context": HOLD_CONTEXT, "Exten": "s",
                               "Priority": 1}, now, call.call_id)
        self._command(lambda: self.router.enqueue(request, now), now)

    def dial(self, agent_id: str, number: str, now: float) -> None:
        agent = self._logged_in(agent_id)
        now = self.tick(now)
        if agent.state not in (AgentState.AVAILABLE, AgentState.PAUSED) or agent.outbound:
            raise CommandRefused(f"agent {agent_id} is {agent.state.value}; cannot dial now")
        if agent.offline_paused:
            raise CommandRefused(f"agent {agent_id}: device {agent.device} is offline")
        if agent.state is AgentState.AVAILABLE:
            self._command(lambda: self.router.pause(agent_id, OUTBOUND_PAUSE, now), now)
            agent.paused_for_outbound = True
        self._outbound_seq += 1
        uid = f"out-{agent_id}-{int(now)}-{self._outbound_seq}"
        leg = Leg(uid, uid, agent_id, now, outbound=True)
        call = LiveCall(call_id=uid, channel="", caller=number, caller_name="", queue="",
                        priority=0, skills="", language="", tier=None, ivr_path="",
                        arrived_at=now, enqueued_at=now, did=number, phase=CallPhase.LEFT)
        call.legs.append(leg)
        call.agent_id = agent_id
        call.agent_display = agent.display_id
        self.calls[uid] = call
        self.legs[uid] = leg
        agent.outbound = leg
        self._ami("Originate", {"Channel": agent.device or "", "Context": OUTBOUND_CONTEXT,
                                "Exten": number, "Priority": 1, "Async": "true",
                                "Timeout": 30000, "ChannelId": uid,
                                "Variable": [f"CC_AGENT_ID={agent_id}"]}, now, uid, uid)
