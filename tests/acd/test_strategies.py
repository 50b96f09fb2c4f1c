"""Agent selection strategies, when several qualified agents are idle as a call arrives."""

from __future__ import annotations

from acd_helpers import call, offers, queue

from acd import Offer, Router, Strategy


def build(strategy: Strategy, agents: dict[str, dict[str, int]], *, seed: int = 0) -> Router:
    router = Router([queue(skills={"en": 1}, strategy=strategy, wrap_up_s=0)], seed=seed)
    for agent_id, skills in agents.items():
        router.add_agent(agent_id, skills)
    return router


def serve(router: Router, call_id: str, now: float, talk_s: float = 10.0) -> str:
    """Enqueue a call, answer it, end it; return the agent who got it."""
    d = router.enqueue(call(call_id), now)
    [(_, agent)] = offers(d)
    router.answer(call_id, now)
    router.end_call(call_id, now + talk_s)
    return agent


def test_longest_idle_picks_the_agent_free_the_longest() -> None:
    router = build(Strategy.LONGEST_IDLE, {"a": {"en": 5}, "b": {"en": 5}, "c": {"en": 5}})
    router.login("b", 0.0)
    router.login("c", 1.0)
    router.login("a", 2.0)
    d = router.enqueue(call("c1"), 3.0)
    offer = next(x for x in d if isinstance(x, Offer))
    assert offer.agent_id == "b"
    assert offer.why.qualified_agents == 3
    assert offer.why.runner_up_agent == "c"
    assert offer.why.strategy is Strategy.LONGEST_IDLE


def test_most_skilled_picks_highest_level_then_longest_idle() -> None:
    router = build(Strategy.MOST_SKILLED, {"a": {"en": 4}, "b": {"en": 9}, "c": {"en": 9}})
    for i, agent in enumerate(("a", "c", "b")):
        router.login(agent, float(i))
    assert offers(router.enqueue(call("c1"), 5.0)) == [("c1", "c")]


def test_fewest_skills_keeps_generalists_free() -> None:
    router = build(
        Strategy.FEWEST_SKILLS,
        {"generalist": {"en": 5, "fr": 5, "de": 5}, "specialist": {"en": 5}},
    )
    router.login("generalist", 0.0)
    router.login("specialist", 1.0)
    assert offers(router.enqueue(call("c1"), 2.0)) == [("c1", "specialist")]


def test_least_calls_and_least_talk_time() -> None:
    router = build(Strategy.LEAST_CALLS, {"a": {"en": 1}, "b": {"en": 1}})
    router.login("a", 0.0)
    router.login("b", 0.0)
    first = serve(router, "c1", 1.0)
    assert first == "a"  # tie on zero calls: longest idle, then registration order
    assert serve(router, "c2", 20.0) == "b"
    assert serve(router, "c3", 40.0) == "a"

    router = build(Strategy.LEAST_TALK_TIME, {"a": {"en": 1}, "b": {"en": 1}})
    router.login("a", 0.0)
    router.login("b", 0.0)
    assert serve(router, "c1", 1.0, talk_s=100.0) == "a"
    assert serve(router, "c2", 200.0, talk_s=5.0) == "b"
    assert serve(router, "c3", 300.0, talk_s=5.0) == "b"  # 10 s of talk against a's 100 s


def test_round_robin_remembers_where_it_stopped() -> None:
    router = build(Strategy.ROUND_ROBIN, {"a": {"en": 1}, "b": {"en": 1}, "c": {"en": 1}})
    for agent in "abc":
        router.login(agent, 0.0)
    chosen = [serve(router, f"c{i}", 10.0 * i, talk_s=1.0) for i in range(1, 7)]
    assert chosen == ["a", "b", "c", "a", "b", "c"]


def test_linear_always_prefers_the_first_registered_agent() -> None:
    router = build(Strategy.LINEAR, {"a": {"en": 1}, "b": {"en": 1}})
    router.login("b", 0.0)
    router.login("a", 5.0)
    chosen = [serve(router, f"c{i}", 10.0 * i, talk_s=1.0) for i in range(1, 4)]
    assert chosen == ["a", "a", "a"]


def test_random_is_reproducible_with_a_seed_and_spreads_calls() -> None:
    def picks(seed: int) -> list[str]:
        router = build(Strategy.RANDOM, {x: {"en": 1} for x in "abcd"}, seed=seed)
        for agent in "abcd":
            router.login(agent, 0.0)
        return [serve(router, f"c{i}", 10.0 * i, talk_s=1.0) for i in range(1, 41)]

    assert picks(1) == picks(1)
    assert picks(1) != picks(2)
    assert set(picks(1)) == set("abcd")


def test_weighted_random_favours_higher_levels() -> None:
    router = build(Strategy.WEIGHTED_RANDOM, {"low": {"en": 1}, "high": {"en": 10}}, seed=3)
    router.login("low", 0.0)
    router.login("high", 0.0)
    chosen = [serve(router, f"c{i}", 10.0 * i, talk_s=1.0) for i in range(1, 401)]
    share_high = chosen.count("high") / len(chosen)
    assert 0.85 < share_high < 0.97  # expected 10/11 = 0.909


def test_agent_restricted_to_other_queues_is_not_chosen() -> None:
    router = Router([queue("support"), queue("sales")])
    router.add_agent("a", {}, queues=["sales"])
    router.add_agent("b", {})
    router.login("a", 0.0)
    router.login("b", 1.0)
    assert offers(router.enqueue(call("c1", "support"), 2.0)) == [("c1", "b")]
