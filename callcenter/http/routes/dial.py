"""Click-to-dial for a CRM: `POST /api/v1/dial` rings the agent's phone, then the number."""

from __future__ import annotations

from fastapi import APIRouter

from callcenter.bus.schemas import DialCommand
from callcenter.http.auth import Guarded
from callcenter.http.errors import ApiError
from callcenter.http.models import CommandResult, DialBody
from callcenter.http.routes.commands import own_command
from callcenter.supervision.roles import Action

router = APIRouter(tags=["dial"])


@router.post("/dial", response_model=CommandResult, summary="Click-to-dial")
async def dial(body: DialBody, guard: Guarded) -> CommandResult:
    """As the agent's own `dial` command over MQTT: the engine originates the agent's device
    and, once it answers, dials `number` through the trunk. A user dials from its own agent;
    a token with scope `dial` names the agent (the CRM user who clicked)."""
    agent = body.agent or guard.who.agent
    if agent is None:
        raise ApiError(422, "invalid", "body.agent: required (this caller has no agent of"
                                       " its own)")
    return await own_command(guard, agent, DialCommand(id=guard.ctx.request_id(),
                                                       number=body.number), Action.DIAL)
