"""Live changes to the roster and the queues (MQTT admin commands, `callcenter agents|queues`).

No restart: the router takes new skills, queue restrictions and queue settings at once, and
waiting calls keep their place (`acd.Router.update_queue`).
"""

from __future__ import annotations

from acd import AcdError, AgentState
from callcenter.bus.schemas import (
    AddAgentCommand,
    AdminCommand,
    RemoveAgentCommand,
    SetAgentQueuesCommand,
    SetAgentSkillsCommand,
    UpdateQueueCommand,
)
from callcenter.engine.live import LiveAgent
from callcenter.engine.switchboard import DIRECTED_SKILL, CommandRefused, Switchboard


def apply_admin(sb: Switchboard, command: AdminCommand, now: float) -> None:
    """Carry out one admin command or raise CommandRefused saying why nothing changed."""
    now = sb.tick(now)
    try:
        match command:
            case SetAgentSkillsCommand():
                _known(sb, command.agent)
                skills = {**command.skills, DIRECTED_SKILL + command.agent: 1}
                sb.apply_decisions(sb.router.set_agent_skills(command.agent, skills, now), now)
            case SetAgentQueuesCommand():
                _known(sb, command.agent)
                decisions = sb.router.set_agent_queues(command.agent, command.queues, now)
                sb.agents[command.agent].queues = tuple(command.queues)
                sb.apply_decisions(decisions, now)
            case UpdateQueueCommand():
                settings = command.queue.to_settings()
                if settings.name in set(sb.router.queue_names()):
                    decisions = sb.router.update_queue(settings, now)
                else:
                    sb.router.add_queue(settings)
                    decisions = []
                sb.stats.set_target(settings.name, settings.sl_target_s)
                sb.dirty_queues.add(settings.name)
                sb.apply_decisions(decisions, now)
            case AddAgentCommand():
                model = command.agent
                if model.id in sb.agents:
                    raise CommandRefused(f"add_agent: agent {model.id} already exists")
                sb.add_agent(model.id, dict(model.skills), model.display_id, model.queues,
                             command.device)
            case RemoveAgentCommand():
                agent = _known(sb, command.agent)
                if agent.state is not AgentState.LOGGED_OUT:
                    raise CommandRefused(
                        f"remove_agent: agent {command.agent} is logged in; log it out first"
                    )
                sb.router.remove_agent(command.agent)
                del sb.agents[command.agent]
    except AcdError as error:
        raise CommandRefused(f"{command.cmd}: {error}") from None


def _known(sb: Switchboard, agent_id: str) -> LiveAgent:
    agent = sb.agents.get(agent_id)
    if agent is None:
        raise CommandRefused(f"agent {agent_id} is not configured")
    return agent
