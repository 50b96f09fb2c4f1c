"""The switchboard's state book: everything that affects the engine's decisions lives here.

One `EngineState` holds the router, the live calls, agent legs, agents, IVR spans and the
scheduled callbacks, the clock and the outbox of effects. Every handler of the switchboard
(`calls`, `decisions`, `ami_handlers`, `agent_commands`, `restore`, `caller_services`,
`roster`) is given this one object; none keeps state of its own, so a reader always knows
where a piece of state lives (h11 keeps its connection state the same way, `h11/_state.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from acd import AcdError, AgentState, Router
from callcenter.engine.config import EngineConfig
from callcenter.engine.live import IvrSpan, Leg, LiveAgent, LiveCall
from callcenter.engine.outbox import Outbox
from callcenter.engine.stats import TodayStats
from callcenter.errors import CallcenterError
from ivr.outcomes import CallbackRequest

DEVICE_OFFLINE = "device-offline"  # the pause the engine gives an agent whose phone is gone
OUTBOUND_PAUSE = "outbound-call"  # the pause that keeps calls away during a click-to-dial
DIRECTED_SKILL = "agent:"  # every agent has skill "agent:<id>", so a call can be sent to one
OFFLINE_STATES = frozenset({"UNAVAILABLE", "INVALID"})  # device states of a phone that is gone
INVALID_DEVICE_STATE = "INVALID"  # a device Asterisk does not know (main/devicestate.c)
UNKNOWN_DEVICE_STATE = "UNKNOWN"  # not heard from Asterisk yet


class CommandRefused(CallcenterError):
    """An agent command that cannot be carried out now; the message is the reply's error."""


@dataclass(frozen=True, slots=True)
class ScheduledCallback:
    """An IVR callback request waiting for its time (`CallbackRequest.at`)."""

    call_id: str
    request: CallbackRequest
    caller_name: str
    span: IvrSpan | None


class EngineState:
    """The calls, legs, agents and IVR spans; the router; the clock; the outbox."""

    def __init__(self, config: EngineConfig, *, seed: int = 0) -> None:
        self.config = config
        self.router = Router([q.to_settings() for q in config.queues], seed=seed)
        self.agents: dict[str, LiveAgent] = {}
        self.calls: dict[str, LiveCall] = {}
        self.legs: dict[str, Leg] = {}  # agent legs by the uniqueid the engine gave them
        self.ivr_spans: dict[str, IvrSpan] = {}  # callers in an IVR flow, by uniqueid
        self.devices: dict[str, str] = {}  # device → agent logged in with it
        self.device_states: dict[str, str] = {}
        self.dirty_queues: set[str] = set()  # queues whose figures changed since published
        self.stats = TodayStats(
            config.zone(), {q.name: q.sl_target_s for q in config.queues}, config.short_abandon_s
        )
        self.outbox = Outbox()
        self.scheduled: list[tuple[float, int, ScheduledCallback]] = []  # heap by due time
        self.scheduled_seq = 0
        self.clock = 0.0
        # AMI events are stamped with the monotonic clock; records need the epoch.
        self.epoch_offset = 0.0
        self.outbound_seq = 0
        self.enqueued_total = 0  # calls taken into a queue since start
        for agent in config.agents:
            self.add_agent(agent.id, dict(agent.skills), agent.display_id, agent.queues,
                           agent.device)

    def tick(self, now: float) -> float:
        """Router time never goes backwards, even if the wall clock does."""
        if now > self.clock:
            self.clock = now
        return self.clock

    def add_agent(self, agent_id: str, skills: dict[str, int], display_id: str | None = None,
                  queues: tuple[str, ...] | list[str] | None = None,
                  device: str | None = None) -> None:
        skills = {**skills, DIRECTED_SKILL + agent_id: 1}
        self.router.add_agent(agent_id, skills, display_id=display_id, queues=queues)
        self.agents[agent_id] = LiveAgent(agent_id, display_id or agent_id, device,
                                          queues=tuple(queues or ()))

    def call_of_channel(self, uniqueid: str) -> LiveCall | None:
        """The call a caller's channel or an agent leg belongs to."""
        call = self.calls.get(uniqueid)
        if call is None:
            leg = self.legs.get(uniqueid)
            if leg is not None:
                call = self.calls.get(leg.call_id)
        return call

    def agent(self, agent_id: str) -> LiveAgent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise CommandRefused(f"agent {agent_id} is not configured")
        return agent

    def logged_in(self, agent_id: str) -> LiveAgent:
        agent = self.agent(agent_id)
        if agent.state is AgentState.LOGGED_OUT:
            raise CommandRefused(f"agent {agent_id} is not logged in")
        return agent

    def knows_queue(self, queue: str) -> bool:
        try:
            self.router.queue_settings(queue)
        except AcdError:
            return False
        return True
