"""Agents: their live state, their own commands, and supervisors' commands on them.

Acting on your own agent (`users.agent`) is an agent command, as from its MQTT desktop;
acting on another agent (pause, ready, logout, hangup, listen, whisper, barge) is a
supervisor command, checked by the permission table and audited, as over MQTT.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from callcenter.bus.schemas import (
    AgentStatus,
    BargeCommand,
    ForceHangupCommand,
    ForceLogoutCommand,
    ForcePauseCommand,
    ForceReadyCommand,
    HangupCommand,
    ListenCommand,
    LoginCommand,
    LogoutCommand,
    PauseCommand,
    ReadyCommand,
    WhisperCommand,
    WrapupEndCommand,
    WrapupExtendCommand,
)
from callcenter.engine.payloads import agent_status
from callcenter.http.auth import Guarded
from callcenter.http.models import AgentLoginBody, CommandResult, PauseBody, WrapupExtendBody
from callcenter.http.params import AgentId
from callcenter.http.routes.commands import (
    acts_on_self,
    known_agent,
    own_command,
    supervisor_command,
)
from callcenter.supervision.roles import Action

router = APIRouter(tags=["agents"])


@router.get("/agents", response_model=list[AgentStatus], summary="Agents and their live state")
async def list_agents(guard: Guarded) -> list[AgentStatus]:
    """Every agent the caller may read (an agent: itself; a team lead: its team), as the MQTT
    `agents/{agent}/state` payload."""
    await guard.scope(Action.READ_AGENTS)
    agents = guard.ctx.service.switchboard.agents
    return [agent_status(a) for a in agents.values()
            if guard.sees(Action.READ_AGENTS, guard.agent_target(a.id))]


@router.get("/agents/{agent_id}", response_model=AgentStatus, summary="One agent's state")
async def get_agent(agent_id: AgentId, guard: Guarded) -> AgentStatus:
    known_agent(guard, agent_id)
    await guard.allow(Action.READ_AGENTS, guard.agent_target(agent_id))
    return agent_status(guard.ctx.service.switchboard.agents[agent_id])


@router.post("/agents/{agent_id}/login", response_model=CommandResult,
             summary="Log in (your own agent)")
async def login(agent_id: AgentId, guard: Guarded,
                body: Annotated[AgentLoginBody | None, Body()] = None) -> CommandResult:
    body = body or AgentLoginBody()
    return await own_command(guard, agent_id, LoginCommand(
        id=guard.ctx.request_id(), device=body.device, queues=body.queues))


@router.post("/agents/{agent_id}/logout", response_model=CommandResult, summary="Log out")
async def logout(agent_id: AgentId, guard: Guarded) -> CommandResult:
    rid = guard.ctx.request_id()
    if acts_on_self(guard, agent_id):
        return await own_command(guard, agent_id, LogoutCommand(id=rid))
    known_agent(guard, agent_id)
    return await supervisor_command(guard, ForceLogoutCommand(id=rid, agent=agent_id),
                                    Action.LOGOUT, guard.agent_target(agent_id))


@router.post("/agents/{agent_id}/pause", response_model=CommandResult,
             summary="Pause with a reason")
async def pause(agent_id: AgentId, body: PauseBody, guard: Guarded) -> CommandResult:
    rid = guard.ctx.request_id()
    if acts_on_self(guard, agent_id):
        return await own_command(guard, agent_id, PauseCommand(id=rid, reason=body.reason))
    known_agent(guard, agent_id)
    return await supervisor_command(
        guard, ForcePauseCommand(id=rid, agent=agent_id, reason=body.reason), Action.PAUSE,
        guard.agent_target(agent_id))


@router.post("/agents/{agent_id}/ready", response_model=CommandResult, summary="Ready")
async def ready(agent_id: AgentId, guard: Guarded) -> CommandResult:
    rid = guard.ctx.request_id()
    if acts_on_self(guard, agent_id):
        return await own_command(guard, agent_id, ReadyCommand(id=rid))
    known_agent(guard, agent_id)
    return await supervisor_command(guard, ForceReadyCommand(id=rid, agent=agent_id),
                                    Action.READY, guard.agent_target(agent_id))


@router.post("/agents/{agent_id}/wrapup/end", response_model=CommandResult,
             summary="End wrap-up (your own agent)")
async def wrapup_end(agent_id: AgentId, guard: Guarded) -> CommandResult:
    return await own_command(guard, agent_id, WrapupEndCommand(id=guard.ctx.request_id()))


@router.post("/agents/{agent_id}/wrapup/extend", response_model=CommandResult,
             summary="Extend wrap-up (your own agent)")
async def wrapup_extend(agent_id: AgentId, body: WrapupExtendBody, guard: Guarded) -> CommandResult:
    return await own_command(guard, agent_id, WrapupExtendCommand(
        id=guard.ctx.request_id(), seconds=body.seconds))


@router.post("/agents/{agent_id}/hangup", response_model=CommandResult,
             summary="Hang up the agent's call")
async def hangup(agent_id: AgentId, guard: Guarded) -> CommandResult:
    rid = guard.ctx.request_id()
    if acts_on_self(guard, agent_id):
        return await own_command(guard, agent_id, HangupCommand(id=rid))
    known_agent(guard, agent_id)
    return await supervisor_command(guard, ForceHangupCommand(id=rid, agent=agent_id),
                                    Action.HANGUP, guard.agent_target(agent_id))


@router.post("/agents/{agent_id}/listen", response_model=CommandResult,
             summary="Listen to the agent's call (supervisor)")
async def listen(agent_id: AgentId, guard: Guarded) -> CommandResult:
    known_agent(guard, agent_id)
    return await supervisor_command(guard, ListenCommand(id=guard.ctx.request_id(),
                                                         agent=agent_id),
                                    Action.LISTEN, guard.agent_target(agent_id))


@router.post("/agents/{agent_id}/whisper", response_model=CommandResult,
             summary="Whisper to the agent (supervisor)")
async def whisper(agent_id: AgentId, guard: Guarded) -> CommandResult:
    known_agent(guard, agent_id)
    return await supervisor_command(guard, WhisperCommand(id=guard.ctx.request_id(),
                                                          agent=agent_id),
                                    Action.WHISPER, guard.agent_target(agent_id))


@router.post("/agents/{agent_id}/barge", response_model=CommandResult,
             summary="Join the agent's call (supervisor)")
async def barge(agent_id: AgentId, guard: Guarded) -> CommandResult:
    known_agent(guard, agent_id)
    return await supervisor_command(guard, BargeCommand(id=guard.ctx.request_id(),
                                                        agent=agent_id),
                                    Action.BARGE, guard.agent_target(agent_id))
