"""Facts the tracker returns: what changed, as values the engine can act on or log."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.tracker.model import CallOutcome, QueueOutcome, RingOutcome


@dataclass(frozen=True, slots=True)
class Fact:
    at: float
    call_id: str


@dataclass(frozen=True, slots=True)
class CallStarted(Fact):
    caller_channel: str


@dataclass(frozen=True, slots=True)
class CallMerged(Fact):
    into: str


@dataclass(frozen=True, slots=True)
class QueueJoined(Fact):
    queue: str
    position: int


@dataclass(frozen=True, slots=True)
class QueueLeft(Fact):
    queue: str
    outcome: QueueOutcome
    wait: float


@dataclass(frozen=True, slots=True)
class RingStarted(Fact):
    interface: str
    agent_channel: str


@dataclass(frozen=True, slots=True)
class RingEnded(Fact):
    interface: str
    outcome: RingOutcome


@dataclass(frozen=True, slots=True)
class AgentConnected(Fact):
    interface: str
    member_name: str


@dataclass(frozen=True, slots=True)
class TalkStarted(Fact):
    pass


@dataclass(frozen=True, slots=True)
class TalkEnded(Fact):
    pass


@dataclass(frozen=True, slots=True)
class HoldStarted(Fact):
    pass


@dataclass(frozen=True, slots=True)
class HoldEnded(Fact):
    pass


@dataclass(frozen=True, slots=True)
class CallEnded(Fact):
    outcome: CallOutcome
    end_known: bool
