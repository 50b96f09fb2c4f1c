"""The configuration (admins): read it, change agents and queues live (the MQTT admin
commands, through the same `EngineService.admin_command`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from callcenter.bus.schemas import AdminCommand
from callcenter.http.auth import Guarded
from callcenter.http.errors import conflict
from callcenter.http.models import CommandResult
from callcenter.supervision.roles import Action, QueueTarget

router = APIRouter(tags=["admin"])


@router.get("/admin/config", response_model=dict[str, Any], summary="The engine's configuration")
async def config(guard: Guarded) -> dict[str, Any]:
    """The YAML as the engine read it (no secrets are in it: only the names of the
    environment variables that hold them)."""
    await guard.allow(Action.ADMIN, QueueTarget(""))
    return guard.ctx.config.model_dump(mode="json")


@router.post("/admin/commands", response_model=CommandResult, summary="An admin command")
async def command(body: AdminCommand, guard: Guarded) -> CommandResult:
    """The payload of `callcenter/v1/admin/commands` (docs/mqtt.md): set_agent_skills,
    set_agent_queues, update_queue, add_agent, remove_agent."""
    await guard.allow(Action.ADMIN, QueueTarget(""))
    error = guard.ctx.service.admin_command(body)
    if error is not None:
        raise conflict(error)
    return CommandResult(request_id=body.id)
