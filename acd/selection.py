"""Agent selection: which of several qualified idle agents gets an arriving call."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from acd.agents import Agent
from acd.queues import Strategy
from acd.skills import Requirement

SortKey = tuple[float, ...]


def _skill_sum(agent: Agent, required: Requirement) -> int:
    skills = agent.skills
    return sum(skills.get(need.skill, 0) for need in required)


def _key_function(
    strategy: Strategy, required: Requirement, rr_last: int
) -> Callable[[Agent], SortKey]:
    # Ties go to the longest idle: idle_seq counts becoming available, so among agents idle
    # since the same instant the one who became available first wins.
    if strategy is Strategy.LONGEST_IDLE:
        return lambda a: (a.idle_seq,)
    if strategy is Strategy.MOST_SKILLED:
        return lambda a: (-_skill_sum(a, required), a.idle_seq)
    if strategy is Strategy.FEWEST_SKILLS:
        return lambda a: (len(a.skills), a.idle_seq)
    if strategy is Strategy.LEAST_CALLS:
        return lambda a: (a.calls_handled, a.idle_seq)
    if strategy is Strategy.LEAST_TALK_TIME:
        return lambda a: (a.talk_time_s, a.idle_seq)
    if strategy is Strategy.ROUND_ROBIN:
        # The next agent after the last one chosen, in registration order, wrapping around.
        return lambda a: (a.order <= rr_last, a.order)
    if strategy is Strategy.LINEAR:
        return lambda a: (a.order,)
    raise ValueError(f"strategy {strategy!r} is not key-based")


def choose_agent(
    strategy: Strategy,
    candidates: Sequence[Agent],
    required: Requirement,
    rr_last: int,
    rng: random.Random,
) -> tuple[Agent, Agent | None]:
    """The chosen agent and the runner-up. `candidates` is non-empty and in a deterministic order.

    Random strategies draw from `rng`, so a seeded router chooses the same way every run.
    Weighted random weighs each agent by the sum of its levels on the required skills
    (1 each when the call requires no skill).
    """
    if len(candidates) == 1:
        return candidates[0], None
    if strategy is Strategy.RANDOM or strategy is Strategy.WEIGHTED_RANDOM:
        return _draw_two(strategy, candidates, required, rng)
    key = _key_function(strategy, required, rr_last)
    best = second = candidates[0]
    best_key = key(best)
    second_key: SortKey | None = None
    for agent in candidates[1:]:
        k = key(agent)
        if k < best_key:
            second, second_key = best, best_key
            best, best_key = agent, k
        elif second_key is None or k < second_key:
            second, second_key = agent, k
    return best, second


def _draw_two(
    strategy: Strategy, candidates: Sequence[Agent], required: Requirement, rng: random.Random
) -> tuple[Agent, Agent | None]:
    ordered = sorted(candidates, key=lambda a: a.order)
    if strategy is Strategy.RANDOM:
        first, second = rng.sample(ordered, 2)
        return first, second
    weights = [max(1, _skill_sum(a, required)) for a in ordered]
    first_index = _weighted_index(weights, rng)
    first = ordered[first_index]
    del ordered[first_index], weights[first_index]
    return first, ordered[_weighted_index(weights, rng)]


def _weighted_index(weights: Sequence[int], rng: random.Random) -> int:
    point = rng.random() * sum(weights)
    for index, weight in enumerate(weights):
        point -= weight
        if point < 0:
            return index
    return len(weights) - 1
