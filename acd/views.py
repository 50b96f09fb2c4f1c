"""Read-only views the router's queries return."""

from __future__ import annotations

from dataclasses import dataclass

from acd.agents import AgentState
from acd.calls import CallState
from acd.skills import Requirement


@dataclass(frozen=True, slots=True)
class AgentInfo:
    id: str
    display_id: str
    state: AgentState
    state_since: float
    time_in_state_s: float
    pause_reason: str | None
    pending_pause: str | None
    call_id: str | None
    skills: tuple[tuple[str, int], ...]
    queues: frozenset[str] | None
    calls_handled: int
    talk_time_s: float


@dataclass(frozen=True, slots=True)
class CallInfo:
    id: str
    queue: str
    state: CallState
    priority: int
    aged_priority: int
    enqueued_at: float
    seq: int  # breaks ties between calls enqueued at the same instant: first come, first served
    waited_s: float
    agent_id: str | None
    required: tuple[Requirement, ...]
    rules_fired: tuple[str, ...]
    tier: str | None


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    name: str
    waiting: int
    ringing: int
    connected: int
    longest_wait_s: float
    agents: dict[AgentState, int]  # agents who could take the queue's calls, by state
    handle_estimate_s: float
