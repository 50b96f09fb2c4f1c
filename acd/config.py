"""The routing part of the configuration, validated: queues, rules and agents.

One model for everyone who reads routing settings — the live engine's config file and
the simulator's scenario both embed these — so that a queue means the same in both.
Pydantic sits here at the edge; `to_settings()` hands the router plain dataclasses.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from acd.queues import (
    ExpandSkills,
    OverflowRule,
    OverflowTarget,
    QueueSettings,
    RaisePriority,
    RonaAction,
    Strategy,
    TimeRule,
)
from acd.skills import MAX_LEVEL, MIN_LEVEL, Requirement, requirement

Level = Annotated[int, Field(ge=MIN_LEVEL, le=MAX_LEVEL)]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpandSkillsModel(_Strict):
    after_s: Seconds
    action: Literal["expand-skills"] = "expand-skills"
    lower_levels_by: Annotated[int, Field(ge=0, le=MAX_LEVEL)] = 0
    add_alternatives: list[dict[str, Level]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _does_something(self) -> ExpandSkillsModel:
        if not self.lower_levels_by and not self.add_alternatives:
            raise ValueError("expand-skills needs lower_levels_by or add_alternatives")
        return self


class RaisePriorityModel(_Strict):
    after_s: Seconds
    action: Literal["raise-priority"] = "raise-priority"
    by: Annotated[int, Field(ge=1, le=9)] = 1


class OverflowModel(_Strict):
    after_s: Seconds
    action: Literal["overflow"] = "overflow"
    target: OverflowTarget
    queue: str | None = None

    @model_validator(mode="after")
    def _queue_given(self) -> OverflowModel:
        if self.target is OverflowTarget.QUEUE and not self.queue:
            raise ValueError("overflow to a queue needs 'queue'")
        return self


RuleModel = Annotated[
    ExpandSkillsModel | RaisePriorityModel | OverflowModel, Field(discriminator="action")
]


class QueueModel(_Strict):
    """One queue as written in a config file (times in seconds)."""

    name: Annotated[str, Field(min_length=1)]
    skills: dict[str, Level] = Field(default_factory=dict)
    weight: int = 0
    sl_target_s: Seconds = 20.0
    sl_goal: Annotated[float, Field(gt=0, le=1)] = 0.8
    wrap_up_s: Seconds = 0.0
    ring_timeout_s: PositiveSeconds = 15.0
    max_wait_s: PositiveSeconds | None = None
    strategy: Strategy = Strategy.LONGEST_IDLE
    rules: list[RuleModel] = Field(default_factory=list)
    aging_step: Annotated[int, Field(ge=0, le=9)] = 0
    aging_interval_s: PositiveSeconds = 60.0
    rona_action: RonaAction = RonaAction.PAUSE
    retry_s: Seconds = 5.0
    resume_window_s: Seconds = 0.0
    expected_handle_s: PositiveSeconds = 180.0

    @model_validator(mode="after")
    def _rules_in_time_order(self) -> QueueModel:
        times = [rule.after_s for rule in self.rules]
        if times != sorted(times):
            raise ValueError(f"rules must be listed in after_s order, got {times}")
        return self

    def to_settings(self) -> QueueSettings:
        return QueueSettings(
            name=self.name,
            required=requirement(self.skills, f"queue {self.name!r}: skills"),
            weight=self.weight,
            sl_target_s=self.sl_target_s,
            sl_goal=self.sl_goal,
            wrap_up_s=self.wrap_up_s,
            ring_timeout_s=self.ring_timeout_s,
            max_wait_s=self.max_wait_s,
            strategy=self.strategy,
            rules=tuple(_rule(rule, self.name) for rule in self.rules),
            aging_step=self.aging_step,
            aging_interval_s=self.aging_interval_s,
            rona_action=self.rona_action,
            retry_s=self.retry_s,
            resume_window_s=self.resume_window_s,
            expected_handle_s=self.expected_handle_s,
        ).validate()


class AgentModel(_Strict):
    """One agent as written in a config file."""

    id: Annotated[str, Field(min_length=1)]
    display_id: str | None = None
    skills: dict[str, Level]
    queues: list[str] | None = None


def _rule(model: ExpandSkillsModel | RaisePriorityModel | OverflowModel, queue: str) -> TimeRule:
    if isinstance(model, ExpandSkillsModel):
        alternatives: tuple[Requirement, ...] = tuple(
            requirement(alt, f"queue {queue!r}: rule add_alternatives")
            for alt in model.add_alternatives
        )
        return ExpandSkills(model.after_s, model.lower_levels_by, alternatives)
    if isinstance(model, RaisePriorityModel):
        return RaisePriority(model.after_s, model.by)
    return OverflowRule(model.after_s, model.target, model.queue)


def queue_model(settings: QueueSettings, *, time_scale: float = 1.0) -> QueueModel:
    """The config-file form of `settings` (the inverse of `QueueModel.to_settings`).

    `time_scale` multiplies every time (a demo plays a busy hour 40 times faster with 1/40)."""

    def skills(required: Requirement) -> dict[str, int]:
        return {need.skill: need.min_level for need in required}

    rules: list[ExpandSkillsModel | RaisePriorityModel | OverflowModel] = []
    for rule in settings.rules:
        after = rule.after_s * time_scale
        if isinstance(rule, ExpandSkills):
            rules.append(ExpandSkillsModel(
                after_s=after, lower_levels_by=rule.lower_levels_by,
                add_alternatives=[skills(alt) for alt in rule.add_alternatives]))
        elif isinstance(rule, RaisePriority):
            rules.append(RaisePriorityModel(after_s=after, by=rule.by))
        else:
            rules.append(OverflowModel(after_s=after, target=rule.target, queue=rule.queue))
    scaled_max = None if settings.max_wait_s is None else settings.max_wait_s * time_scale
    return QueueModel(
        name=settings.name, skills=skills(settings.required), weight=settings.weight,
        sl_target_s=settings.sl_target_s * time_scale, sl_goal=settings.sl_goal,
        wrap_up_s=settings.wrap_up_s * time_scale,
        ring_timeout_s=settings.ring_timeout_s * time_scale, max_wait_s=scaled_max,
        strategy=settings.strategy, rules=rules, aging_step=settings.aging_step,
        aging_interval_s=settings.aging_interval_s * time_scale,
        rona_action=settings.rona_action, retry_s=settings.retry_s * time_scale,
        resume_window_s=settings.resume_window_s * time_scale,
        expected_handle_s=settings.expected_handle_s * time_scale,
    )
