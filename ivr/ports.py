"""What the IVR needs from the outside world, as protocols (ports).

`callcenter/agi/` implements `CallerChannel` over FastAGI; the engine implements
`IvrServices` over the database and the router. Tests drive flows with in-memory
implementations of both, so `ivr/` never touches a socket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class CallerHungUp(Exception):
    """The caller's channel is gone (AGI `HANGUP`, a 511 reply, the socket closed)."""


class ChannelTimeout(Exception):
    """The PBX did not answer a command in time (a silent or stuck peer)."""


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """What the PBX told us about the channel when the session started (agi_* variables)."""

    uniqueid: str
    channel: str
    caller_id: str = ""  # digits, "" when withheld/unknown
    caller_name: str = ""
    dnid: str = ""  # the number dialled
    language: str = "en"
    context: str = ""
    extension: str = ""
    script: str = ""  # the FastAGI URL path, e.g. "ivr/main"
    arguments: tuple[str, ...] = ()  # agi_arg_1..n
    variables: dict[str, str] = field(default_factory=dict)  # anything else offered


@dataclass(frozen=True, slots=True)
class RecordResult:
    """RECORD FILE's outcome: `path` without the format extension, as Asterisk names it."""

    path: str
    fmt: str
    duration_s: float
    ended_by: str  # "dtmf" (digit in `ended_by_digit`), "timeout", "silence", "hangup"
    ended_by_digit: str = ""


class CallerChannel(Protocol):
    """One caller's channel as a flow drives it. Every method raises `CallerHungUp` once
    the caller has gone and `ChannelTimeout` if the PBX stops answering."""

    @property
    def info(self) -> ChannelInfo: ...

    async def answer(self) -> None: ...

    async def play(self, prompts: Sequence[str], *, interrupt_digits: str = "") -> str:
        """STREAM FILE each prompt in turn; returns the digit that interrupted it, or ""."""
        ...

    async def say_digits(self, digits: str, *, interrupt_digits: str = "") -> str: ...

    async def say_number(self, number: int, *, interrupt_digits: str = "") -> str: ...

    async def read_digits(self, prompt: str, *, max_digits: int, timeout_s: float) -> str:
        """GET DATA: play `prompt` ("" = none), collect up to `max_digits` digits ended by
        `#` or `timeout_s` of silence. Returns what was typed ("" = nothing)."""
        ...

    async def wait_digit(self, timeout_s: float) -> str:
        """WAIT FOR DIGIT; "" on timeout."""
        ...

    async def set_variable(self, name: str, value: str) -> None: ...

    async def get_variable(self, name: str) -> str | None: ...

    async def record(self, path: str, *, fmt: str = "wav", max_s: float = 120.0,
                     silence_s: float = 5.0, beep: bool = True,
                     end_digits: str = "#") -> RecordResult: ...

    async def hangup(self) -> None: ...


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    customer_id: str
    name: str = ""
    tier: str = "normal"  # cdr.callers.customers.Tier values: normal, vip, ...


@dataclass(frozen=True, slots=True)
class BlockEntry:
    number: str
    reason: str
    expires_at: float | None = None


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """A queue right now, for branch conditions: callers waiting, expected wait of a caller
    arriving now (None when unknown), agents logged in and available."""

    waiting: int
    expected_wait_s: float | None
    agents_logged_in: int
    agents_available: int


class IvrServices(Protocol):
    """Lookups a flow makes; implemented by the engine."""

    async def find_customer(self, *, phone: str | None = None,
                            account: str | None = None) -> CustomerInfo | None: ...

    async def blocked(self, number: str) -> BlockEntry | None:
        """The caller's live blacklist entry (expired entries do not count)."""
        ...

    def queue_status(self, queue: str) -> QueueStatus: ...

    def now(self) -> float:
        """Wall-clock epoch seconds (business hours are read in the center's time zone)."""
        ...
