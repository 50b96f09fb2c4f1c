"""Sending commands to the engine the way MQTT does: an agent's own command, or a
supervisor's command on someone else (role-checked and audited by the engine)."""

from __future__ import annotations

from callcenter.bus.schemas import AgentCommand, SupervisorCommand
from callcenter.http.auth import Guard
from callcenter.http.errors import conflict, not_found
from callcenter.http.models import CommandResult
from callcenter.supervision.roles import Action, AgentTarget, Integration, Target


def known_agent(guard: Guard, agent_id: str) -> None:
    if agent_id not in guard.ctx.service.switchboard.agents:
        raise not_found(f"agent {agent_id} is not configured")


async def own_command(guard: Guard, agent_id: str, command: AgentCommand,
                      action: Action = Action.AGENT_COMMAND) -> CommandResult:
    """The agent's own command (`EngineService.agent_command`, as from its MQTT desktop)."""
    known_agent(guard, agent_id)
    await guard.allow(action, guard.agent_target(agent_id))
    error = await guard.ctx.service.agent_command(agent_id, command)
    if error is not None:
        raise conflict(error)
    return CommandResult(request_id=command.id, agent=agent_id,
                         call_id=guard.ctx.service.switchboard.agents[agent_id].call_id)


async def supervisor_command(guard: Guard, command: SupervisorCommand, action: Action,
                             target: Target) -> CommandResult:
    """A supervisor command (`EngineService.supervisor_command`: role check, audit). The
    table is asked here first, so a refusal is a 403 (audited) before the engine sees it."""
    who = guard.who
    await guard.allow(action, target)
    assert not isinstance(who, Integration)  # the table gives tokens no supervisor command
    agent_id = target.agent if isinstance(target, AgentTarget) else None
    entry = await guard.ctx.service.supervisor_command(who.id, command)
    if not entry.ok:  # the table agreed above: this is the engine's refusal
        raise conflict(entry.result)
    return CommandResult(request_id=command.id, agent=agent_id, call_id=entry.call_id)


def acts_on_self(guard: Guard, agent_id: str) -> bool:
    return guard.who.agent == agent_id
