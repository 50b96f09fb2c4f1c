"""The call tracker: the engine's view of calls, fed by typed AMI events (pure, no I/O)."""

from __future__ import annotations

from callcenter.tracker.model import (
    Call,
    CallOutcome,
    Party,
    QueueOutcome,
    QueueSegment,
    RingAttempt,
    RingOutcome,
    Role,
    Segment,
    TrackedBridge,
    TrackedChannel,
)
from callcenter.tracker.tracker import CallTracker, interface_of

__all__ = [
    "Call",
    "CallOutcome",
    "CallTracker",
    "Party",
    "QueueOutcome",
    "QueueSegment",
    "RingAttempt",
    "RingOutcome",
    "Role",
    "Segment",
    "TrackedBridge",
    "TrackedChannel",
    "interface_of",
]
