"""Which call an agent gets: priority, aging, queue weight, then the longest wait."""

from __future__ import annotations

from acd_helpers import call, offers, queue, staffed

from acd import Router


def free_agent(router: Router, agent: str, now: float) -> list[tuple[str, str]]:
    return offers(router.login(agent, now))


def test_higher_priority_first_then_longest_wait() -> None:
    router = Router([queue()])
    router.add_agent("a", {})
    router.enqueue(call("old-normal", priority=0), 0.0)
    router.enqueue(call("older-vip", priority=5), 0.5)
    router.enqueue(call("vip", priority=5), 1.0)
    router.enqueue(call("new-normal", priority=0), 2.0)
    assert free_agent(router, "a", 3.0) == [("older-vip", "a")]
    router.answer("older-vip", 3.0)
    router.end_call("older-vip", 4.0)
    got = [offers(router.advance(4.0))]
    assert got == [[]]  # wrap-up 0 already re-offered inside end_call
    assert router.call_info("vip").agent_id == "a"


def test_fifo_among_equal_priority() -> None:
    router = staffed([queue(wrap_up_s=0)], {})
    router.add_agent("a", {})
    for i in range(5):
        router.enqueue(call(f"c{i}"), float(i))
    served = []
    d = router.login("a", 10.0)
    for step in range(5):
        [(call_id, _)] = offers(d)
        served.append(call_id)
        router.answer(call_id, 10.0 + step)
        d = router.end_call(call_id, 10.5 + step)
    assert served == ["c0", "c1", "c2", "c3", "c4"]


def test_priority_aging_lets_an_old_low_priority_call_overtake() -> None:
    router = Router([queue(aging_step=1, aging_interval_s=60.0)])
    router.add_agent("a", {})
    router.enqueue(call("low", priority=1), 0.0)
    router.enqueue(call("high", priority=3), 100.0)
    # At t=100 the low call has aged one step (60 s) to 2; at t=130, two steps to 3, which
    # ties with high: it has waited longer, so it goes first.
    assert router.call_info("low").aged_priority == 2
    assert free_agent(router, "a", 130.0) == [("low", "a")]


def test_aging_not_enough_yet_keeps_priority_order() -> None:
    router = Router([queue(aging_step=1, aging_interval_s=60.0)])
    router.add_agent("a", {})
    router.enqueue(call("low", priority=1), 0.0)
    router.enqueue(call("high", priority=3), 100.0)
    assert free_agent(router, "a", 119.0) == [("high", "a")]


def test_queue_weight_decides_between_equal_priority_calls_across_queues() -> None:
    router = Router([queue("sales", weight=5), queue("support", weight=1)])
    router.add_agent("a", {})
    router.enqueue(call("support-call", "support"), 0.0)
    router.enqueue(call("sales-call", "sales"), 10.0)
    assert free_agent(router, "a", 20.0) == [("sales-call", "a")]


def test_priority_beats_weight() -> None:
    router = Router([queue("sales", weight=5), queue("support", weight=1)])
    router.add_agent("a", {})
    router.enqueue(call("sales-call", "sales"), 0.0)
    router.enqueue(call("support-vip", "support", priority=2), 5.0)
    assert free_agent(router, "a", 20.0) == [("support-vip", "a")]


def test_agent_only_gets_calls_whose_skill_levels_it_meets() -> None:
    router = Router([queue("billing", {"billing": 7}), queue("general", {"billing": 1})])
    router.add_agent("junior", {"billing": 4})
    router.enqueue(call("hard", "billing"), 0.0)
    router.enqueue(call("easy", "general"), 5.0)
    assert free_agent(router, "junior", 6.0) == [("easy", "junior")]


def test_why_explains_an_agent_side_match() -> None:
    router = Router([queue("q", {"en": 2})])
    router.add_agent("a", {"en": 5}, display_id="1007")
    router.enqueue(call("c1", "q", priority=1), 0.0)
    router.enqueue(call("c2", "q"), 1.0)
    d = router.login("a", 4.0)
    offer = next(x for x in d if hasattr(x, "why"))
    assert offer.display_id == "1007"
    assert offer.why.trigger.value == "agent-available"
    assert offer.why.waited_s == 4.0 and offer.why.aged_priority == 1
    assert offer.why.competing_calls == 1  # one group head compared
    assert [(n.skill, n.min_level) for n in offer.why.required] == [("en", 2)]
