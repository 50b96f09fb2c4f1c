"""The API's request and response bodies (pydantic v2): validated in, documented in OpenAPI.

Agent states are the MQTT `AgentStatus` payload itself (`callcenter.bus.schemas`), so a
console reads the same JSON from `GET /api/v1/agents` as from the WebSocket or MQTT. Times
are ISO-8601 in UTC; durations are seconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from acd import AgentState
from callcenter.bus.schemas import DEVICE_PATTERN, NUMBER_PATTERN, Reason
from callcenter.bus.topics import NAME_PATTERN

# The bus's rules for names, devices and numbers, as patterns the OpenAPI document shows.
NAME_REGEX = f"^{NAME_PATTERN}$"
Name = Annotated[str, StringConstraints(pattern=NAME_REGEX)]
"""An agent id or a queue name (one MQTT topic level)."""
Device = Annotated[str, StringConstraints(pattern=f"^{DEVICE_PATTERN}$")]
PhoneNumber = Annotated[str, StringConstraints(pattern=f"^{NUMBER_PATTERN}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- requests -----------------------------------------------------------------------------

class LoginBody(_In):
    user: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)] = Field(
        repr=False)


class AgentLoginBody(_In):
    """Log in on `device` (default: the agent's configured one), to `queues` (default: its
    configured queues)."""

    device: Device | None = None
    queues: Annotated[list[Name], Field(max_length=100)] | None = None


class PauseBody(_In):
    reason: Reason


class WrapupExtendBody(_In):
    seconds: Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False)]


class DialBody(_In):
    """Click-to-dial: ring `agent`'s phone, then dial `number`. `agent` defaults to the
    user's own agent; a token must name it."""

    number: PhoneNumber
    agent: Name | None = None


class MoveBody(_In):
    queue: Name


class PriorityBody(_In):
    priority: Annotated[int, Field(ge=0, le=9)]


# --- responses ----------------------------------------------------------------------------

class SessionInfo(_Out):
    """Who the caller is. `csrf_token` (sessions only) goes in `X-CSRF-Token`."""

    user: str
    role: str
    agent: str | None
    team: str | None
    via: Literal["session", "token"]
    csrf_token: str | None = Field(default=None, repr=False)
    expires_at: datetime | None = None
    idle_expires_at: datetime | None = None
    scopes: list[str] = []


class CommandResult(_Out):
    """The engine did it (a refusal is a 409 with its reason)."""

    ok: Literal[True] = True
    request_id: str
    agent: str | None = None
    call_id: str | None = None


class Figures(_Out):
    offered: int
    answered: int
    abandoned: int
    service_level: float | None  # answered within the queue's target / offered
    asa_s: float | None
    abandon_rate: float | None


class QueueView(_Out):
    """A queue now: who waits, how long, its agents by state, today's and recent figures."""

    queue: str
    waiting: int
    longest_wait_s: float
    ringing: int
    connected: int
    agents: dict[AgentState, int]
    sl_target_s: float
    today: Figures
    last_15_min: Figures
    at: datetime


class WaitingCall(_Out):
    call_id: str
    queue: str
    caller: str | None
    caller_name: str | None
    priority: int
    tier: str | None
    language: str
    position: int
    waited_s: float
    enqueued_at: datetime


class LiveCallView(_Out):
    call_id: str
    phase: Literal["waiting", "ringing", "connected", "left", "ended"]
    queue: str
    caller: str | None
    caller_name: str | None
    priority: int
    tier: str | None
    agent: str | None  # ringing or talking
    customer_id: str | None
    arrived_at: datetime
    answered_at: datetime | None
    waited_s: float
    on_hold: bool
    recording: bool


class SegmentView(_Out):
    kind: str
    start: datetime
    end: datetime
    agent: str | None
    queue: str | None
    answered: bool


class RecordingView(_Out):
    recording_id: str
    call_id: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: float | None
    format: str
    size_bytes: int | None
    sha256: str | None
    queue: str | None
    agent: str | None
    pauses: list[tuple[datetime, datetime]]
    reason: str | None
    purged: bool
    outcome: str | None = None
    csat: int | None = None
    audio_url: str


class SurveyView(_Out):
    csat: int | None
    nps: int | None


class CallRecordView(_Out):
    """A call as written when it ended. `why` (the routing decision that chose its agent)
    is not stored yet (issue 19): always null for now."""

    call_id: str
    direction: str
    caller: str | None
    dnis: str | None
    customer_id: str | None
    queue: str | None
    call_type: str | None
    priority: int
    tier: str | None
    arrived_at: datetime
    enqueued_at: datetime | None
    offered_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime
    outcome: str
    agent: str | None
    agent_display_id: str | None
    hangup_by: str | None
    transferred: bool
    disposition: str | None
    wait_s: float | None
    talk_s: float
    hold_s: float
    wrap_up_s: float
    segments: list[SegmentView]
    recording: RecordingView | None
    survey: SurveyView | None
    why: None = None


class CallView(_Out):
    """One call: live (while the engine has it), recorded (once ended), or both briefly."""

    call_id: str
    live: LiveCallView | None
    record: CallRecordView | None


class CustomerView(_Out):
    customer_id: str
    name: str
    phone: str | None
    email: str | None
    tier: str
    notes: str | None


class ContactView(_Out):
    call_id: str
    arrived_at: datetime
    queue: str | None
    outcome: str
    agent: str | None
    disposition: str | None


class CustomerDetail(CustomerView):
    """The record a screen-pop shows, with the customer's latest calls, newest first."""

    history: list[ContactView]


class ReportDocument(_Out):
    """`callcenter report --format json`'s document (`cdr.reports.render.to_json`)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    schema_id: str = Field(alias="schema")
    by: str
    from_epoch_s: float
    to_epoch_s: float
    filters: dict[str, list[str]]
    settings: dict[str, Any]
    description: Any
    rows: list[dict[str, Any]]
    total: dict[str, Any]


class Health(_Out):
    status: Literal["ok"] = "ok"
    version: str
    agents_logged_in: int
    calls: int
    websockets: int
