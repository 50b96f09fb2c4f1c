"""A scripted busy hour: three queues, thirty agents with mixed skills, VIP callers, abandons,
ring-no-answers and overflow. Used by `callcenter demo` and by tests as a realistic workload."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from acd import (
    ExpandSkills,
    OverflowRule,
    OverflowTarget,
    QueueSettings,
    RaisePriority,
    RonaAction,
    Strategy,
    requirement,
)
from simulations.model import Shift, SimAgent, SimCall

HOUR_S = 3600.0

QUEUES = (
    QueueSettings(
        "billing",
        required=requirement({"billing": 5}),
        weight=2,
        sl_target_s=20.0,
        wrap_up_s=20.0,
        ring_timeout_s=12.0,
        strategy=Strategy.MOST_SKILLED,
        rules=(ExpandSkills(45.0, lower_levels_by=3), RaisePriority(90.0, 1)),
        aging_step=1,
        aging_interval_s=60.0,
    ),
    QueueSettings(
        "support",
        required=requirement({"support": 3}),
        weight=1,
        sl_target_s=30.0,
        wrap_up_s=30.0,
        ring_timeout_s=12.0,
        strategy=Strategy.LONGEST_IDLE,
        rules=(
            ExpandSkills(60.0, lower_levels_by=1),
            OverflowRule(240.0, OverflowTarget.QUEUE, "general"),
        ),
        rona_action=RonaAction.PAUSE,
    ),
    QueueSettings(
        "general",
        required=requirement({"general": 1}),
        sl_target_s=30.0,
        wrap_up_s=15.0,
        ring_timeout_s=12.0,
        strategy=Strategy.ROUND_ROBIN,
        rules=(OverflowRule(300.0, OverflowTarget.VOICEMAIL),),
        resume_window_s=120.0,
    ),
)

# (queue, calls per hour, mean talk s, mean patience s, share of VIP callers)
CALL_TYPES = (
    ("billing", 130.0, 200.0, 150.0, 0.15),
    ("support", 150.0, 240.0, 180.0, 0.10),
    ("general", 110.0, 150.0, 120.0, 0.05),
)
VIP_PRIORITY = 5


def agents() -> list[SimAgent]:
    """30 agents: billing experts, support techs, generalists; one break each; some sloppy."""
    roster: list[SimAgent] = []
    for i in range(30):
        if i < 10:
            group, skills = "billing", {"billing": 4 + i % 6, "general": 3}
        elif i < 22:
            group, skills = "support", {"support": 3 + i % 7, "general": 2}
        else:
            group, skills = "generalists", {"general": 5, "billing": 2, "support": 2}
        breaks = ((600.0 + 90.0 * i, 300.0),) if i % 3 == 0 else ()
        roster.append(
            SimAgent(
                id=f"agent-{i:02d}",
                group=group,
                skills=skills,
                display_id=str(1001 + i),
                shifts=(Shift(0.0, HOUR_S, breaks),),
                rona_probability=0.04 if i % 5 == 0 else 0.0,
                answer_delay_s=2.0 + (i % 4),
            )
        )
    return roster


def calls(rng: np.random.Generator, hours: float = 1.0) -> Iterator[SimCall]:
    """Poisson arrivals per call type, exponential talk and patience, merged in arrival order."""
    horizon = hours * HOUR_S
    drawn: list[tuple[float, int]] = []
    for index, (_, per_hour, _, _, _) in enumerate(CALL_TYPES):
        n = rng.poisson(per_hour * hours)
        drawn.extend((float(t), index) for t in rng.uniform(0.0, horizon, n))
    drawn.sort()
    for number, (arrival, index) in enumerate(drawn):
        queue, _, talk, patience, vip_share = CALL_TYPES[index]
        vip = rng.random() < vip_share
        yield SimCall(
            id=f"call-{number:04d}",
            call_type=index,
            queue=queue,
            priority=VIP_PRIORITY if vip else 0,
            arrival_s=arrival,
            handle_s=float(rng.exponential(talk)),
            patience_s=float(rng.exponential(patience * (2.0 if vip else 1.0))),
            caller=f"+3120555{number % 997:04d}",
        )
