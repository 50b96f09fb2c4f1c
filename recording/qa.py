"""Quality assurance: a reproducible random sample of calls per agent for review, and the
weighted score form reviewers fill in.

Pure. The sample is ordered by `policy.sample_point(seed, call id)`, so the same seed and the
same calls always give the same sample, whatever order the database returns them in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from recording.policy import sample_point


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
    weight: Annotated[float, Field(gt=0)]
    max_points: Annotated[int, Field(ge=1, le=100)] = 5
    description: str = ""


class QaSettings(_Strict):
    """`recording.qa` in the engine's YAML."""

    per_agent: Annotated[int, Field(ge=1, le=1000)] = 3
    seed: int = 0
    criteria: list[Criterion] = Field(default_factory=lambda: [
        Criterion(name="greeting", weight=1, description="greets, gives the agent ID"),
        Criterion(name="understanding", weight=2, description="finds the real question"),
        Criterion(name="resolution", weight=3, description="solves it or says what happens next"),
        Criterion(name="courtesy", weight=1, description="tone, no interrupting"),
    ])

    @model_validator(mode="after")
    def _unique(self) -> QaSettings:
        if not self.criteria:
            raise ValueError("criteria: expected at least one criterion")
        names = [c.name for c in self.criteria]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"criteria names must be unique, repeated: {', '.join(repeated)}")
        return self


class ScoreError(ValueError):
    """A score form filled in wrongly (the message names the criterion)."""


def weighted_score(settings: QaSettings, points: Mapping[str, int]) -> float:
    """0-100: the weighted mean of each criterion's points / its maximum.

    Every criterion of the form must be scored, and nothing else."""
    known = {c.name: c for c in settings.criteria}
    unknown = sorted(set(points) - set(known))
    if unknown:
        raise ScoreError(f"unknown criteria {', '.join(unknown)} (the form has:"
                         f" {', '.join(known)})")
    missing = [name for name in known if name not in points]
    if missing:
        raise ScoreError(f"criteria not scored: {', '.join(missing)}")
    total = weight = 0.0
    for name, criterion in known.items():
        value = points[name]
        if not 0 <= value <= criterion.max_points:
            raise ScoreError(f"{name}: expected 0-{criterion.max_points} points, got {value}")
        total += criterion.weight * value / criterion.max_points
        weight += criterion.weight
    return round(100.0 * total / weight, 2)


def sample_per_agent(calls: Iterable[tuple[str, str]], per_agent: int,
                     seed: int) -> dict[str, list[str]]:
    """`(call id, agent id)` pairs → up to `per_agent` call ids per agent, reproducibly."""
    by_agent: dict[str, list[str]] = defaultdict(list)
    for call_id, agent_id in calls:
        by_agent[agent_id].append(call_id)
    return {
        agent: sorted(ids, key=lambda c: (sample_point(seed, c), c))[:per_agent]
        for agent, ids in sorted(by_agent.items())
    }
