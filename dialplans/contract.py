"""The names the engine and its generated dialplan agree on (docs/engine.md, docs/dialplan.md).

The generator (`engine_contexts.py`) writes these names and the checker (`check.py`) looks for
them, so both read them from here: a context, an IVR exit or an AGI script added on one side
and forgotten on the other fails `callcenter dialplan check`.
"""

from __future__ import annotations

from enum import StrEnum

from acd.queues import OverflowTarget

INBOUND = "cc-inbound"
ENQUEUE = "cc-enqueue"
IVR_EXIT = "cc-ivr-exit"
HOLD = "cc-hold"
AGENT = "cc-agent"
CONNECT = "cc-connect"
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

EXPIRED = "expired"
OVERFLOW_EXTENS: tuple[str, ...] = (
    *(t.value for t in OverflowTarget if t is not OverflowTarget.QUEUE), EXPIRED)
"""`cc-overflow` extensions: one per overflow target that leaves the queue, and `expired`."""

OVERFLOW_PROMPTS: dict[str, str] = {
    OverflowTarget.CALLBACK.value: "cc/{lang}/callback-registered",
    EXPIRED: "cc/{lang}/all-agents-busy",
}
"""The prompt each `cc-overflow` extension plays (`{lang}` = the caller's language)."""

ENTRY_POINTS: tuple[tuple[str, str], ...] = (
    (AGENT, "s"), (AGENT, "whisper"),
    (CONNECT, "s"), (CONNECT, "unhold"),
    (HOLD, "s"),
    *((OVERFLOW, exten) for exten in OVERFLOW_EXTENS),
    (OUTBOUND, "5551234"),  # any dialled number: the engine originates Exten=<number>
)
"""(context, extension) pairs the engine sends channels to with Originate or Redirect."""

DYNAMIC_TARGETS: dict[str, tuple[str, ...]] = {"CC_IVR_EXIT": tuple(e.value for e in IvrExit)}
"""Variables used as a Goto extension, and every value the engine may give them."""

SITE_TARGET_VARIABLES = frozenset({"CC_TRANSFER_CONTEXT", "CC_TRANSFER_EXTEN"})
"""Variables naming a place in the site's own dialplan (an IVR transfer): not checkable."""

MANAGER_READ: tuple[str, ...] = ("call", "user")
"""AMI read classes for the events the engine consumes (docs/dialplan.md, table)."""

MANAGER_WRITE: tuple[str, ...] = ("call", "originate", "reporting")
"""AMI write classes for the actions the engine sends (docs/dialplan.md, table)."""

MANAGER_WRITE_RECORDING = "system"
"""The MixMonitor action's only class (apps/app_mixmonitor.c): needed when calls are recorded."""

PLACEHOLDER_PREFIX = "CHANGE-ME-"
"""Secrets written with `--placeholder-secrets` start with this; `check` warns about them."""
