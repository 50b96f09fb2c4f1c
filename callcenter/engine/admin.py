"""Live changes to the roster and the queues (MQTT admin commands, `callcenter agents|queues`).

No restart: the router takes new skills, queue restrictions and queue settings at once, and
waiting calls keep their place (`acd.Router.update_queue`).
"""

from __future__ import annotations

from acd import AcdError
from callcenter.bus.schemas import (
    AddAgentCommand,
    AdminCommand,
    RemoveAgentCommand,
    SetAgentQueuesCommand,
    SetAgentSkillsCommand,
    UpdateQueueCommand,
)
from callcenter.engine.switchboard import CommandRefused, Switchboard


def apply_admin(sb: Switchboard, command: AdminCommand, now: float) -> None:
    """Carry out one admin command or raise CommandRefused saying why nothing changed."""
    now = sb.tick(now)
    match command:
        case SetAgentSkillsCommand():
            sb.set_agent_skills(command.agent, dict(command.skills), now)
        case SetAgentQueuesCommand():
            sb.set_agent_queues(command.agent, list(command.queues), now)
        case UpdateQueueCommand():
            try:
                settings = command.queue.to_settings()
            except AcdError as error:
                raise CommandRefused(f"{command.cmd}: {error}") from None
            sb.update_queue(settings, now)
        case AddAgentCommand():
            model = command.agent
            sb.add_agent(model.id, dict(model.skills), model.display_id, model.queues,
                         command.device)
        case RemoveAgentCommand():
            sb.remove_agent(command.agent)
