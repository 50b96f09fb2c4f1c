"""Path and query parameters shared by the routers, with their rules in the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Path, Query

from callcenter.http.auth import Guard
from callcenter.http.errors import ApiError
from callcenter.http.models import NAME_REGEX, Name
from callcenter.supervision.roles import Action, Scope

AgentId = Annotated[str, Path(pattern=NAME_REGEX, description="an agent id")]
QueueName = Annotated[str, Path(pattern=NAME_REGEX, description="a queue name")]
NameQuery = Annotated[str | None, Query(pattern=NAME_REGEX)]
Names = Annotated[list[Name], Query(max_length=50)]


async def agents_in_scope(guard: Guard, action: Action, agent: str | None) -> list[str] | None:
    """The agents a SELF or TEAM caller may read (`agent` among them, or 403); None: any."""
    scope = await guard.scope(action)
    if agent is not None:
        await guard.allow(action, guard.agent_target(agent))
        return [agent]
    if scope is Scope.ALL:
        return None
    if scope is Scope.SELF:
        return [guard.who.agent] if guard.who.agent else []
    return list(guard.ctx.roster.team_agents(guard.who.team))


def period(start: datetime | None, end: datetime | None,
           default_days: int = 30) -> tuple[float, float]:
    """[from, to) in epoch seconds; naive datetimes are UTC; default: the last 30 days."""
    to = (end if end is not None else datetime.now(UTC))
    to = to if to.tzinfo is not None else to.replace(tzinfo=UTC)
    frm = start if start is not None else to - timedelta(days=default_days)
    frm = frm if frm.tzinfo is not None else frm.replace(tzinfo=UTC)
    if frm >= to:
        raise ApiError(422, "invalid", f"from ({frm.isoformat()}) must be before to"
                                       f" ({to.isoformat()})")
    return frm.timestamp(), to.timestamp()


Since = Annotated[datetime | None, Query(alias="from", description="ISO-8601; naive = UTC")]
Until = Annotated[datetime | None, Query(alias="to", description="exclusive; default now")]
