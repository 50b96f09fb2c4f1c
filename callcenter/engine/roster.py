"""Live changes to the agents and the queues (MQTT admin commands, `callcenter agents|queues`).

No restart: the router takes new skills, queue restrictions and queue settings at once, and
waiting calls keep their place (`acd.Router.update_queue`). Each change either happens or
raises `CommandRefused` saying why nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable

from acd import AcdError, AgentState, Decision, QueueSettings
from callcenter.engine.decisions import RouterDecisions
from callcenter.engine.state import DIRECTED_SKILL, CommandRefused, EngineState


class RosterChanges:
    """Skills, queue memberships, queue settings, agents added and removed."""

    def __init__(self, state: EngineState, decisions: RouterDecisions) -> None:
        self.state = state
        self.decisions = decisions

    def _change(self, what: str, entry: Callable[[], list[Decision]], now: float) -> None:
        try:
            decisions = entry()
        except AcdError as error:
            raise CommandRefused(f"{what}: {error}") from None
        self.decisions.apply(decisions, now, now)

    def set_agent_skills(self, agent_id: str, skills: dict[str, int], now: float) -> None:
        self.state.agent(agent_id)
        skills = {**skills, DIRECTED_SKILL + agent_id: 1}
        self._change("set_agent_skills",
                     lambda: self.state.router.set_agent_skills(agent_id, skills, now), now)

    def set_agent_queues(self, agent_id: str, queues: list[str], now: float) -> None:
        agent = self.state.agent(agent_id)
        try:
            decisions = self.state.router.set_agent_queues(agent_id, queues, now)
        except AcdError as error:
            raise CommandRefused(f"set_agent_queues: {error}") from None
        agent.queues = tuple(queues)
        self.decisions.apply(decisions, now, now)

    def update_queue(self, settings: QueueSettings, now: float) -> None:
        """Change a queue's settings, or add the queue."""
        state = self.state
        try:
            if state.knows_queue(settings.name):
                decisions = state.router.update_queue(settings, now)
            else:
                state.router.add_queue(settings)
                decisions = []
        except AcdError as error:
            raise CommandRefused(f"update_queue: {error}") from None
        state.stats.set_target(settings.name, settings.sl_target_s)
        state.dirty_queues.add(settings.name)
        self.decisions.apply(decisions, now, now)

    def add_agent(self, agent_id: str, skills: dict[str, int], display_id: str | None,
                  queues: list[str] | None, device: str | None) -> None:
        if agent_id in self.state.agents:
            raise CommandRefused(f"add_agent: agent {agent_id} already exists")
        try:
            self.state.add_agent(agent_id, skills, display_id, queues, device)
        except AcdError as error:
            raise CommandRefused(f"add_agent: {error}") from None

    def remove_agent(self, agent_id: str) -> None:
        agent = self.state.agent(agent_id)
        if agent.state is not AgentState.LOGGED_OUT:
            raise CommandRefused(
                f"remove_agent: agent {agent_id} is logged in; log it out first")
        try:
            self.state.router.remove_agent(agent_id)
        except AcdError as error:
            raise CommandRefused(f"remove_agent: {error}") from None
        del self.state.agents[agent_id]
