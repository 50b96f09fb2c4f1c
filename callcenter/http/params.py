"""Path and query parameters shared by the routers, with their rules in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from callcenter.http.models import NAME_REGEX, Name

AgentId = Annotated[str, Path(pattern=NAME_REGEX, description="an agent id")]
QueueName = Annotated[str, Path(pattern=NAME_REGEX, description="a queue name")]
NameQuery = Annotated[str | None, Query(pattern=NAME_REGEX)]
Names = Annotated[list[Name], Query(max_length=50)]
