"""The names the engine and its generated dialplan agree on (docs/engine.md, docs/dialplan.md).

The generator (`engine_contexts.py`) writes these names and the checker (`check.py`) looks for
them, so both read them from here: a context, an IVR exit or an AGI script added on one side
and forgotten on the other fails `callcenter dialplan check`.
"""

from __future__ import annotations

from enum import StrEnum

from acd import OverflowTarget

INBOUND = "cc-inbound"
ENQUEUE = "cc-enqueue"
IVR_EXIT = "cc-ivr-exit"
HOLD = "cc-hold"
AGENT = "cc-agent"
CONNECT = "cc-connect"
ANNOUNCE = "cc-announce"  # the agent's ID played while its phone rings (while-ringing)
VOICEMAIL = "cc-voicemail"
OVERFLOW = "cc-overflow"
OUTBOUND = "cc-outbound"


class IvrExit(StrEnum):
    """What `CC_IVR_EXIT` holds when the IVR's AGI returns: the `cc-ivr-exit` extension the
    dialplan jumps to. `failed` is what the dialplan sets before the AGI runs, so it stays
    when the engine's FastAGI listener cannot be reached."""

    ENQUEUE = "enqueue"
    FAILED = "failed"
    VOICEMAIL = "voicemail"
    TRANSFER = "transfer"
    CALLBACK = "callback"
    BLOCKED = "blocked"
    HANGUP = "hangup"


class AgiScript(StrEnum):
    """The FastAGI scripts the engine serves, besides `ivr/<flow>`."""

    HOLD = "hold"
    SURVEY = "survey"
    VOICEMAIL = "voicemail"


IVR_SCRIPT_PREFIX = "ivr/"


class Var(StrEnum):
    """The channel variables the dialplan, the IVR and the engine share (docs/engine.md)."""

    # What a caller asks for: set by cc-inbound or the IVR, read back at a restart.
    DID = "CC_DID"  # the number the caller dialled (cc-inbound's extension)
    QUEUE = "CC_QUEUE"
    PRIORITY = "CC_PRIORITY"
    SKILLS = "CC_SKILLS"
    LANG = "CC_LANG"
    TIER = "CC_TIER"
    IVR_PATH = "CC_IVR_PATH"
    IVR_EXIT = "CC_IVR_EXIT"
    HOLD_SLICE = "CC_HOLD_SLICE"
    RECORDING_OPTOUT = "CC_RECORDING_OPTOUT"
    # Set by the engine on the caller: its place in line survives an engine restart.
    ENQUEUED_AT = "CC_ENQUEUED_AT"
    QUEUE_ENTERED_AT = "CC_QUEUE_ENTERED_AT"
    OFFERED_AT = "CC_OFFERED_AT"  # on the agent leg: when its phone began to ring
    ANSWERED_AT = "CC_ANSWERED_AT"  # on the caller: when the agent answered
    # Set by the engine when an agent answers (cc-connect), and on the agent's leg (cc-agent).
    CALL_ID = "CC_CALL_ID"
    AGENT_ID = "CC_AGENT_ID"
    AGENT_DISPLAY = "CC_AGENT_DISPLAY"
    AGENT_CHANNEL = "CC_AGENT_CHANNEL"
    ANNOUNCE_PREFIX = "CC_ANNOUNCE_PREFIX"
    ANNOUNCE_SUFFIX = "CC_ANNOUNCE_SUFFIX"
    WHISPER = "CC_WHISPER"
    # The IVR's exits to voicemail and to the site's own dialplan.
    VM_BOX = "CC_VM_BOX"
    VM_REASON = "CC_VM_REASON"
    TRANSFER_CONTEXT = "CC_TRANSFER_CONTEXT"
    TRANSFER_EXTEN = "CC_TRANSFER_EXTEN"


ENQUEUE_EVENT = "CallcenterEnqueue"
"""The `UserEvent` cc-enqueue sends: a caller asks for a queue."""

ANNOUNCED_EVENT = "CallcenterAnnounced"
"""The `UserEvent` cc-announce sends when the caller has heard the agent's ID; its `Agent`
header names the agent announced."""
ANNOUNCED_AGENT_FIELD = "Agent"


class EnqueueField(StrEnum):
    """The headers of the `CallcenterEnqueue` UserEvent."""

    QUEUE = "Queue"
    PRIORITY = "CallPriority"
    SKILLS = "Skills"
    LANGUAGE = "CallLanguage"
    TIER = "Tier"
    IVR_PATH = "IvrPath"
    RECORDING_OPTOUT = "RecordingOptOut"
    DID = "Did"


ENQUEUE_FIELDS: tuple[tuple[EnqueueField, Var], ...] = (
    (EnqueueField.QUEUE, Var.QUEUE),
    (EnqueueField.PRIORITY, Var.PRIORITY),
    (EnqueueField.SKILLS, Var.SKILLS),
    (EnqueueField.LANGUAGE, Var.LANG),
    (EnqueueField.TIER, Var.TIER),
    (EnqueueField.IVR_PATH, Var.IVR_PATH),
    (EnqueueField.RECORDING_OPTOUT, Var.RECORDING_OPTOUT),
    (EnqueueField.DID, Var.DID),
)
"""Each header of the enqueue event and the channel variable it carries."""

AGENT_ENTRY = "s"
WHISPER_ENTRY = "whisper"
CONNECT_ENTRY = "s"  # announcement, then the bridge
UNHOLD_ENTRY = "unhold"  # straight to the bridge
HOLD_ENTRY = "s"
ANNOUNCE_ENTRY = "s"

EXPIRED = "expired"
OVERFLOW_EXTENS: tuple[str, ...] = (
    *(t.value for t in OverflowTarget if t is not OverflowTarget.QUEUE), EXPIRED)
"""`cc-overflow` extensions: one per overflow target that leaves the queue, and `expired`."""

OVERFLOW_PROMPTS: dict[str, str] = {
    OverflowTarget.CALLBACK.value: "cc/{lang}/callback-registered",
    EXPIRED: "cc/{lang}/all-agents-busy",
}
"""The prompt each `cc-overflow` extension plays (`{lang}` = the caller's language)."""

CALLER_CONTEXTS = frozenset({ENQUEUE, HOLD, CONNECT, ANNOUNCE})
"""Where a caller the engine knows can be found (a restart adopts callers there)."""

ENTRY_POINTS: tuple[tuple[str, str], ...] = (
    (AGENT, AGENT_ENTRY), (AGENT, WHISPER_ENTRY),
    (CONNECT, CONNECT_ENTRY), (CONNECT, UNHOLD_ENTRY),
    (HOLD, HOLD_ENTRY), (ANNOUNCE, ANNOUNCE_ENTRY),
    *((OVERFLOW, exten) for exten in OVERFLOW_EXTENS),
    (OUTBOUND, "5551234"),  # any dialled number: the engine originates Exten=<number>
)
"""(context, extension) pairs the engine sends channels to with Originate or Redirect."""

DYNAMIC_TARGETS: dict[str, tuple[str, ...]] = {Var.IVR_EXIT: tuple(e.value for e in IvrExit)}
"""Variables used as a Goto extension, and every value the engine may give them."""

SITE_TARGET_VARIABLES = frozenset({Var.TRANSFER_CONTEXT, Var.TRANSFER_EXTEN})
"""Variables naming a place in the site's own dialplan (an IVR transfer): not checkable."""

MANAGER_READ: tuple[str, ...] = ("call", "user")
"""AMI read classes for the events the engine consumes (docs/dialplan.md, table)."""

MANAGER_WRITE: tuple[str, ...] = ("call", "originate", "reporting")
"""AMI write classes for the actions the engine sends (docs/dialplan.md, table)."""

MANAGER_WRITE_RECORDING = "system"
"""The MixMonitor action's only class (apps/app_mixmonitor.c): needed when calls are recorded."""

PLACEHOLDER_PREFIX = "CHANGE-ME-"
"""Secrets written with `--placeholder-secrets` start with this; `check` warns about them."""
