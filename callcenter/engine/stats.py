"""Per-queue figures for today, kept as calls resolve, for the wallboard topic.

The tallies are `cdr.kpis.CallTally` and the ratios come from `cdr.kpis`, so the live
wallboard and the reports compute service level, ASA and abandon rate the same way. "Today"
is the center's calendar day (its time zone); the tallies restart at local midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cdr import DEFAULT_TARGET_S, CallTally, abandon_rate, asa, service_level


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

    def answered(self, queue: str, waited_s: float, now: float) -> None:
        tally = self._tally(queue, now)
        tally.offered += 1
        # A queue added after start without settings yet: the classic target.
        tally.add_answered(waited_s, self._targets.get(queue, DEFAULT_TARGET_S))

    def abandoned(self, queue: str, waited_s: float, now: float) -> None:
        tally = self._tally(queue, now)
        tally.offered += 1
        tally.add_abandoned(waited_s, self._short_abandon_s)

    def left(self, queue: str, now: float) -> None:
        """The call left the queue unanswered by rule (overflow out, voicemail, max wait)."""
        self._tally(queue, now).offered += 1

    def figures(self, queue: str, now: float) -> QueueFigures:
        t = self._tally(queue, now)
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
