"""What a supervisor's command does to calls: move or reprioritise a waiting call, spy on an
agent's call. The role check and the audit are `callcenter.engine.supervision`'s; this is
only the effect on the state book and the PBX.

Listen, whisper and barge ring the supervisor's device and run ChanSpy on the agent's leg, as
the real transcript f1-chanspy-listen-whisper shows (`Originate Channel=<device>
Application=ChanSpy Data=<agent channel>,<options>`).
"""

from __future__ import annotations

from acd import AcdError
from callcenter.ami import actions
from callcenter.engine.decisions import RouterDecisions
from callcenter.engine.live import CallPhase, LiveCall
from callcenter.engine.state import CommandRefused, EngineState
from dialplans.contract import Var

SPY_RING_TIMEOUT_S = 30.0


class SupervisorActions:
    def __init__(self, state: EngineState, decisions: RouterDecisions) -> None:
        self.state = state
        self.decisions = decisions

    def waiting_call(self, call_id: str) -> LiveCall:
        call = self.state.calls.get(call_id)
        if call is None:
            raise CommandRefused(f"call {call_id} is not known to the engine")
        if call.phase is not CallPhase.WAITING:
            raise CommandRefused(f"call {call_id} is not waiting in a queue ({call.phase.value})")
        return call

    def move_call(self, call_id: str, queue: str, now: float) -> None:
        call = self.waiting_call(call_id)
        try:
            decisions = self.state.router.move_call(call.call_id, queue, now)
        except AcdError as error:
            raise CommandRefused(f"move_call: {error}") from None
        self.decisions.apply(decisions, now, now)

    def set_priority(self, call_id: str, priority: int, now: float) -> None:
        call = self.waiting_call(call_id)
        try:
            decisions = self.state.router.set_priority(call.call_id, priority, now)
        except AcdError as error:
            raise CommandRefused(f"set_priority: {error}") from None
        self.decisions.apply(decisions, now, now)
        call.priority = priority
        self.state.dirty_queues.add(call.queue)
        # The channel keeps it, so a restarted engine queues it with this priority.
        self.state.outbox.setvars(call.channel, {Var.PRIORITY: str(priority)}, now,
                                  call.call_id)

    def spy(self, agent_id: str, device: str, options: str, spy_id: str, what: str,
            now: float) -> str:
        """Ring `device` and spy on the agent's call with ChanSpy `options`; the call's id.

        The supervisor's phone shows `what` and the agent's display id (`Listen 1007`)."""
        agent = self.state.agent(agent_id)
        call = self.state.calls.get(agent.call_id or "")
        if call is None or call.phase is not CallPhase.CONNECTED or call.leg is None:
            raise CommandRefused(f"agent {agent_id} is not on a call")
        if not call.leg.channel:
            raise CommandRefused(f"agent {agent_id}: the call is still being set up; try again")
        if device == agent.device:
            raise CommandRefused(f"{device} is agent {agent_id}'s own device")
        self.state.outbox.ami(actions.originate(
            device, application="ChanSpy", data=f"{call.leg.channel},{options}",
            timeout_s=SPY_RING_TIMEOUT_S,
            caller_id=f'"{what} {agent.display_id}" <{agent.display_id}>',
            channel_id=spy_id,
        ), now)
        return call.call_id
