"""What the engine hands to the writer: one completed call with its segments, agent time spans,
agent sessions and recordings. Plain slotted dataclasses: these are built on the hot path.

Times are float seconds since the Unix epoch (UTC). Reports turn them into dates at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class Outcome(StrEnum):
    """How a call ended, from the contact center's point of view."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"  # the caller hung up while waiting (or while an agent's phone rang)
    OVERFLOWED = "overflowed"  # left the queue for another queue or destination by rule
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"
    BLOCKED = "blocked"  # refused before queueing (blacklist, closed, queue full)
    TRANSFERRED = "transferred"  # answered, then transferred away
    # An agent answered, but the caller hung up while hearing the agent's ID, before the
    # conversation: answered for the service level, lost for the center.
    ANNOUNCEMENT_HANGUP = "announcement-hangup"


class SegmentKind(StrEnum):
    IVR = "ivr"
    QUEUE = "queue"
    RING = "ring"
    ANNOUNCEMENT = "announcement"  # the agent answered; the caller hears the agent's ID
    TALK = "talk"
    HOLD = "hold"
    TRANSFER = "transfer"
    WRAP_UP = "wrap-up"


class HangupBy(StrEnum):
    CALLER = "caller"
    AGENT = "agent"
    SYSTEM = "system"


class AgentActivity(StrEnum):
    """Agent time categories stored in `agent_states` (the ACD's states, as spans of time)."""

    AVAILABLE = "available"
    RESERVED = "reserved"
    ON_CALL = "on-call"
    WRAP_UP = "wrap-up"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class Segment:
    """One timed piece of a call. `seq` numbers the call's segments from 0; with the call id it
    is the segment's identity, so replaying a call writes nothing twice."""

    seq: int
    kind: SegmentKind
    start: float
    end: float
    agent_id: str | None = None
    queue: str | None = None
    answered: bool = True  # for RING: whether the agent picked up (False: ring-no-answer)


@dataclass(frozen=True, slots=True)
class Survey:
    """Post-call survey answers; either score may be missing."""

    csat: int | None = None  # 1..5
    nps: int | None = None  # 0..10
    answered_at: float | None = None


@dataclass(slots=True)
class CallRecord:
    """One completed call: identity, routing facts, timestamps, outcome and its segments."""

    call_id: str
    arrived_at: float
    ended_at: float
    outcome: Outcome
    direction: Direction = Direction.INBOUND
    linkedid: str | None = None
    uniqueid: str | None = None
    channel: str | None = None
    agent_channel: str | None = None
    agent_uniqueid: str | None = None  # the answering agent leg's Uniqueid (queue_log CONNECT)
    context: str | None = None
    caller: str | None = None
    dnis: str | None = None
    customer_id: str | None = None
    queue: str | None = None
    call_type: str | None = None
    priority: int = 0
    tier: str | None = None
    enqueued_at: float | None = None
    offered_at: float | None = None
    answered_at: float | None = None
    agent_id: str | None = None
    agent_display_id: str | None = None
    entry_position: int | None = None
    hangup_by: HangupBy | None = None
    transferred: bool = False
    transfer_exten: str | None = None  # where a blind transfer sent the caller (queue_log
    transfer_context: str | None = None  # TRANSFER's extension and context)
    recording: str | None = None
    disposition: str | None = None
    survey: Survey | None = None
    segments: tuple[Segment, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class AgentStateSpan:
    """An agent spent [start, end) in one activity (with a reason when paused)."""

    agent_id: str
    activity: AgentActivity
    start: float
    end: float
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AgentSession:
    """An agent was logged in from `login_at` to `logout_at` (None while still logged in)."""

    agent_id: str
    login_at: float
    logout_at: float | None = None
    queues: tuple[str, ...] = ()
    device: str | None = None


@dataclass(frozen=True, slots=True)
class Recording:
    """A recording file linked to a call."""

    recording_id: str
    call_id: str
    path: str
    started_at: float
    ended_at: float | None = None
    format: str = "wav"
    size_bytes: int | None = None
    sha256: str | None = None  # hex; None: the file was not readable when the call ended
    queue: str | None = None
    agent_id: str | None = None
    pauses: tuple[tuple[float, float], ...] = ()  # (start, end) of each pause (card data)
    archive_path: str | None = None
    verified_at: float | None = None
    reason: str | None = None  # why it was recorded (the policy's decision)


CdrItem = CallRecord | AgentStateSpan | AgentSession | Recording
