"""Skills with levels 1–10, and the requirements calls place on them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from acd.errors import InvalidValueError

MIN_LEVEL = 1
MAX_LEVEL = 10


@dataclass(frozen=True, slots=True, order=True)
class SkillLevel:
    """One required skill and the minimum level an agent must have in it."""

    skill: str
    min_level: int = MIN_LEVEL


# All of its skills are needed (AND). A call holds one or more alternatives (OR).
Requirement = tuple[SkillLevel, ...]
NO_REQUIREMENT: Requirement = ()


def check_level(level: object, where: str) -> int:
    """Return `level` if it is an int in 1..10, else raise naming `where` and the value."""
    if isinstance(level, bool) or not isinstance(level, int) or not MIN_LEVEL <= level <= MAX_LEVEL:
        raise InvalidValueError(
            f"{where}: expected a skill level {MIN_LEVEL}..{MAX_LEVEL}, got {level!r}"
        )
    return level


def check_skill_name(skill: object, where: str) -> str:
    if not isinstance(skill, str) or not skill.strip():
        raise InvalidValueError(f"{where}: expected a non-empty skill name, got {skill!r}")
    return skill


def agent_skills(skills: Mapping[str, int], where: str) -> dict[str, int]:
    """Validate an agent's skill → level map; return a copy."""
    return {
        check_skill_name(skill, where): check_level(level, f"{where}: skill {skill!r}")
        for skill, level in skills.items()
    }


def requirement(
    skills: Mapping[str, int] | Iterable[tuple[str, int]] | Iterable[SkillLevel],
    where: str = "requirement",
) -> Requirement:
    """Build a canonical (sorted, one entry per skill) requirement, validating every level."""
    items: Iterable[object] = skills.items() if isinstance(skills, Mapping) else skills
    levels: dict[str, int] = {}
    for item in items:
        if isinstance(item, SkillLevel):
            name, level = item.skill, item.min_level
        else:
            name, level = item  # type: ignore[misc]
        check_skill_name(name, where)
        check_level(level, f"{where}: skill {name!r}")
        if name in levels:
            raise InvalidValueError(f"{where}: skill {name!r} is required twice")
        levels[name] = level
    return tuple(SkillLevel(name, levels[name]) for name in sorted(levels))


def qualifies(skills: Mapping[str, int], required: Requirement) -> bool:
    """True when `skills` meets every minimum level in `required`."""
    # A plain loop: this runs for every candidate of every decision, and all() is slower.
    for need in required:  # noqa: SIM110
        if skills.get(need.skill, 0) < need.min_level:
            return False
    return True


def lowered(required: Requirement, by: int) -> Requirement:
    """The same skills with every minimum level lowered by `by` (never below 1)."""
    return tuple(SkillLevel(n.skill, max(MIN_LEVEL, n.min_level - by)) for n in required)


def describe(required: Requirement) -> str:
    """'billing>=5+english>=3', or 'any' for no requirement."""
    return "+".join(f"{n.skill}>={n.min_level}" for n in required) or "any"
