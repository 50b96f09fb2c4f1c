"""Decisions the router returns for its caller to carry out. The router never performs anything.

Decisions are values: nobody mutates one after the router returns it. They are not declared
frozen only because a frozen dataclass takes four times as long to build, and the router
builds several per event.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from acd.agents import AgentState
from acd.queues import OverflowTarget, Strategy
from acd.skills import Requirement


class Trigger(Enum):
    """What made the router look for a match."""

    # Identity hash: Enum.__hash__ is a Python-level call, and these are dict keys on hot paths.
    __hash__ = object.__hash__

    CALL_QUEUED = "call-queued"
    AGENT_AVAILABLE = "agent-available"
    RULE = "rule"
    RETRY = "retry"
    CONFIG_CHANGED = "config-changed"
    RING_NO_ANSWER = "ring-no-answer"


@dataclass(slots=True)
class Why:
    """Why a call went to an agent: enough to answer the question from the logs or the CDR."""

    trigger: Trigger
    strategy: Strategy
    required: Requirement  # the alternative the agent met, at the levels in force then
    rules_fired: tuple[str, ...]
    qualified_agents: int  # idle agents that met the requirement (1 when an agent came free)
    runner_up_agent: str | None
    competing_calls: int  # queue heads compared when an agent came free (1 when a call arrived)
    runner_up_call: str | None
    aged_priority: int
    waited_s: float


@dataclass(slots=True)
class Offer:
    call_id: str
    agent_id: str
    display_id: str
    queue: str
    ring_deadline: float
    why: Why


@dataclass(slots=True)
class OfferWithdrawn:
    """The caller hung up while the agent's phone rang: stop ringing it."""

    call_id: str
    agent_id: str


@dataclass(slots=True)
class RingNoAnswer:
    """RONA: the agent did not answer (or rejected) in time; the call is back in its place."""

    call_id: str
    agent_id: str
    rang_s: float
    rejected: bool


@dataclass(slots=True)
class CallQueued:
    call_id: str
    queue: str
    resumed: bool  # abandon-resume gave the caller its old place back


@dataclass(slots=True)
class CallAbandoned:
    call_id: str
    queue: str
    waited_s: float
    while_ringing: str | None  # the agent whose phone was ringing, if any


@dataclass(slots=True)
class CallConnected:
    call_id: str
    agent_id: str
    queue: str
    waited_s: float
    rang_s: float


@dataclass(slots=True)
class CallCompleted:
    call_id: str
    agent_id: str
    queue: str
    talk_s: float


@dataclass(slots=True)
class RuleApplied:
    """A time-based rule changed a waiting call (skill expansion or priority)."""

    call_id: str
    queue: str
    rule: str
    required: tuple[Requirement, ...]
    priority: int


@dataclass(slots=True)
class Overflow:
    call_id: str
    from_queue: str
    target: OverflowTarget
    to_queue: str | None
    rule: str
    waited_s: float


@dataclass(slots=True)
class Expired:
    """The call waited the queue's maximum wait; it has left the router."""

    call_id: str
    queue: str
    waited_s: float


@dataclass(slots=True)
class AgentStateChanged:
    agent_id: str
    old: AgentState
    new: AgentState
    reason: str | None
    at: float


Decision = (
    Offer
    | OfferWithdrawn
    | RingNoAnswer
    | CallQueued
    | CallAbandoned
    | CallConnected
    | CallCompleted
    | RuleApplied
    | Overflow
    | Expired
    | AgentStateChanged
)
