"""Queue settings: requirements, weight, service level, timers, strategy, time-based rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from acd.errors import InvalidValueError
from acd.skills import NO_REQUIREMENT, Requirement, describe

MIN_PRIORITY = 0
MAX_PRIORITY = 9


class Strategy(StrEnum):
    """How to choose among several qualified idle agents when a call arrives."""

    LONGEST_IDLE = "longest-idle"
    MOST_SKILLED = "most-skilled"
    FEWEST_SKILLS = "fewest-skills"
    LEAST_CALLS = "least-calls"
    LEAST_TALK_TIME = "least-talk-time"
    ROUND_ROBIN = "round-robin"
    LINEAR = "linear"
    RANDOM = "random"
    WEIGHTED_RANDOM = "weighted-random"


class RonaAction(StrEnum):
    """What happens to an agent who lets an offered call ring out."""

    PAUSE = "pause"
    AVAILABLE = "available"


class OverflowTarget(StrEnum):
    QUEUE = "queue"
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"


@dataclass(frozen=True, slots=True)
class ExpandSkills:
    """After `after_s` in the queue: lower every minimum level and/or add alternative skill sets."""

    after_s: float
    lower_levels_by: int = 0
    add_alternatives: tuple[Requirement, ...] = ()

    def describe(self) -> str:
        parts = []
        if self.lower_levels_by:
            parts.append(f"levels-{self.lower_levels_by}")
        parts.extend(f"or {describe(r)}" for r in self.add_alternatives)
        return f"expand@{self.after_s:g}s({', '.join(parts)})"


@dataclass(frozen=True, slots=True)
class RaisePriority:
    """After `after_s` in the queue: raise the call's priority by `by` (capped at 9)."""

    after_s: float
    by: int = 1

    def describe(self) -> str:
        return f"priority+{self.by}@{self.after_s:g}s"


@dataclass(frozen=True, slots=True)
class OverflowRule:
    """After `after_s` in the queue: move the call to another queue, voicemail or a callback."""

    after_s: float
    target: OverflowTarget
    queue: str | None = None

    def describe(self) -> str:
        where = f":{self.queue}" if self.target is OverflowTarget.QUEUE else ""
        return f"overflow@{self.after_s:g}s->{self.target.value}{where}"


TimeRule = ExpandSkills | RaisePriority | OverflowRule


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """Everything configurable about one queue. Times in seconds."""

    name: str
    required: Requirement = NO_REQUIREMENT
    weight: int = 0  # higher: served first by agents who serve several queues
    sl_target_s: float = 20.0
    sl_goal: float = 0.8
    wrap_up_s: float = 0.0
    ring_timeout_s: float = 15.0
    max_wait_s: float | None = None
    strategy: Strategy = Strategy.LONGEST_IDLE
    rules: tuple[TimeRule, ...] = ()
    aging_step: int = 0  # priority points gained per aging interval waited; 0: no aging
    aging_interval_s: float = 60.0
    rona_action: RonaAction = RonaAction.PAUSE
    retry_s: float = 5.0  # after a RONA back to available: how long that agent skips that call
    resume_window_s: float = 0.0  # abandon-resume: 0 disables
    expected_handle_s: float = 180.0  # handle-time estimate before any call has been measured

    def validate(self) -> QueueSettings:
        """Return self, or raise InvalidValueError naming the setting and the value."""
        where = f"queue {self.name!r}"
        if not self.name:
            raise InvalidValueError("queue: expected a non-empty name, got ''")
        _non_negative(f"{where}: sl_target_s", self.sl_target_s)
        _non_negative(f"{where}: wrap_up_s", self.wrap_up_s)
        _positive(f"{where}: ring_timeout_s", self.ring_timeout_s)
        _non_negative(f"{where}: retry_s", self.retry_s)
        _non_negative(f"{where}: resume_window_s", self.resume_window_s)
        _positive(f"{where}: expected_handle_s", self.expected_handle_s)
        _positive(f"{where}: aging_interval_s", self.aging_interval_s)
        if self.max_wait_s is not None:
            _positive(f"{where}: max_wait_s", self.max_wait_s)
        if not 0.0 < self.sl_goal <= 1.0:
            raise InvalidValueError(
                f"{where}: sl_goal: expected a share in (0, 1], got {self.sl_goal!r}"
            )
        if self.aging_step < 0:
            raise InvalidValueError(f"{where}: aging_step: expected >= 0, got {self.aging_step!r}")
        previous = 0.0
        for index, rule in enumerate(self.rules):
            rwhere = f"{where}: rules[{index}]"
            _non_negative(f"{rwhere}: after_s", rule.after_s)
            if rule.after_s < previous:
                raise InvalidValueError(
                    f"{rwhere}: after_s {rule.after_s!r} is earlier than the rule before it"
                    f" ({previous!r}); list rules in time order"
                )
            previous = rule.after_s
            if isinstance(rule, ExpandSkills) and rule.lower_levels_by < 0:
                raise InvalidValueError(
                    f"{rwhere}: lower_levels_by: expected >= 0, got {rule.lower_levels_by!r}"
                )
            if isinstance(rule, RaisePriority) and rule.by < 1:
                raise InvalidValueError(f"{rwhere}: by: expected >= 1, got {rule.by!r}")
            if isinstance(rule, OverflowRule):
                if rule.target is OverflowTarget.QUEUE and not rule.queue:
                    raise InvalidValueError(f"{rwhere}: overflow to a queue needs the queue's name")
                if rule.queue == self.name:
                    raise InvalidValueError(f"{rwhere}: queue {self.name!r} overflows to itself")
        return self


def _non_negative(where: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise InvalidValueError(f"{where}: expected seconds >= 0, got {value!r}")


def _positive(where: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise InvalidValueError(f"{where}: expected seconds > 0, got {value!r}")


def check_priority(priority: object, where: str) -> int:
    if (
        isinstance(priority, bool)
        or not isinstance(priority, int)
        or not MIN_PRIORITY <= priority <= MAX_PRIORITY
    ):
        raise InvalidValueError(
            f"{where}: expected a priority {MIN_PRIORITY}..{MAX_PRIORITY}, got {priority!r}"
        )
    return priority
