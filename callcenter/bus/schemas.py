"""The JSON payloads of the bus, as pydantic models: validated on the way in, JSON out.

Every payload carries `"v": 1`, the schema version. Incoming payloads (agent, admin and
supervisor commands) are parsed by `parse_agent_command` / `parse_admin_command` /
`parse_supervisor_command`, which never raise:
they return the command, or a `CommandError` whose message says what was wrong and where
(`pause: field 'reason': Field required`), with the request id when one could be read so the
reply can be matched. Outgoing payloads are built by the engine and serialized with
`to_json`. Strict validation: `"30"` is not a number, `1` is not `true`, extra fields are
refused. Topics, QoS and examples: `docs/mqtt.md`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, cast

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from acd import AgentModel, AgentState, Level, QueueModel
from callcenter.bus.topics import MAX_NAME, is_valid_name
from cdr import Outcome

SCHEMA_VERSION = 1
MAX_PAYLOAD = 64 * 1024
"""Bytes; a larger incoming payload is refused unread."""
MAX_ERROR = 600
"""Characters of an error message in a reply; longer ones are cut."""

_NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
RequestId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=_NO_CONTROL)]


def _name(value: str) -> str:
    if not is_valid_name(value):
        raise ValueError(
            f"{_show(value)} is not a valid name: expected 1..{MAX_NAME} characters without "
            "'/', '+', '#' or control characters"
        )
    return value


DEVICE_PATTERN = r"[A-Za-z][A-Za-z0-9_]*/[^\s,;|&^]{1,70}"
_DEVICE = re.compile(DEVICE_PATTERN)


def _device(value: str) -> str:
    if _DEVICE.fullmatch(value) is None:
        raise ValueError(
            f"{_show(value)} is not an Asterisk device: expected TECH/resource, like PJSIP/1007"
        )
    return value


NUMBER_PATTERN = r"\+?[0-9]{1,32}"
_NUMBER = re.compile(NUMBER_PATTERN)


def _number(value: str) -> str:
    if _NUMBER.fullmatch(value) is None:
        raise ValueError(f"{_show(value)}: expected 1..32 digits with an optional leading '+'")
    return value


Name = Annotated[str, AfterValidator(_name)]
"""An agent id or a queue name: one MQTT topic level."""
SkillName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_NO_CONTROL)]
Device = Annotated[str, AfterValidator(_device)]
"""An Asterisk device (`PJSIP/1007`): technology, slash, resource."""
PhoneNumber = Annotated[str, AfterValidator(_number)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=_NO_CONTROL)
]
Text = Annotated[str, StringConstraints(max_length=2000)]
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=_NO_CONTROL)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]


def utc_now() -> datetime:
    return datetime.now(UTC)


class DeviceState(StrEnum):
    """Asterisk's device states, spelled as AMI `DeviceStateChange` reports them."""

    UNKNOWN = "UNKNOWN"
    NOT_INUSE = "NOT_INUSE"
    INUSE = "INUSE"
    BUSY = "BUSY"
    INVALID = "INVALID"
    UNAVAILABLE = "UNAVAILABLE"
    RINGING = "RINGING"
    RINGINUSE = "RINGINUSE"
    ONHOLD = "ONHOLD"


class Tier(StrEnum):
    """Customer tier, as in `cdr.callers.customers.Tier` (kept here so the bus does not load
    the database)."""

    VIP = "vip"
    NORMAL = "normal"
    BLACKLISTED = "blacklisted"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    def to_json(self) -> bytes:
        """The payload as sent: compact UTF-8 JSON."""
        return self.model_dump_json().encode()


class _Versioned(_Wire):
    v: Literal[1] = 1


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, Field(description="ISO-8601, converted to UTC")]


class _Timestamped(_Versioned):
    at: UtcDatetime = Field(default_factory=utc_now)

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _to_utc(value)


# --- agent commands ---------------------------------------------------------------------------


class _AgentCommand(_Versioned):
    id: RequestId


class LoginCommand(_AgentCommand):
    """Log in on a device (default: the agent's configured one); without `queues`, the
    agent's configured queues."""

    cmd: Literal["login"] = "login"
    device: Device | None = None
    queues: Annotated[list[Name], Field(max_length=100)] | None = None


class LogoutCommand(_AgentCommand):
    cmd: Literal["logout"] = "logout"


class PauseCommand(_AgentCommand):
    cmd: Literal["pause"] = "pause"
    reason: Reason


class ReadyCommand(_AgentCommand):
    """Unpause (or become available after login in paused state)."""

    cmd: Literal["ready"] = "ready"


class WrapupEndCommand(_AgentCommand):
    cmd: Literal["wrapup_end"] = "wrapup_end"


class WrapupExtendCommand(_AgentCommand):
    cmd: Literal["wrapup_extend"] = "wrapup_extend"
    seconds: Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False)]


class HoldCommand(_AgentCommand):
    cmd: Literal["hold"] = "hold"


class UnholdCommand(_AgentCommand):
    cmd: Literal["unhold"] = "unhold"


class HangupCommand(_AgentCommand):
    cmd: Literal["hangup"] = "hangup"


class TransferTarget(_Wire):
    """An extension (digits, `*`, `#`), another agent, or a queue."""

    kind: Literal["extension", "agent", "queue"]
    target: Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]

    @model_validator(mode="after")
    def _target_fits_kind(self) -> TransferTarget:
        if self.kind == "extension":
            if not all(c in "0123456789*#" for c in self.target) or len(self.target) > 32:
                raise ValueError(
                    f"extension {self.target[:40]!r}: expected 1..32 of digits, '*' and '#'"
                )
        elif not is_valid_name(self.target):
            raise ValueError(
                f"{self.kind} {self.target[:40]!r}: expected a name without '/', '+', '#' "
                "or control characters"
            )
        return self


class TransferCommand(_AgentCommand):
    cmd: Literal["transfer"] = "transfer"
    mode: Literal["blind", "attended"]
    to: TransferTarget


class DialCommand(_AgentCommand):
    """Click-to-dial from the agent's device."""

    cmd: Literal["dial"] = "dial"
    number: PhoneNumber


class BlacklistCallerCommand(_AgentCommand):
    """Blacklist the caller of the agent's current call; for ever without `expires_s`."""

    cmd: Literal["blacklist_caller"] = "blacklist_caller"
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_CONTROL),
    ]
    expires_s: Annotated[int, Field(gt=0, le=10 * 366 * 86400)] | None = None


class RecordStartCommand(_AgentCommand):
    """Record the current call on demand (refused if the policy or the caller's opt-out
    forbids it)."""

    cmd: Literal["record_start"] = "record_start"


class RecordPauseCommand(_AgentCommand):
    """Mute the current call's recording while the caller gives card data."""

    cmd: Literal["record_pause"] = "record_pause"


class RecordResumeCommand(_AgentCommand):
    cmd: Literal["record_resume"] = "record_resume"


AgentCommand = Annotated[
    LoginCommand
    | LogoutCommand
    | PauseCommand
    | ReadyCommand
    | WrapupEndCommand
    | WrapupExtendCommand
    | HoldCommand
    | UnholdCommand
    | HangupCommand
    | TransferCommand
    | DialCommand
    | BlacklistCallerCommand
    | RecordStartCommand
    | RecordPauseCommand
    | RecordResumeCommand,
    Field(discriminator="cmd"),
]

AGENT_COMMANDS: dict[str, type[_AgentCommand]] = {
    "login": LoginCommand,
    "logout": LogoutCommand,
    "pause": PauseCommand,
    "ready": ReadyCommand,
    "wrapup_end": WrapupEndCommand,
    "wrapup_extend": WrapupExtendCommand,
    "hold": HoldCommand,
    "unhold": UnholdCommand,
    "hangup": HangupCommand,
    "transfer": TransferCommand,
    "dial": DialCommand,
    "blacklist_caller": BlacklistCallerCommand,
    "record_start": RecordStartCommand,
    "record_pause": RecordPauseCommand,
    "record_resume": RecordResumeCommand,
}


class Reply(_Timestamped):
    """The engine's answer to one agent command (`…/agents/{agent}/replies`, QoS 1).

    `id` is the command's request id, or null when none could be read from the payload.
    """

    id: RequestId | None
    agent: Name
    ok: bool
    error: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ERROR)] | None = None

    @model_validator(mode="after")
    def _error_iff_not_ok(self) -> Reply:
        if self.ok != (self.error is None):
            raise ValueError("a reply has an error exactly when ok is false")
        return self


# --- what the engine publishes ---------------------------------------------------------------


class AgentStatus(_Versioned):
    """An agent's state (`…/agents/{agent}/state`, retained, QoS 1)."""

    agent: Name
    state: AgentState
    reason: Reason | None = None
    since: UtcDatetime
    device: Device | None = None
    device_state: DeviceState | None = None
    call_id: Annotated[str, StringConstraints(max_length=128)] | None = None
    queues: list[Name] = Field(default_factory=list)

    @field_validator("since")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _to_utc(value)

    @model_validator(mode="after")
    def _paused_has_reason(self) -> AgentStatus:
        if self.state is AgentState.PAUSED and self.reason is None:
            raise ValueError("a paused agent has a reason")
        return self


class QueueStats(_Timestamped):
    """A queue's live figures for wallboards (`…/queues/{queue}/stats`, retained, QoS 0).

    Counts are since local midnight; `service_level` is answered within the queue's target
    over offered (null before the first call), `asa_s` the mean answer delay in seconds.
    """

    queue: Name
    waiting: Count
    longest_wait_s: NonNegative
    agents: dict[AgentState, Count]
    offered: Count
    answered: Count
    abandoned: Count
    service_level: Fraction | None
    asa_s: NonNegative | None
    abandon_rate: Fraction | None


class Caller(_Wire):
    number: Annotated[str, StringConstraints(max_length=64, pattern=_NO_CONTROL)] | None
    name: ShortText | None = None


class Customer(_Wire):
    id: ShortText
    name: ShortText
    account: ShortText | None = None
    tier: Tier = Tier.NORMAL
    notes: Text | None = None
    open_tickets: Count = 0


class HistoryEntry(_Wire):
    """One earlier call of the same caller."""

    date: UtcDatetime
    agent: Name | None
    queue: Name | None
    outcome: Outcome
    disposition: ShortText | None = None

    @field_validator("date")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _to_utc(value)


class IvrTrail(_Wire):
    """IVR nodes the caller went through, in order, and what was typed at each."""

    path: Annotated[list[ShortText], Field(max_length=50)] = Field(default_factory=list)
    inputs: dict[ShortText, ShortText] = Field(default_factory=dict)


class ScreenPop(_Timestamped):
    """What an agent's desktop shows when a call is offered (`…/screenpop`, QoS 1).

    `pop_id` is unique per offer (the engine uses the agent leg's channel id,
    `<call_id>-<n>`): QoS 1 may deliver a pop twice, and a desktop shows each pop_id once.
    """

    pop_id: RequestId
    call_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    agent: Name
    caller: Caller
    customer: Customer | None = None
    history: Annotated[list[HistoryEntry], Field(max_length=5)] = Field(default_factory=list)
    ivr: IvrTrail = Field(default_factory=IvrTrail)
    queue: Name
    waited_s: NonNegative
    priority: Annotated[int, Field(ge=0, le=9)] = 0
    agent_id_announced: ShortText | None = None  # the ID the caller heard; None: not announced
    crm_url: (
        Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://\S+$")] | None
    ) = None


# --- admin ------------------------------------------------------------------------------------


class _AdminCommand(_Versioned):
    id: RequestId


class SetAgentSkillsCommand(_AdminCommand):
    """Replace an agent's skills (levels 1..10)."""

    cmd: Literal["set_agent_skills"] = "set_agent_skills"
    agent: Name
    skills: dict[SkillName, Level]


class SetAgentQueuesCommand(_AdminCommand):
    cmd: Literal["set_agent_queues"] = "set_agent_queues"
    agent: Name
    queues: Annotated[list[Name], Field(max_length=100)]


class UpdateQueueCommand(_AdminCommand):
    """Create or replace a queue: `queue` is the whole queue as in the config file."""

    cmd: Literal["update_queue"] = "update_queue"
    queue: QueueModel

    @field_validator("queue")
    @classmethod
    def _name_is_a_topic_level(cls, value: QueueModel) -> QueueModel:
        if not is_valid_name(value.name):
            raise ValueError(f"queue name {value.name[:40]!r} cannot be a topic level")
        return value


class AddAgentCommand(_AdminCommand):
    """Add an agent as in the config file, with a default device to log in on."""

    cmd: Literal["add_agent"] = "add_agent"
    agent: AgentModel
    device: Device | None = None

    @field_validator("agent")
    @classmethod
    def _id_is_a_topic_level(cls, value: AgentModel) -> AgentModel:
        if not is_valid_name(value.id):
            raise ValueError(f"agent id {value.id[:40]!r} cannot be a topic level")
        return value


class RemoveAgentCommand(_AdminCommand):
    cmd: Literal["remove_agent"] = "remove_agent"
    agent: Name


AdminCommand = Annotated[
    SetAgentSkillsCommand
    | SetAgentQueuesCommand
    | UpdateQueueCommand
    | AddAgentCommand
    | RemoveAgentCommand,
    Field(discriminator="cmd"),
]

ADMIN_COMMANDS: dict[str, type[_AdminCommand]] = {
    "set_agent_skills": SetAgentSkillsCommand,
    "set_agent_queues": SetAgentQueuesCommand,
    "update_queue": UpdateQueueCommand,
    "add_agent": AddAgentCommand,
    "remove_agent": RemoveAgentCommand,
}


class AdminReply(_Timestamped):
    """The engine's answer to one admin command (`callcenter/v1/admin/replies`, QoS 1)."""

    id: RequestId | None
    ok: bool
    error: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ERROR)] | None = None

    @model_validator(mode="after")
    def _error_iff_not_ok(self) -> AdminReply:
        if self.ok != (self.error is None):
            raise ValueError("a reply has an error exactly when ok is false")
        return self


# --- supervisors -------------------------------------------------------------------------------

CallId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=_NO_CONTROL)]


class _SupervisorCommand(_Versioned):
    id: RequestId


class ListenCommand(_SupervisorCommand):
    """Listen to the agent's current call from the supervisor's configured device."""

    cmd: Literal["listen"] = "listen"
    agent: Name


class WhisperCommand(_SupervisorCommand):
    """Talk to the agent only (coaching); the caller does not hear the supervisor."""

    cmd: Literal["whisper"] = "whisper"
    agent: Name


class BargeCommand(_SupervisorCommand):
    """Join the agent's call: agent and caller both hear the supervisor."""

    cmd: Literal["barge"] = "barge"
    agent: Name


class ForceHangupCommand(_SupervisorCommand):
    cmd: Literal["hangup"] = "hangup"
    agent: Name


class ForcePauseCommand(_SupervisorCommand):
    cmd: Literal["pause"] = "pause"
    agent: Name
    reason: Reason


class ForceReadyCommand(_SupervisorCommand):
    cmd: Literal["ready"] = "ready"
    agent: Name


class ForceLogoutCommand(_SupervisorCommand):
    cmd: Literal["logout"] = "logout"
    agent: Name


class MoveCallCommand(_SupervisorCommand):
    """Move a waiting call to another queue; it keeps its place by enqueue time."""

    cmd: Literal["move_call"] = "move_call"
    call_id: CallId
    queue: Name


class SetPriorityCommand(_SupervisorCommand):
    """Change a waiting call's priority (0..9, higher first); it keeps its enqueue time."""

    cmd: Literal["set_priority"] = "set_priority"
    call_id: CallId
    priority: Annotated[int, Field(ge=0, le=9)]


SupervisorCommand = Annotated[
    ListenCommand
    | WhisperCommand
    | BargeCommand
    | ForceHangupCommand
    | ForcePauseCommand
    | ForceReadyCommand
    | ForceLogoutCommand
    | MoveCallCommand
    | SetPriorityCommand,
    Field(discriminator="cmd"),
]

SUPERVISOR_COMMANDS: dict[str, type[_SupervisorCommand]] = {
    "listen": ListenCommand,
    "whisper": WhisperCommand,
    "barge": BargeCommand,
    "hangup": ForceHangupCommand,
    "pause": ForcePauseCommand,
    "ready": ForceReadyCommand,
    "logout": ForceLogoutCommand,
    "move_call": MoveCallCommand,
    "set_priority": SetPriorityCommand,
}


class SupervisorReply(_Timestamped):
    """The engine's answer to one supervisor command (`…/supervisors/{user}/replies`, QoS 1)."""

    id: RequestId | None
    user: Name
    ok: bool
    error: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ERROR)] | None = None

    @model_validator(mode="after")
    def _error_iff_not_ok(self) -> SupervisorReply:
        if self.ok != (self.error is None):
            raise ValueError("a reply has an error exactly when ok is false")
        return self


class SpyMode(StrEnum):
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


class SupervisorEvent(_Timestamped):
    """Who listens to whom, for wallboards (`callcenter/v1/supervisors/events`, QoS 1).

    `spy-started` when Asterisk reports ChanSpyStart (the supervisor answered and hears the
    call), `spy-stopped` at ChanSpyStop, `spy-failed` when the supervisor's phone could not be
    reached (`error` says why).
    """

    event: Literal["spy-started", "spy-stopped", "spy-failed"]
    user: Name
    agent: Name
    mode: SpyMode
    call_id: CallId | None = None
    error: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ERROR)] | None = None


class VoicemailEvent(_Timestamped):
    """A caller left a message (`callcenter/v1/voicemail/{box}`, QoS 1): for the desktops and
    wallboards of whoever answers that box. `path` is where the PBX wrote the recording."""

    event: Literal["voicemail-left"] = "voicemail-left"
    voicemail_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    box: Name
    caller: Annotated[str, StringConstraints(max_length=64)] | None = None
    caller_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    language: Annotated[str, StringConstraints(max_length=16)]
    duration_s: Annotated[float, Field(ge=0)]
    reason: Annotated[str, StringConstraints(max_length=40)]
    path: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    call_id: CallId | None = None


# --- parsing ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandError:
    """A command that could not be read: the message says what and where.

    `request_id` is the payload's `id` when it could be read, so the reply can carry it.
    """

    request_id: str | None
    message: str

    def __str__(self) -> str:
        return self.message


def parse_agent_command(agent: str, payload: bytes) -> AgentCommand | CommandError:
    """Parse one payload from `callcenter/v1/agents/{agent}/commands`; never raises."""
    if not is_valid_name(agent):
        return CommandError(None, f"agent id {agent[:40]!r} in the topic is not valid")
    result = _parse(payload, AGENT_COMMANDS)
    return result if isinstance(result, CommandError) else cast(AgentCommand, result)


def parse_admin_command(payload: bytes) -> AdminCommand | CommandError:
    """Parse one payload from `callcenter/v1/admin/commands`; never raises."""
    result = _parse(payload, ADMIN_COMMANDS)
    return result if isinstance(result, CommandError) else cast(AdminCommand, result)


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number"}


def parse_supervisor_command(user: str, payload: bytes) -> SupervisorCommand | CommandError:
    """Parse one payload from `callcenter/v1/supervisors/{user}/commands`; never raises."""
    if not is_valid_name(user):
        return CommandError(None, f"user id {user[:40]!r} in the topic is not valid")
    result = _parse(payload, SUPERVISOR_COMMANDS)
    return result if isinstance(result, CommandError) else cast(SupervisorCommand, result)


def _parse(payload: bytes, models: Mapping[str, type[_Versioned]]) -> _Versioned | CommandError:
    try:
        data = bytes(payload)
    except (TypeError, ValueError) as exc:
        return CommandError(None, f"payload is not bytes: {exc}")
    if len(data) > MAX_PAYLOAD:
        return CommandError(None, f"payload is {len(data)} bytes, more than {MAX_PAYLOAD}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return CommandError(
            None, f"payload is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        )
    try:
        obj = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return CommandError(
            None, f"payload is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        )
    except RecursionError:
        return CommandError(None, "payload is not JSON we accept: nested too deeply")
    except ValueError as exc:  # parse_constant, or an integer of more than 4300 digits
        return CommandError(None, f"payload is not JSON we accept: {_cut(str(exc), 120)}")
    if not isinstance(obj, dict):
        kind = "null" if obj is None else _JSON_KINDS.get(type(obj), "a boolean")
        return CommandError(None, f"payload is {kind}, expected a JSON object")
    raw_id = obj.get("id")
    request_id = raw_id if isinstance(raw_id, str) and _is_request_id(raw_id) else None
    if "v" not in obj:
        return CommandError(request_id, "field 'v': Field required")
    version = obj["v"]
    if type(version) is not int or version != SCHEMA_VERSION:
        return CommandError(
            request_id,
            f"field 'v': schema version {_show(version)} is not supported, "
            f"expected {SCHEMA_VERSION}",
        )
    if "cmd" not in obj:
        return CommandError(request_id, "field 'cmd': Field required")
    cmd = obj["cmd"]
    if not isinstance(cmd, str):
        return CommandError(request_id, f"field 'cmd': expected a string, got {_show(cmd)}")
    model = models.get(cmd)
    if model is None:
        return CommandError(request_id, f"cmd {_show(cmd)} is not one of {', '.join(models)}")
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        return CommandError(request_id, _cut(_describe(cmd, exc), MAX_ERROR))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _is_request_id(value: str) -> bool:
    return 0 < len(value) <= 128 and not any(ord(c) < 0x20 or c == "\x7f" for c in value)


def _describe(cmd: str, exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = error["loc"]
        path = ""
        for item in loc:
            path += f"[{item}]" if isinstance(item, int) else f".{item}" if path else str(item)
        where = f"field '{path}': " if path else ""
        parts.append(f"{cmd}: {where}{error['msg']}")
    return "; ".join(parts)


def _show(value: object) -> str:
    return _cut(json.dumps(value) if not isinstance(value, str) else repr(value), 40)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
