"""Time-based rules: skill expansion, priority raise, overflow, maximum wait."""

from __future__ import annotations

from acd_helpers import call, offers, queue

from acd import (
    CallState,
    ExpandSkills,
    Expired,
    Overflow,
    OverflowRule,
    OverflowTarget,
    RaisePriority,
    Router,
    RuleApplied,
    requirement,
)


def test_skill_expansion_lowers_levels_after_the_wait_and_offers_at_once() -> None:
    router = Router([queue(skills={"billing": 8}, rules=(ExpandSkills(30.0, lower_levels_by=4),))])
    router.add_agent("junior", {"billing": 5})
    router.login("junior", 0.0)
    assert offers(router.enqueue(call("c1"), 0.0)) == []
    assert router.next_deadline() == 30.0
    assert router.advance(29.9) == []
    d = router.advance(30.0)
    rule = next(x for x in d if isinstance(x, RuleApplied))
    assert rule.rule == "expand@30s(levels-4)"
    assert offers(d) == [("c1", "junior")]
    offer = d[-2]
    assert offer.why.rules_fired == ("expand@30s(levels-4)",)  # type: ignore[union-attr]
    assert [(n.skill, n.min_level) for n in offer.why.required] == [("billing", 4)]  # type: ignore[union-attr]


def test_skill_expansion_adds_an_alternative_skill() -> None:
    spanish = requirement({"spanish": 1})
    router = Router(
        [queue(skills={"english": 5}, rules=(ExpandSkills(20.0, add_alternatives=(spanish,)),))]
    )
    router.add_agent("es", {"spanish": 3})
    router.login("es", 0.0)
    router.enqueue(call("c1"), 0.0)
    assert router.call_info("c1").state is CallState.WAITING
    assert offers(router.advance(20.0)) == [("c1", "es")]


def test_expansion_reaches_agents_who_come_free_later() -> None:
    router = Router([queue(skills={"billing": 8}, rules=(ExpandSkills(30.0, lower_levels_by=4),))])
    router.add_agent("junior", {"billing": 5})
    router.enqueue(call("c1"), 0.0)
    router.advance(30.0)
    assert offers(router.login("junior", 40.0)) == [("c1", "junior")]


def test_raise_priority_rule_moves_a_call_ahead() -> None:
    router = Router([queue(rules=(RaisePriority(60.0, by=3),))])
    router.add_agent("a", {})
    router.enqueue(call("old", priority=0), 0.0)
    router.enqueue(call("mid", priority=2), 10.0)
    d = router.advance(60.0)
    assert [x.priority for x in d if isinstance(x, RuleApplied)] == [3]
    assert router.call_info("old").priority == 3
    assert offers(router.login("a", 65.0)) == [("old", "a")]


def test_raise_priority_caps_at_nine() -> None:
    router = Router([queue(rules=(RaisePriority(1.0, by=5),))])
    router.add_agent("a", {})
    router.enqueue(call("c", priority=8), 0.0)
    router.advance(1.0)
    assert router.call_info("c").priority == 9


def test_overflow_to_another_queue_keeps_the_original_wait() -> None:
    router = Router(
        [
            queue("tier1", {"t1": 1}, rules=(OverflowRule(45.0, OverflowTarget.QUEUE, "tier2"),)),
            queue("tier2", {"t2": 1}),
        ]
    )
    router.add_agent("x", {"t1": 1})
    router.add_agent("y", {"t2": 1})
    router.enqueue(call("c1", "tier1"), 0.0)
    router.enqueue(call("waiting-in-tier2", "tier2"), 10.0)
    d = router.advance(45.0)
    [over] = [x for x in d if isinstance(x, Overflow)]
    assert (over.from_queue, over.to_queue, over.target) == ("tier1", "tier2", OverflowTarget.QUEUE)
    assert over.waited_s == 45.0
    assert router.call_info("c1").queue == "tier2"
    # It arrived at t=0, before the tier2 call (t=10): it is served first.
    assert offers(router.login("y", 50.0)) == [("c1", "y")]


def test_overflow_to_voicemail_removes_the_call() -> None:
    router = Router([queue(rules=(OverflowRule(120.0, OverflowTarget.VOICEMAIL),))])
    router.add_agent("a", {})
    router.enqueue(call("c1"), 0.0)
    d = router.advance(200.0)
    assert [(x.call_id, x.target) for x in d if isinstance(x, Overflow)] == [
        ("c1", OverflowTarget.VOICEMAIL)
    ]
    assert list(router.call_ids()) == []
    assert router.queue_snapshot("support").waiting == 0


def test_max_wait_expires_the_call() -> None:
    router = Router([queue(max_wait_s=300.0)])
    router.add_agent("a", {})
    router.enqueue(call("c1"), 5.0)
    assert router.next_deadline() == 305.0
    d = router.advance(305.0)
    assert [(x.call_id, x.waited_s) for x in d if isinstance(x, Expired)] == [("c1", 300.0)]
    assert offers(router.login("a", 306.0)) == []


def test_rules_do_not_fire_for_calls_that_were_answered() -> None:
    router = Router([queue(max_wait_s=60.0, rules=(RaisePriority(30.0),))])
    router.add_agent("a", {})
    router.login("a", 0.0)
    router.enqueue(call("c1"), 0.0)
    router.answer("c1", 2.0)
    assert router.advance(100.0) == []
    assert router.next_deadline() is None


def test_rule_timing_restarts_in_the_overflow_queue() -> None:
    router = Router(
        [
            queue("a", rules=(OverflowRule(30.0, OverflowTarget.QUEUE, "b"),)),
            queue("b", rules=(OverflowRule(30.0, OverflowTarget.CALLBACK),)),
        ]
    )
    router.add_agent("x", {})
    router.enqueue(call("c1", "a"), 0.0)
    router.advance(30.0)
    assert router.next_deadline() == 60.0
    d = router.advance(60.0)
    assert [(x.from_queue, x.target) for x in d if isinstance(x, Overflow)] == [
        ("b", OverflowTarget.CALLBACK)
    ]
