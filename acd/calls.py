"""Calls as the router sees them: what they need, where they stand, their place in line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from acd.skills import Requirement

if TYPE_CHECKING:
    from acd.waiting import WaitGroup


class CallState(Enum):
    WAITING = "waiting"
    OFFERED = "offered"  # an agent's phone is ringing for it
    CONNECTED = "connected"
    ENDED = "ended"

    # Identity hash: Enum.__hash__ is a Python-level call, and these are dict keys on hot paths.
    __hash__ = object.__hash__


@dataclass(slots=True)
class CallRequest:
    """What the IVR decided about a call, handed to `Router.enqueue`.

    A value (the router copies what it needs); not frozen because one is built per call and
    frozen dataclasses build four times slower."""

    id: str
    queue: str
    priority: int = 0
    required: tuple[Requirement, ...] | None = None  # alternatives; None: the queue's own
    tier: str | None = None
    caller: str | None = None  # caller number, for abandon-resume
    attributes: tuple[tuple[str, str], ...] = ()
    # Set only when an engine restarts and puts back a caller who was already waiting: the
    # original times, so that the caller keeps its place and the queue's rules their timing.
    enqueued_at: float | None = None
    queue_entered_at: float | None = None


@dataclass(slots=True, eq=False)
class Call:
    """A call inside the router. `enqueued_at` and `seq` are its place in line, kept across RONA."""

    id: str
    queue: str
    priority: int
    enqueued_at: float
    seq: int
    base_required: tuple[Requirement, ...] | None  # the IVR's override, if any
    alternatives: tuple[Requirement, ...]  # in force now, after rules
    tier: str | None
    caller: str | None
    attributes: tuple[tuple[str, str], ...]
    queue_entered_at: float
    state: CallState = CallState.WAITING
    next_rule: int = 0
    heap_token: int = 0  # heap entries carrying another token are stale
    wait_epoch: int = 0  # timers carrying another epoch are stale
    groups: Sequence[WaitGroup] = ()  # the wait groups it is indexed in while waiting
    flagged: bool = False  # some agent had declined it when it was last indexed
    agent_id: str | None = None
    offered_at: float = 0.0
    answered_at: float = 0.0
    # Agents who let it ring out, skipped for it until their retry timer fires (value: when).
    declined: dict[str, float] = field(default_factory=dict)
    rules_fired: tuple[str, ...] = ()
