"""Small builders for router tests (imported by the test modules of this folder)."""

from __future__ import annotations

from collections.abc import Iterable

from acd import CallRequest, Offer, QueueSettings, Router, requirement
from acd.decisions import Decision


def queue(
    name: str = "support", skills: dict[str, int] | None = None, **settings: object
) -> QueueSettings:
    return QueueSettings(name=name, required=requirement(skills or {}), **settings)  # type: ignore[arg-type]


def offers(decisions: Iterable[Decision]) -> list[tuple[str, str]]:
    """(call, agent) of every Offer, in order."""
    return [(d.call_id, d.agent_id) for d in decisions if isinstance(d, Offer)]


def call(call_id: str, queue_name: str = "support", priority: int = 0, **kw: object) -> CallRequest:
    return CallRequest(call_id, queue_name, priority, **kw)  # type: ignore[arg-type]


def staffed(
    queues: list[QueueSettings],
    agents: dict[str, dict[str, int]],
    *,
    now: float = 0.0,
    seed: int = 0,
) -> Router:
    """A router with these queues and these agents, all logged in and available at `now`."""
    router = Router(queues, seed=seed)
    for agent_id, skills in agents.items():
        router.add_agent(agent_id, skills)
    for agent_id in agents:
        router.login(agent_id, now)
    return router
