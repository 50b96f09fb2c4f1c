"""How a flow ends: what the engine and the dialplan do with the caller next.

The AGI handler turns an outcome into channel variables (`CC_*`) and the exit the
generated dialplan jumps to (`CC_IVR_EXIT`, see `dialplans/engine_contexts.py`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Enqueue:
    """Hand the caller to the ACD. `skills` as `skill:level&skill:level`, alternatives `|`
    ("" = the queue's own); `path` is the node ids the caller went through."""

    queue: str
    priority: int = 0
    skills: str = ""
    language: str = "en"
    tier: str = ""
    customer_id: str = ""
    path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Voicemail:
    """Record a message for `box` (a queue's or an agent's mailbox)."""

    box: str
    language: str = "en"
    reason: str = ""  # "closed", "choice", "overflow"...
    path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Transfer:
    """Send the caller to an extension (`context` given) or an external number (trunk)."""

    target: str
    context: str = ""
    path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """Call the caller back at `number` for `queue` (at `at`, epoch seconds, or as soon as an
    agent is free when None)."""

    queue: str
    number: str
    at: float | None = None
    language: str = "en"
    path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Blocked:
    """A blacklisted caller, refused (the message was already played)."""

    reason: str
    path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HangUp:
    """The flow ended the call (`reason`: "closed", "invalid", "done"...) or the caller hung
    up in the middle (`caller_hung_up`)."""

    reason: str = "done"
    caller_hung_up: bool = False
    path: tuple[str, ...] = ()


IvrOutcome = Enqueue | Voicemail | Transfer | CallbackRequest | Blocked | HangUp
