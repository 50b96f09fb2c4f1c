"""Branch conditions: what a `branch` node can ask about the call, the clock and the queues.

One `when:` entry holds one or more conditions, all of which must hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ivr.hours import WEEKDAYS, Calendar, IntervalText, Weekday, is_open, parse_interval
from ivr.ports import QueueStatus

Count = Annotated[int, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueueCount(_Strict):
    queue: str | None = None  # None: the call's queue (set by a `set` node or the flow)
    n: Count


class QueueWait(_Strict):
    queue: str | None = None
    s: Annotated[float, Field(ge=0, allow_inf_nan=False)]


class VariableEquals(_Strict):
    name: str
    equals: str


class Condition(_Strict):
    tier: list[str] | None = None  # the caller's tier is one of these
    open: str | None = None  # the named calendar is open now
    closed: str | None = None  # ... is closed now
    holiday: str | None = None  # today is a holiday in the named calendar
    time_between: IntervalText | None = None  # "08:00-18:00", flow's zone, overnight allowed
    weekday: list[Weekday] | None = None  # today (flow's zone) is one of these
    queue_waiting_at_least: QueueCount | None = None
    ewt_over_s: QueueWait | None = None  # false while the expected wait is unknown
    agents_available_below: QueueCount | None = None
    language: list[str] | None = None
    variable: VariableEquals | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Condition:
        if not self.model_fields_set - {"next"}:
            raise ValueError(
                f"a condition needs one of: {', '.join(Condition.model_fields)}"
            )
        return self

    def calendars(self) -> list[tuple[str, str]]:
        """(key, calendar name) of every calendar this condition reads."""
        named = (("open", self.open), ("closed", self.closed), ("holiday", self.holiday))
        return [(key, name) for key, name in named if name is not None]


class BranchCase(Condition):
    next: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What conditions are evaluated against, at one instant."""

    tier: str
    language: str
    variables: Mapping[str, str]
    epoch_s: float
    zone: ZoneInfo
    calendars: Mapping[str, Calendar]
    queue: str | None  # the call's queue
    queue_status: Callable[[str], QueueStatus]

    def status(self, queue: str | None) -> QueueStatus | None:
        name = queue or self.queue
        return self.queue_status(name) if name else None


def holds(condition: Condition, facts: Facts) -> bool:
    """True when every condition set in `condition` holds (cheap checks first)."""
    c = condition
    local = datetime.fromtimestamp(facts.epoch_s, facts.zone)
    minute = local.hour * 60 + local.minute + local.second / 60
    if c.tier is not None and facts.tier not in c.tier:
        return False
    if c.language is not None and facts.language not in c.language:
        return False
    if c.variable is not None and facts.variables.get(c.variable.name) != c.variable.equals:
        return False
    if c.weekday is not None and WEEKDAYS[local.weekday()] not in c.weekday:
        return False
    if c.time_between is not None and not parse_interval(c.time_between).covers(minute):
        return False
    if c.open is not None and not is_open(facts.calendars[c.open], facts.epoch_s):
        return False
    if c.closed is not None and is_open(facts.calendars[c.closed], facts.epoch_s):
        return False
    if c.holiday is not None:
        calendar = facts.calendars[c.holiday]
        if not calendar.is_holiday(datetime.fromtimestamp(facts.epoch_s, calendar.zone).date()):
            return False
    if c.queue_waiting_at_least is not None:
        status = facts.status(c.queue_waiting_at_least.queue)
        if status is None or status.waiting < c.queue_waiting_at_least.n:
            return False
    if c.ewt_over_s is not None:
        status = facts.status(c.ewt_over_s.queue)
        wait = status.expected_wait_s if status is not None else None
        if wait is None or wait <= c.ewt_over_s.s:
            return False
    if c.agents_available_below is not None:
        status = facts.status(c.agents_available_below.queue)
        if status is None or status.agents_available >= c.agents_available_below.n:
            return False
    return True
