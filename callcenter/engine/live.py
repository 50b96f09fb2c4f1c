"""What the engine knows about each call, agent leg and agent while they are live.

The router (`acd/`) owns who waits and who gets whom; these records own the Asterisk side
(channels, legs, device states) and the timestamps a call record needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from acd import AgentState
from cdr import HangupBy, Outcome, Segment, SegmentKind, Survey
from recording.metadata import RecordingSession


class CallPhase(Enum):
    WAITING = "waiting"
    RINGING = "ringing"  # an agent's phone rings for it
    CONNECTED = "connected"  # the agent answered (announcement, then talk)
    LEFT = "left"  # out of the engine's hands (voicemail, callback, transferred out)
    ENDED = "ended"  # the caller is gone; the record waits for the agents' wrap-up


@dataclass(slots=True)
class Leg:
    """One attempt to reach an agent: the channel the engine originated to the agent's device."""

    uniqueid: str
    call_id: str
    agent_id: str
    offered_at: float
    channel: str = ""  # learned from Newchannel; until then the uniqueid addresses it
    answered_at: float | None = None
    ended_at: float | None = None
    outbound: bool = False  # click-to-dial: no caller in a queue behind it
    sent_at: float | None = None  # when the Originate was written (None: not yet)

    @property
    def address(self) -> str:
        return self.channel or self.uniqueid


@dataclass(slots=True)
class LiveCall:
    call_id: str
    channel: str
    caller: str
    caller_name: str
    queue: str
    priority: int
    skills: str
    language: str
    tier: str | None
    ivr_path: str
    arrived_at: float
    enqueued_at: float
    linkedid: str = ""
    did: str = ""
    phase: CallPhase = CallPhase.WAITING
    legs: list[Leg] = field(default_factory=list)
    leg: Leg | None = None  # the leg ringing or connected now
    agent_id: str | None = None  # the agent who answered (first one, if transferred)
    agent_display: str | None = None
    answered_at: float | None = None
    waiting_since: float = 0.0  # start of the current queue segment
    bridged: bool = False
    announce_since: float | None = None  # the agent waits while the caller hears its ID
    talk_since: float | None = None  # start of the talk going on now (None: none)
    announced_agent: str | None = None  # whose ID the caller has heard while it rang
    connect_pending: bool = False  # answered during that announcement: bridge at its end
    hold_since: float | None = None
    ended_at: float | None = None
    hangup_by: HangupBy | None = None
    outcome: Outcome | None = None
    transferred: bool = False
    transfer_to: tuple[str, str] | None = None  # (extension, context) of a blind transfer
    overflowed_to: str | None = None
    wrap_ups_pending: set[str] = field(default_factory=set)
    segments: list[Segment] = field(default_factory=list)
    customer_id: str | None = None
    recording: RecordingSession | None = None  # MixMonitor running on the caller's channel
    recording_optout: bool = False  # CC_RECORDING_OPTOUT=1 on the caller (docs/recording.md)
    recording_decided: bool = False  # the policy was asked at the first bridge
    callback_to: str = ""  # the caller left the line and waits for a call back to this number
    callback_reached_at: float | None = None  # the customer answered the call back
    survey: Survey | None = None

    def add_segment(
        self,
        kind: SegmentKind,
        start: float,
        end: float,
        *,
        agent_id: str | None = None,
        queue: str | None = None,
        answered: bool = True,
    ) -> None:
        self.segments.append(
            Segment(len(self.segments), kind, start, max(start, end), agent_id, queue, answered)
        )


@dataclass(slots=True)
class IvrSpan:
    """A caller in (or just out of) an IVR flow, before the ACD knows it. The flow's end fills
    `ended_at`/`outcome`; a caller who never reaches a queue gets its record once both the flow
    has ended and the channel has hung up."""

    uniqueid: str
    channel: str
    caller: str
    caller_name: str
    did: str
    started_at: float
    language: str = ""
    ended_at: float | None = None
    hung_up_at: float | None = None
    outcome: Outcome | None = None
    path: str = ""
    queue: str | None = None
    customer_id: str | None = None
    tier: str | None = None


@dataclass(slots=True)
class LiveAgent:
    id: str
    display_id: str
    default_device: str | None
    device: str | None = None  # the device logged in with
    device_state: str = "UNKNOWN"
    logged_in_at: float | None = None
    state: AgentState = AgentState.LOGGED_OUT
    state_since: float = 0.0
    reason: str | None = None
    offline_paused: bool = False  # the engine paused it because its device went away
    call_id: str | None = None  # the call it rings for, talks on or wraps up
    outbound: Leg | None = None  # a click-to-dial call in progress
    paused_for_outbound: bool = False
    queues: tuple[str, ...] = ()
