"""Per-queue figures for today and the last 15 minutes, kept as calls resolve, for the
wallboard topic and the HTTP API's queue snapshot.

The tallies are `cdr.kpis.CallTally` and the ratios come from `cdr.kpis`, so the live
wallboard and the reports compute service level, ASA and abandon rate the same way. "Today"
is the center's calendar day (its time zone); the tallies restart at local midnight. "Recent"
is the current minute and the 14 before it (one tally per minute, so reading it adds 15
tallies, not every call).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cdr import (
    DEFAULT_TARGET_S,
    CallTally,
    abandon_rate,
    asa,
    merge_call_tallies,
    service_level,
)

RECENT_MINUTES = 15


@dataclass(frozen=True, slots=True)
class QueueFigures:
    offered: int
    answered: int
    abandoned: int
    service_level: float | None  # answered within target / offered (the OFFERED definition)
    asa_s: float | None
    abandon_rate: float | None  # short abandons excluded from both sides


class TodayStats:
    def __init__(self, zone: ZoneInfo, targets: dict[str, float], short_abandon_s: float) -> None:
        self._zone = zone
        self._targets = targets
        self._short_abandon_s = short_abandon_s
        self._day: str | None = None
        self._tallies: dict[str, CallTally] = {}
        self._recent: dict[str, deque[tuple[int, CallTally]]] = {}  # (minute, tally), oldest first

    def set_target(self, queue: str, target_s: float) -> None:
        self._targets[queue] = target_s

    def _tally(self, queue: str, now: float) -> CallTally:
        day = datetime.fromtimestamp(now, self._zone).date().isoformat()
        if day != self._day:
            self._day = day
            self._tallies = {}
        tally = self._tallies.get(queue)
        if tally is None:
            tally = self._tallies[queue] = CallTally()
        return tally

    def _minute(self, queue: str, now: float) -> CallTally:
        minute = int(now // 60)
        minutes = self._recent.get(queue)
        if minutes is None:
            minutes = self._recent[queue] = deque()
        if minutes and minutes[-1][0] == minute:
            return minutes[-1][1]
        while minutes and minutes[0][0] <= minute - RECENT_MINUTES:
            minutes.popleft()
        tally = CallTally()
        minutes.append((minute, tally))
        return tally

    def answered(self, queue: str, waited_s: float, now: float) -> None:
        self._answered(self._tally(queue, now), queue, waited_s)
        self._answered(self._minute(queue, now), queue, waited_s)

    def _answered(self, tally: CallTally, queue: str, waited_s: float) -> None:
        tally.offered += 1
        # A queue added after start without settings yet: the classic target.
        tally.add_answered(waited_s, self._targets.get(queue, DEFAULT_TARGET_S))

    def abandoned(self, queue: str, waited_s: float, now: float) -> None:
        self._abandoned(self._tally(queue, now), waited_s)
        self._abandoned(self._minute(queue, now), waited_s)

    def _abandoned(self, tally: CallTally, waited_s: float) -> None:
        tally.offered += 1
        tally.add_abandoned(waited_s, self._short_abandon_s)

    def left(self, queue: str, now: float) -> None:
        """The call left the queue unanswered by rule (overflow out, voicemail, max wait)."""
        self._tally(queue, now).offered += 1
        self._minute(queue, now).offered += 1

    def figures(self, queue: str, now: float) -> QueueFigures:
        """Today's figures of the queue."""
        return _figures(self._tally(queue, now))

    def recent_figures(self, queue: str, now: float) -> QueueFigures:
        """The figures of the current minute and the 14 before it."""
        minute = int(now // 60)
        return _figures(merge_call_tallies([
            tally for at, tally in self._recent.get(queue, ())
            if at > minute - RECENT_MINUTES]))


def _figures(t: CallTally) -> QueueFigures:
    return QueueFigures(
        offered=t.offered,
        answered=t.answered,
        abandoned=t.abandoned,
        service_level=service_level(
            t.answered_within_target, t.offered, t.answered, t.short_abandoned
        ),
        asa_s=asa(t.wait_answered_s, t.answered),
        abandon_rate=abandon_rate(t.abandoned, t.offered, t.short_abandoned),
    )
