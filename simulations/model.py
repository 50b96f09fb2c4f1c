"""What the simulator runs: the calls of a workload and the agents who staff it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from acd import Requirement


# Not frozen: one is built per simulated call, and frozen dataclasses build 4x slower.
@dataclass(slots=True)
class SimCall:
    """One call of a workload. Times in seconds from the start of the run."""

    id: str
    call_type: int  # index into the scenario's call types
    queue: str
    priority: int
    arrival_s: float
    handle_s: float  # talk time once answered
    patience_s: float = math.inf  # how long the caller waits before hanging up
    required: tuple[Requirement, ...] | None = None
    caller: str | None = None


@dataclass(frozen=True, slots=True)
class Shift:
    start_s: float
    end_s: float
    breaks: tuple[tuple[float, float], ...] = ()  # (start, duration)


@dataclass(frozen=True, slots=True)
class SimAgent:
    """One agent: skills, when it works, and how it behaves when its phone rings."""

    id: str
    group: str
    skills: dict[str, int]
    shifts: tuple[Shift, ...]
    display_id: str | None = None
    queues: tuple[str, ...] | None = None
    rona_probability: float = 0.0  # chance of letting an offered call ring out
    answer_delay_s: float = 0.0  # ring time before answering
    extra: dict[str, str] = field(default_factory=dict)
