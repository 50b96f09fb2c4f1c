"""What agents ask of the engine from their desktops: log in and out, pause, end or extend
wrap-up, hold, hang up, transfer, dial out. Each either changes the state or raises
`CommandRefused` with the sentence the agent's desktop shows; nothing half-done.
"""

from __future__ import annotations

from acd import AgentState, CallRequest, SkillLevel
from callcenter.ami import actions
from callcenter.engine import recorder
from callcenter.engine.calls import CallFlow
from callcenter.engine.config import DEVICE_PATTERN
from callcenter.engine.decisions import RouterDecisions
from callcenter.engine.live import CallPhase, Leg, LiveCall
from callcenter.engine.state import (
    DEVICE_OFFLINE,
    DIRECTED_SKILL,
    OFFLINE_STATES,
    OUTBOUND_PAUSE,
    UNKNOWN_DEVICE_STATE,
    CommandRefused,
    EngineState,
)
from cdr import AgentSession, HangupBy, Outcome
from dialplans import contract
from dialplans.contract import Var
from recording.policy import CallType

_DIAL_OUT_TIMEOUT_S = 30.0  # the agent's own phone rings this long for a click-to-dial


class AgentCommands:
    """The agent commands, over the state book, the call flow and the router."""

    def __init__(self, state: EngineState, flow: CallFlow, decisions: RouterDecisions) -> None:
        self.state = state
        self.flow = flow
        self.decisions = decisions

    def login(self, agent_id: str, device: str | None, now: float,
              queues: list[str] | None = None) -> None:
        state = self.state
        router = state.router
        agent = state.agent(agent_id)
        now = state.tick(now)
        if agent.state is not AgentState.LOGGED_OUT:
            raise CommandRefused(f"agent {agent_id} is already logged in ({agent.state.value})")
        device = device or agent.default_device
        if device is None:
            raise CommandRefused(f"agent {agent_id}: login needs a device (e.g. PJSIP/1007)")
        if not DEVICE_PATTERN.match(device):
            raise CommandRefused(f"agent {agent_id}: device {device!r} is not like PJSIP/1007")
        holder = state.devices.get(device)
        if holder is not None and holder != agent_id:
            raise CommandRefused(f"device {device} is in use by agent {holder}")
        if queues is not None:
            self.decisions.command(lambda: router.set_agent_queues(agent_id, queues, now), now)
            agent.queues = tuple(queues)
        device_state = state.device_states.get(device, UNKNOWN_DEVICE_STATE)
        if device_state == UNKNOWN_DEVICE_STATE:
            state.outbox.device_query(device)  # not listed at the last resync: ask
        offline = device_state in OFFLINE_STATES
        agent.device, agent.device_state = device, device_state
        agent.logged_in_at = now
        agent.offline_paused = offline
        state.devices[device] = agent_id
        paused = DEVICE_OFFLINE if offline else None
        self.decisions.command(lambda: router.login(agent_id, now, paused=paused), now)

    def logout(self, agent_id: str, now: float) -> None:
        state = self.state
        router = state.router
        agent = state.agent(agent_id)
        now = state.tick(now)
        if agent.state is AgentState.LOGGED_OUT:
            raise CommandRefused(f"agent {agent_id} is not logged in")
        if agent.state in (AgentState.RESERVED, AgentState.ON_CALL) or agent.outbound:
            raise CommandRefused(f"agent {agent_id} is on a call; cannot log out")
        if agent.state is AgentState.WRAP_UP:
            self.decisions.command(lambda: router.end_wrap_up(agent_id, now), now)
        self.decisions.command(lambda: router.logout(agent_id, now), now)
        state.outbox.store(AgentSession(
            agent_id, agent.logged_in_at or now, now, agent.queues, agent.device))
        if agent.device is not None:
            state.devices.pop(agent.device, None)
        agent.device, agent.logged_in_at, agent.offline_paused = None, None, False

    def pause(self, agent_id: str, reason: str, now: float) -> None:
        state = self.state
        state.logged_in(agent_id)
        now = state.tick(now)
        self.decisions.command(lambda: state.router.pause(agent_id, reason, now), now)
        state.outbox.agent_state(agent_id)

    def ready(self, agent_id: str, now: float) -> None:
        state = self.state
        router = state.router
        agent = state.logged_in(agent_id)
        now = state.tick(now)
        if agent.offline_paused:
            raise CommandRefused(f"agent {agent_id}: device {agent.device} is offline")
        if agent.state is AgentState.WRAP_UP:
            self.decisions.command(lambda: router.end_wrap_up(agent_id, now), now)
            if state.agents[agent_id].state is AgentState.PAUSED:  # it had asked for a pause
                self.decisions.command(lambda: router.unpause(agent_id, now), now)
            return
        if agent.state is AgentState.AVAILABLE:
            return
        self.decisions.command(lambda: router.unpause(agent_id, now), now)
        state.outbox.agent_state(agent_id)

    def end_wrap_up(self, agent_id: str, now: float) -> None:
        self.state.logged_in(agent_id)
        now = self.state.tick(now)
        self.decisions.command(lambda: self.state.router.end_wrap_up(agent_id, now), now)

    def extend_wrap_up(self, agent_id: str, seconds: float, now: float) -> None:
        self.state.logged_in(agent_id)
        now = self.state.tick(now)
        self.decisions.command(
            lambda: self.state.router.extend_wrap_up(agent_id, seconds, now), now)

    def _talking(self, agent_id: str) -> LiveCall:
        agent = self.state.logged_in(agent_id)
        call = self.state.calls.get(agent.call_id or "")
        if call is None or agent.state is not AgentState.ON_CALL or call.phase is not (
            CallPhase.CONNECTED
        ):
            raise CommandRefused(f"agent {agent_id} is not on a call")
        return call

    def current_caller(self, agent_id: str) -> str:
        """The number of the caller the agent talks to (or just talked to, in wrap-up)."""
        agent = self.state.logged_in(agent_id)
        call = self.state.calls.get(agent.call_id or "")
        if call is None or not call.caller or call.phase is CallPhase.WAITING:
            raise CommandRefused(f"agent {agent_id} has no caller to act on")
        return call.caller

    def hold(self, agent_id: str, now: float) -> None:
        call = self._talking(agent_id)
        now = self.state.tick(now)
        if call.hold_since is not None:
            raise CommandRefused(f"agent {agent_id}: the call is already on hold")
        if not call.bridged:
            raise CommandRefused(f"agent {agent_id}: the caller is still hearing the"
                                 " announcement; try again in a moment")
        self.flow.hold_started(call, now)
        call.bridged = False
        self.state.outbox.ami(actions.redirect(call.channel, contract.HOLD, contract.HOLD_ENTRY),
                              now, call.call_id)

    def unhold(self, agent_id: str, now: float) -> None:
        call = self._talking(agent_id)
        now = self.state.tick(now)
        if call.hold_since is None:
            raise CommandRefused(f"agent {agent_id}: the call is not on hold")
        self.state.outbox.ami(
            actions.redirect(call.channel, contract.CONNECT, contract.UNHOLD_ENTRY), now,
            call.call_id)

    def hangup(self, agent_id: str, now: float) -> None:
        agent = self.state.logged_in(agent_id)
        now = self.state.tick(now)
        if agent.outbound is not None:
            self.state.outbox.ami(actions.hangup(agent.outbound.address), now)
            return
        call = self.state.calls.get(agent.call_id or "")
        if call is None or call.leg is None or agent.state not in (
            AgentState.RESERVED, AgentState.ON_CALL
        ):
            raise CommandRefused(f"agent {agent_id} has no call to hang up")
        self.state.outbox.ami(actions.hangup(call.leg.address), now, call.call_id,
                              call.leg.uniqueid)

    def record_start(self, agent_id: str, now: float) -> None:
        """Start recording the agent's queue call on demand, if the policy and the caller allow
        (click-to-dial calls are recorded by the rules for type outbound only)."""
        call = self._talking(agent_id)
        now = self.state.tick(now)
        if call.recording is not None:
            raise CommandRefused(f"agent {agent_id}: the call is already being recorded")
        if not call.bridged:
            raise CommandRefused(f"agent {agent_id}: the caller is not connected yet (or on"
                                 " hold); try again in a moment")
        decision = recorder.decide_for(self.state.config, call, agent_id, CallType.INBOUND,
                                       on_demand=True)
        if not decision.record:
            raise CommandRefused(f"agent {agent_id}: recording not allowed:"
                                 f" {decision.explanation}")
        call.recording_decided = True
        self.state.outbox.ami(
            recorder.start(self.state.config, call, agent_id, call.channel, decision, now),
            now, call.call_id)

    def record_pause(self, agent_id: str, now: float) -> None:
        """Mute the recording (both directions) while the caller gives card data; the pause is
        kept in the recording's metadata."""
        call = self._talking(agent_id)
        now = self.state.tick(now)
        session = call.recording
        if session is None:
            raise CommandRefused(f"agent {agent_id}: the call is not being recorded")
        if session.paused:
            raise CommandRefused(f"agent {agent_id}: the recording is already paused")
        session.pause(now)
        self.state.outbox.ami(recorder.mute(session, True), now, call.call_id)

    def record_resume(self, agent_id: str, now: float) -> None:
        call = self._talking(agent_id)
        now = self.state.tick(now)
        session = call.recording
        if session is None or not session.paused:
            raise CommandRefused(f"agent {agent_id}: the recording is not paused")
        session.resume(now)
        self.state.outbox.ami(recorder.mute(session, False), now, call.call_id)

    def transfer(self, agent_id: str, mode: str, kind: str, target: str, now: float) -> None:
        call = self._talking(agent_id)
        now = self.state.tick(now)
        if mode != "blind":
            raise CommandRefused(
                f"agent {agent_id}: {mode} transfer is not supported by this engine version;"
                " use a blind transfer"
            )
        if kind == "queue":
            if target not in set(self.state.router.queue_names()):
                raise CommandRefused(f"transfer: unknown queue {target!r}")
            request = CallRequest(id=call.call_id, queue=target, priority=call.priority,
                                  tier=call.tier, caller=call.caller or None)
        elif kind == "agent":
            if target not in self.state.agents:
                raise CommandRefused(f"transfer: unknown agent {target!r}")
            if self.state.agents[target].state is AgentState.LOGGED_OUT:
                raise CommandRefused(f"transfer: agent {target} is not logged in")
            request = CallRequest(id=call.call_id, queue=call.queue, priority=call.priority,
                                  required=((SkillLevel(DIRECTED_SKILL + target),),),
                                  tier=call.tier, caller=call.caller or None)
        elif kind == "extension":
            if not target or not all(c.isalnum() or c in "+*#_-" for c in target):
                raise CommandRefused(
                    f"transfer: extension {target!r} is not a dialable extension")
            request = None
        else:
            raise CommandRefused(f"transfer: unknown target kind {kind!r}")
        call.transferred = True
        call.hangup_by = HangupBy.AGENT
        self.flow.end_talk(call, now, now)
        if request is None:
            call.phase = CallPhase.LEFT
            call.outcome = Outcome.TRANSFERRED
            call.transfer_to = (target, self.state.config.transfer_context)
            self.state.outbox.ami(
                actions.redirect(call.channel, self.state.config.transfer_context, target), now,
                call.call_id)
            return
        call.transfer_to = (contract.HOLD_ENTRY, contract.HOLD)
        call.outcome = None
        call.phase = CallPhase.WAITING
        call.bridged = False
        call.queue = request.queue
        call.waiting_since = now
        self.state.outbox.ami(actions.redirect(call.channel, contract.HOLD, contract.HOLD_ENTRY),
                              now, call.call_id)
        self.decisions.command(lambda: self.state.router.enqueue(request, now), now)

    def dial(self, agent_id: str, number: str, now: float) -> None:
        agent = self.state.logged_in(agent_id)
        now = self.state.tick(now)
        if agent.state not in (AgentState.AVAILABLE, AgentState.PAUSED) or agent.outbound:
            raise CommandRefused(f"agent {agent_id} is {agent.state.value}; cannot dial now")
        if agent.offline_paused:
            raise CommandRefused(f"agent {agent_id}: device {agent.device} is offline")
        if agent.state is AgentState.AVAILABLE:
            self.decisions.command(
                lambda: self.state.router.pause(agent_id, OUTBOUND_PAUSE, now), now)
            agent.paused_for_outbound = True
        self.state.outbound_seq += 1
        uid = f"out-{agent_id}-{int(now)}-{self.state.outbound_seq}"
        leg = Leg(uid, uid, agent_id, now, outbound=True)
        call = LiveCall(call_id=uid, channel="", caller=number, caller_name="", queue="",
                        priority=0, skills="", language="", tier=None, ivr_path="",
                        arrived_at=now, enqueued_at=now, did=number, phase=CallPhase.LEFT)
        call.legs.append(leg)
        call.agent_id = agent_id
        call.agent_display = agent.display_id
        self.state.calls[uid] = call
        self.state.legs[uid] = leg
        agent.outbound = leg
        self.state.outbox.ami(
            actions.originate(agent.device or "", context=contract.OUTBOUND, exten=number,
                              timeout_s=_DIAL_OUT_TIMEOUT_S, channel_id=uid,
                              variables=[f"{Var.AGENT_ID}={agent_id}"]),
            now, uid, uid)
