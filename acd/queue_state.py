"""A queue at run time: its settings, its waiting calls, and what it has learned."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from acd.queues import MAX_PRIORITY, QueueSettings

if TYPE_CHECKING:
    from acd.calls import Call
    from acd.waiting import WaitGroup

TALK_EWMA_WEIGHT = 0.1  # weight of the newest talk time in the queue's running estimate


@dataclass(slots=True, eq=False)
class QueueRuntime:
    settings: QueueSettings
    waiting: dict[str, Call] = field(default_factory=dict)
    groups: list[WaitGroup] = field(default_factory=list)
    ringing: int = 0
    connected: int = 0
    rr_last: int = -1  # order of the agent last chosen by round-robin
    talk_ewma_s: float | None = None

    def aged_priority(self, priority: int, enqueued_at: float, now: float) -> int:
        """Priority plus `aging_step` points per full `aging_interval_s` waited, capped at 9."""
        step = self.settings.aging_step
        if not step:
            return priority
        gained = step * int((now - enqueued_at) // self.settings.aging_interval_s)
        return min(MAX_PRIORITY, priority + gained)

    def record_talk(self, talk_s: float) -> None:
        if self.talk_ewma_s is None:
            self.talk_ewma_s = talk_s
        else:
            self.talk_ewma_s += TALK_EWMA_WEIGHT * (talk_s - self.talk_ewma_s)

    def handle_estimate_s(self) -> float:
        """Recent talk time (exponentially weighted) plus the queue's wrap-up time."""
        if self.talk_ewma_s is None:
            return self.settings.expected_handle_s
        return self.talk_ewma_s + self.settings.wrap_up_s
