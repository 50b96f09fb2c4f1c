"""acd: pure skill-based routing — skills, agents, queues, calls and the policy that matches them.

No I/O, no asyncio, no wall clock: every entry point takes `now` in float seconds and
returns decisions as data (`Offer`, `Overflow`, `Expired`, `AgentStateChanged`, ...) for
the caller to apply. `Router.next_deadline()` and `Router.advance(now)` drive every timer.
"""

from acd.agents import AgentState, PauseReason
from acd.calls import CallRequest, CallState
from acd.config import AgentModel, Level, OverflowModel, QueueModel, queue_model
from acd.decisions import (
    AgentStateChanged,
    CallAbandoned,
    CallCompleted,
    CallConnected,
    CallQueued,
    Decision,
    Expired,
    Offer,
    OfferWithdrawn,
    Overflow,
    RingNoAnswer,
    RuleApplied,
    Trigger,
    Why,
)
from acd.errors import AcdError
from acd.queues import (
    MAX_PRIORITY,
    MIN_PRIORITY,
    ExpandSkills,
    OverflowRule,
    OverflowTarget,
    QueueSettings,
    RaisePriority,
    RonaAction,
    Strategy,
)
from acd.router import Router
from acd.skills import Requirement, SkillLevel, describe, requirement
from acd.views import QueueSnapshot

__all__ = [
    "MAX_PRIORITY",
    "MIN_PRIORITY",
    "AcdError",
    "AgentModel",
    "AgentState",
    "AgentStateChanged",
    "CallAbandoned",
    "CallCompleted",
    "CallConnected",
    "CallQueued",
    "CallRequest",
    "CallState",
    "Decision",
    "ExpandSkills",
    "Expired",
    "Level",
    "Offer",
    "OfferWithdrawn",
    "Overflow",
    "OverflowModel",
    "OverflowRule",
    "OverflowTarget",
    "PauseReason",
    "QueueModel",
    "QueueSettings",
    "QueueSnapshot",
    "RaisePriority",
    "Requirement",
    "RingNoAnswer",
    "RonaAction",
    "Router",
    "RuleApplied",
    "SkillLevel",
    "Strategy",
    "Trigger",
    "Why",
    "describe",
    "queue_model",
    "requirement",
]
