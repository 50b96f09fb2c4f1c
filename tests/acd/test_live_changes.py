"""Skills, queue settings and rules change while calls wait: no reload, no lost place."""

from __future__ import annotations

from dataclasses import replace

from acd_helpers import call, offers, queue

from acd import ExpandSkills, Router, Strategy, requirement
from acd.testing import check_invariants


def test_raising_an_agents_level_lets_it_take_a_waiting_call_at_once() -> None:
    router = Router([queue("q", {"billing": 6})])
    router.add_agent("a", {"billing": 3, "en": 5})
    router.login("a", 0.0)
    router.enqueue(call("c1", "q"), 1.0)
    assert offers(router.set_agent_skills("a", {"billing": 6}, 2.0)) == [("c1", "a")]
    check_invariants(router)


def test_removing_a_skill_stops_offers_of_that_kind() -> None:
    router = Router([queue("q", {"billing": 1})])
    router.add_agent("a", {"billing": 3})
    router.add_agent("b", {"billing": 3})
    router.login("a", 0.0)
    router.set_agent_skills("a", {"sales": 3}, 1.0)
    router.login("b", 2.0)
    assert offers(router.enqueue(call("c1", "q"), 3.0)) == [("c1", "b")]


def test_changing_a_queue_requirement_rematches_waiting_calls_in_their_order() -> None:
    router = Router([queue("q", {"billing": 8})])
    router.add_agent("a", {"billing": 5})
    router.login("a", 0.0)
    router.enqueue(call("c1", "q"), 1.0)
    router.enqueue(call("c2", "q", priority=3), 2.0)
    settings = replace(router.queue_settings("q"), required=requirement({"billing": 5}))
    d = router.update_queue(settings, 3.0)
    assert offers(d) == [("c2", "a")]  # the higher-priority call first
    assert router.position("c1") == 1
    assert router.call_info("c1").enqueued_at == 1.0
    check_invariants(router)


def test_new_rules_apply_to_calls_already_waiting() -> None:
    router = Router([queue("q", {"billing": 8})])
    router.add_agent("a", {"billing": 5})
    router.login("a", 0.0)
    router.enqueue(call("c1", "q"), 0.0)
    router.advance(40.0)
    settings = replace(
        router.queue_settings("q"),
        rules=(ExpandSkills(30.0, lower_levels_by=3),),
        strategy=Strategy.MOST_SKILLED,
    )
    # The expansion's time has passed for c1: it applies at once.
    assert offers(router.update_queue(settings, 41.0)) == [("c1", "a")]


def test_restricting_an_agents_queues_takes_effect_on_the_next_decision() -> None:
    router = Router([queue("a"), queue("b")])
    router.add_agent("x", {})
    router.enqueue(call("c1", "a"), 0.0)
    router.login("x", 0.5, paused="break")
    router.set_agent_queues("x", ["b"], 1.0)
    assert offers(router.unpause("x", 2.0)) == []
    assert offers(router.set_agent_queues("x", None, 3.0)) == [("c1", "x")]
