"""Test helpers shipped with the package: a scripted caller and in-memory services.

    channel = ScriptedChannel(["2", "4111111111111111", Hangup()])
    outcome = await run_flow(flow, channel, FakeServices())

Script entries are consumed in order: a `str` answers the next `read_digits` or
`wait_digit`; `Barge(key)` interrupts the next prompt played with interrupt digits;
`Speak(...)` is the next recording; `Hangup()` makes the next call (of any kind) raise
`CallerHungUp`, as do all calls after it. An exhausted script is a silent caller.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ivr.ports import (
    BlockEntry,
    CallerHungUp,
    ChannelInfo,
    CustomerInfo,
    QueueStatus,
    RecordResult,
)


@dataclass(frozen=True, slots=True)
class Barge:
    key: str


@dataclass(frozen=True, slots=True)
class Speak:
    duration_s: float
    ended_by: str = "dtmf"
    ended_by_digit: str = "#"


@dataclass(frozen=True, slots=True)
class Hangup:
    pass


ScriptEntry = str | Barge | Speak | Hangup


class ScriptedChannel:
    """A `CallerChannel` that answers from a script and logs what the caller heard."""

    def __init__(self, script: Iterable[ScriptEntry] = (), *, caller_id: str = "",
                 uniqueid: str = "1700000000.1", language: str = "en") -> None:
        self._info = ChannelInfo(uniqueid=uniqueid, channel=f"PJSIP/caller-{uniqueid}",
                                 caller_id=caller_id, language=language)
        self.script: deque[ScriptEntry] = deque(script)
        self.heard: list[str] = []  # files played; "number:3", "digits:123" for the say calls
        self.variables: dict[str, str] = {}
        self.recordings: list[str] = []
        self.hung_up = False

    @property
    def info(self) -> ChannelInfo:
        return self._info

    def _live(self) -> None:
        if self.hung_up or (self.script and isinstance(self.script[0], Hangup)):
            self.hung_up = True
            raise CallerHungUp

    def _barge(self, interrupt_digits: str) -> str:
        head = self.script[0] if self.script else None
        if interrupt_digits and isinstance(head, Barge):
            self.script.popleft()
            return head.key
        return ""

    def _keys(self) -> str:
        head = self.script[0] if self.script else None
        if isinstance(head, str):
            self.script.popleft()
            return head
        return ""

    async def answer(self) -> None:
        self._live()

    async def play(self, prompts: Sequence[str], *, interrupt_digits: str = "") -> str:
        self._live()
        for prompt in prompts:
            self.heard.append(prompt)
            key = self._barge(interrupt_digits)
            if key:
                return key
        return ""

    async def say_digits(self, digits: str, *, interrupt_digits: str = "") -> str:
        self._live()
        self.heard.append(f"digits:{digits}")
        return self._barge(interrupt_digits)

    async def say_number(self, number: int, *, interrupt_digits: str = "") -> str:
        self._live()
        self.heard.append(f"number:{number}")
        return self._barge(interrupt_digits)

    async def read_digits(self, prompt: str, *, max_digits: int, timeout_s: float) -> str:
        self._live()
        if prompt:
            self.heard.append(prompt)
        return self._keys()

    async def wait_digit(self, timeout_s: float) -> str:
        self._live()
        return self._keys()

    async def set_variable(self, name: str, value: str) -> None:
        self._live()
        self.variables[name] = value

    async def get_variable(self, name: str) -> str | None:
        self._live()
        return self.variables.get(name)

    async def record(self, path: str, *, fmt: str = "wav", max_s: float = 120.0,
                     silence_s: float = 5.0, beep: bool = True,
                     end_digits: str = "#") -> RecordResult:
        self._live()
        self.recordings.append(path)
        head = self.script[0] if self.script else None
        if isinstance(head, Speak):
            self.script.popleft()
            return RecordResult(path, fmt, head.duration_s, head.ended_by,
                                head.ended_by_digit if head.ended_by == "dtmf" else "")
        return RecordResult(path, fmt, silence_s, "silence")

    async def hangup(self) -> None:
        self.hung_up = True


@dataclass
class FakeServices:
    """An `IvrServices` over dicts; `queues` missing a name report an empty, staffed queue."""

    by_phone: dict[str, CustomerInfo] = field(default_factory=dict)
    by_account: dict[str, CustomerInfo] = field(default_factory=dict)
    blacklist: dict[str, BlockEntry] = field(default_factory=dict)
    queues: dict[str, QueueStatus] = field(default_factory=dict)
    clock: float = 1_700_000_000.0
    lookups: list[tuple[str, str]] = field(default_factory=list)

    async def find_customer(self, *, phone: str | None = None,
                            account: str | None = None) -> CustomerInfo | None:
        if phone is not None:
            self.lookups.append(("phone", phone))
            return self.by_phone.get(phone)
        if account is not None:
            self.lookups.append(("account", account))
            return self.by_account.get(account)
        return None

    async def blocked(self, number: str) -> BlockEntry | None:
        return self.blacklist.get(number)

    def queue_status(self, queue: str) -> QueueStatus:
        return self.queues.get(queue, QueueStatus(0, 0.0, 1, 1))

    def now(self) -> float:
        return self.clock
