"""Business hours: weekly opening intervals, holidays and special days, in a time zone.

Rules, in order, for one local calendar date:
- a holiday is closed for the whole date (even the tail of the night before's interval);
- a special day has its own intervals instead of the weekday's (`[]` = closed);
- otherwise the weekday's intervals apply.
An interval whose end is not after its start (`22:00-06:00`) runs overnight: it belongs to
the date it starts on and ends on the next date. `24:00` is allowed as an end.
Local wall-clock times are read through zoneinfo, so DST changes move the epoch, not the
opening hours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60

_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """Open from `start` to `end`, minutes after local midnight; overnight when end <= start."""

    start: int
    end: int

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def covers(self, minute: float) -> bool:
        """True when a local time of day (minutes) is inside, wrapping past midnight."""
        if self.overnight:
            return minute >= self.start or minute < self.end
        return self.start <= minute < self.end

    def __str__(self) -> str:
        start, end = divmod(self.start, 60), divmod(self.end, 60)
        return f"{start[0]:02d}:{start[1]:02d}-{end[0]:02d}:{end[1]:02d}"


def parse_interval(text: str) -> Interval:
    """`"08:00-12:30"` → Interval(480, 750); ValueError saying what was expected."""
    match = _INTERVAL.match(text.strip())
    if match is None:
        raise ValueError(f"expected an interval like '08:00-18:00', got {text!r}")
    sh, sm, eh, em = (int(part) for part in match.groups())
    if sh > 23 or sm > 59 or em > 59 or eh > 24 or (eh == 24 and em):
        raise ValueError(f"expected times 00:00..23:59 (24:00 as an end), got {text!r}")
    start, end = sh * 60 + sm, eh * 60 + em
    if start == end:
        raise ValueError(f"interval {text!r} is empty")
    return Interval(start, end)


def _check_interval(text: str) -> str:
    parse_interval(text)
    return text


def check_zone(name: str) -> str:
    """`name` if zoneinfo knows it, else ValueError naming it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"expected an IANA time zone like 'Europe/Paris', got {name!r}") from None
    return name


IntervalText = Annotated[str, AfterValidator(_check_interval)]
ZoneName = Annotated[str, AfterValidator(check_zone)]


@dataclass(frozen=True, slots=True)
class Calendar:
    """Opening hours ready to query; build one with `CalendarModel.compile`."""

    zone: ZoneInfo
    weekly: tuple[tuple[Interval, ...], ...]  # index 0 = Monday, as date.weekday()
    holidays: frozenset[date]
    special_days: Mapping[date, tuple[Interval, ...]]

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        """The intervals starting on local date `day`."""
        if day in self.holidays:
            return ()
        special = self.special_days.get(day)
        return special if special is not None else self.weekly[day.weekday()]

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays


class CalendarModel(BaseModel):
    """A calendar as written in YAML (see the module docstring for the rules)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_zone: ZoneName | None = None  # None: the flow's (or the center's) zone
    weekly: dict[Weekday, list[IntervalText]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list)
    special_days: dict[date, list[IntervalText]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_day_twice(self) -> CalendarModel:
        both = sorted(set(self.holidays) & set(self.special_days))
        if both:
            raise ValueError(
                f"{', '.join(map(str, both))} listed both as holiday and as special day"
            )
        return self

    def compile(self, default_zone: str = "UTC") -> Calendar:
        def intervals(texts: list[str]) -> tuple[Interval, ...]:
            return tuple(sorted(parse_interval(text) for text in texts))

        return Calendar(
            zone=ZoneInfo(self.time_zone or default_zone),
            weekly=tuple(intervals(self.weekly.get(day, [])) for day in WEEKDAYS),
            holidays=frozenset(self.holidays),
            special_days={day: intervals(texts) for day, texts in self.special_days.items()},
        )


def local_minute(epoch_s: float, zone: ZoneInfo) -> tuple[date, float]:
    """(local date, minutes after local midnight) of an instant."""
    local = datetime.fromtimestamp(epoch_s, zone)
    return local.date(), local.hour * 60 + local.minute + local.second / 60


def is_open(calendar: Calendar, epoch_s: float) -> bool:
    """True when `epoch_s` falls in an opening interval of `calendar`."""
    day, minute = local_minute(epoch_s, calendar.zone)
    for interval in calendar.hours_on(day):
        end = MINUTES_PER_DAY if interval.overnight else interval.end
        if interval.start <= minute < end:
            return True
    if calendar.is_holiday(day):
        return False
    return any(
        interval.overnight and minute < interval.end
        for interval in calendar.hours_on(day - timedelta(days=1))
    )


def next_opening(calendar: Calendar, epoch_s: float, *, within_days: int = 400) -> float | None:
    """`epoch_s` when open, else the epoch of the next opening; None if none within the horizon."""
    if is_open(calendar, epoch_s):
        return epoch_s
    today, _ = local_minute(epoch_s, calendar.zone)
    for offset in range(within_days + 1):
        day = today + timedelta(days=offset)
        for interval in calendar.hours_on(day):
            wall = time(interval.start // 60, interval.start % 60)
            candidate = datetime.combine(day, wall, tzinfo=calendar.zone).timestamp()
            # A start inside a spring-forward gap resolves to a later instant; check it.
            if candidate > epoch_s and is_open(calendar, candidate):
                return candidate
    return None
