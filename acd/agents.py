"""Agents and their state machine. Knows nothing about queues or how calls are ordered."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum

from acd.errors import IllegalTransitionError


class AgentState(Enum):
    LOGGED_OUT = "logged-out"
    AVAILABLE = "available"
    RESERVED = "reserved"  # offered a call, the phone is ringing
    ON_CALL = "on-call"
    WRAP_UP = "wrap-up"
    PAUSED = "paused"

    # Identity hash: Enum.__hash__ is a Python-level call, and these are dict keys on hot paths.
    __hash__ = object.__hash__


class AgentEvent(Enum):
    LOGIN = "login"
    LOGOUT = "logout"
    OFFER = "offer"
    ANSWER = "answer"
    RING_NO_ANSWER = "ring-no-answer"
    OFFER_WITHDRAWN = "offer-withdrawn"  # the caller hung up while the agent's phone rang
    CALL_END = "call-end"
    WRAP_UP_END = "wrap-up-end"
    PAUSE = "pause"
    UNPAUSE = "unpause"

    # Identity hash: Enum.__hash__ is a Python-level call, and these are dict keys on hot paths.
    __hash__ = object.__hash__


class PauseReason(StrEnum):
    """Well-known pause reasons; sites may use their own strings as well."""

    BREAK = "break"
    LUNCH = "lunch"
    TRAINING = "training"
    MEETING = "meeting"
    MANUAL = "manual"
    RONA = "RONA"
    DEVICE_OFFLINE = "device-offline"
    OUTBOUND = "outbound"


S = AgentState
E = AgentEvent
# (state, event) -> the states that event may lead to from there.
TRANSITIONS: dict[tuple[AgentState, AgentEvent], frozenset[AgentState]] = {
    (S.LOGGED_OUT, E.LOGIN): frozenset({S.AVAILABLE, S.PAUSED}),
    (S.AVAILABLE, E.OFFER): frozenset({S.RESERVED}),
    (S.AVAILABLE, E.PAUSE): frozenset({S.PAUSED}),
    (S.AVAILABLE, E.LOGOUT): frozenset({S.LOGGED_OUT}),
    (S.RESERVED, E.ANSWER): frozenset({S.ON_CALL}),
    (S.RESERVED, E.RING_NO_ANSWER): frozenset({S.PAUSED, S.AVAILABLE}),
    (S.RESERVED, E.OFFER_WITHDRAWN): frozenset({S.AVAILABLE, S.PAUSED}),
    (S.ON_CALL, E.CALL_END): frozenset({S.WRAP_UP}),
    (S.WRAP_UP, E.WRAP_UP_END): frozenset({S.AVAILABLE, S.PAUSED}),
    (S.WRAP_UP, E.PAUSE): frozenset({S.PAUSED}),
    (S.PAUSED, E.PAUSE): frozenset({S.PAUSED}),  # change of reason
    (S.PAUSED, E.UNPAUSE): frozenset({S.AVAILABLE}),
    (S.PAUSED, E.LOGOUT): frozenset({S.LOGGED_OUT}),
}


@dataclass(slots=True, eq=False)
class Agent:
    """One agent: identity, skills and where it stands right now."""

    id: str
    display_id: str  # the number announced to callers, e.g. "1007"
    skills: dict[str, int]
    queues: frozenset[str] | None = None  # None: any queue its skills qualify it for
    order: int = 0  # registration order: the fixed order of linear / round-robin
    state: AgentState = AgentState.LOGGED_OUT
    state_since: float = 0.0
    pause_reason: str | None = None
    pending_pause: str | None = None  # pause asked for while busy; applied after wrap-up
    call_id: str | None = None  # the call offered to or handled by the agent
    idle_since: float = 0.0
    idle_seq: int = 0  # order of becoming available: the longest idle has the lowest
    wrap_up_until: float = 0.0
    calls_handled: int = 0
    talk_time_s: float = 0.0
    timer_token: int = 0
    attributes: dict[str, str] = field(default_factory=dict)

    def check(self, event: AgentEvent, target: AgentState) -> None:
        """Raise IllegalTransitionError unless `event` may take this agent to `target`."""
        if target not in TRANSITIONS.get((self.state, event), ()):
            raise IllegalTransitionError(self.id, self.state.value, event.value)

    def serves(self, queue: str) -> bool:
        return self.queues is None or queue in self.queues
