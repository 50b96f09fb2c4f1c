"""The tracker's view of calls: channels grouped into parties, parties into calls.

A *party* is one end of a call: a `Local/...;1`+`;2` pair (one party although two
channels with two Uniqueids) or a single channel. A *call* is the set of parties
that share a Linkedid; when Asterisk moves a channel to another Linkedid (a
bridge joins two separately originated calls) the whole party moves and the
emptied call is marked merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from callcenter.ami.events import ChannelState


class Role(Enum):
    CALLER = "caller"
    AGENT = "agent"
    OTHER = "other"


class RingOutcome(Enum):
    RINGING = "ringing"
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    CANCELLED = "cancelled"
    BUSY = "busy"
    FAILED = "failed"
    UNKNOWN = "unknown"


class QueueOutcome(Enum):
    WAITING = "waiting"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    LEFT = "left"
    """Left the queue without an agent and without hanging up (timeout, exit key)."""


class CallOutcome(Enum):
    ACTIVE = "active"
    ANSWERED = "answered"
    """The caller was bridged with another party."""
    ABANDONED = "abandoned"
    """The caller hung up while waiting in a queue."""
    UNANSWERED = "unanswered"
    """Ended without talking to anyone and without abandoning a queue."""
    MERGED = "merged"
    """Its parties joined another call (Linkedid change); see `merged_into`."""


@dataclass(slots=True)
class Segment:
    """A time interval in seconds; `end` is None while it lasts."""

    start: float
    end: float | None = None

    @property
    def duration(self) -> float | None:
        return None if self.end is None else self.end - self.start


@dataclass(slots=True)
class TrackedChannel:
    uniqueid: str
    name: str
    party: str
    created_at: float
    state: ChannelState
    answered_at: float | None = None
    ended_at: float | None = None
    cause: int | None = None
    bridge_id: str | None = None


@dataclass(slots=True)
class Party:
    key: str
    call_id: str
    role: Role
    channels: list[str] = field(default_factory=list)
    live: int = 0
    interface: str = ""


@dataclass(slots=True)
class TrackedBridge:
    uniqueid: str
    created_at: float
    members: set[str] = field(default_factory=set)


@dataclass(slots=True)
class QueueSegment:
    queue: str
    joined_at: float
    position: int
    left_at: float | None = None
    outcome: QueueOutcome = QueueOutcome.WAITING

    @property
    def wait(self) -> float | None:
        return None if self.left_at is None else self.left_at - self.joined_at


@dataclass(slots=True)
class RingAttempt:
    """One agent (or dialled party) rung for this call."""

    interface: str
    member_name: str
    queue: str
    agent_uniqueid: str
    started_at: float
    ended_at: float | None = None
    outcome: RingOutcome = RingOutcome.RINGING
    ring_time: float | None = None
    """Seconds, as Asterisk reported it (AgentRingNoAnswer/AgentConnect), if it did."""


@dataclass(slots=True)
class Call:
    call_id: str
    started_at: float
    caller_num: str
    caller_name: str
    parties: list[str] = field(default_factory=list)
    queue: list[QueueSegment] = field(default_factory=list)
    rings: list[RingAttempt] = field(default_factory=list)
    connected_at: float | None = None
    """When an agent answered (AgentConnect, or DialEnd ANSWER outside a queue)."""
    agent_interface: str = ""
    agent_name: str = ""
    talk: list[Segment] = field(default_factory=list)
    holds: list[Segment] = field(default_factory=list)
    ended_at: float | None = None
    end_known: bool = True
    """False when the call ended while the adapter was disconnected (time estimated)."""
    hung_up_by: str = ""
    cause: int | None = None
    outcome: CallOutcome = CallOutcome.ACTIVE
    merged_into: str | None = None
    live: int = 0
    cdrs: list[str] = field(default_factory=list)
    """Dispositions of the `Cdr` events of this call's channels, in arrival order."""

    @property
    def ended(self) -> bool:
        return self.ended_at is not None or self.outcome is CallOutcome.MERGED

    @property
    def talk_time(self) -> float:
        return sum((s.end - s.start) for s in self.talk if s.end is not None)
