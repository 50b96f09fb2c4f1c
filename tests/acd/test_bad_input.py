"""Bad input: a typed error naming the thing and the value, and the router unchanged."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from acd_helpers import call, queue, staffed

from acd import (
    CallRequest,
    ExpandSkills,
    OverflowRule,
    OverflowTarget,
    QueueSettings,
    RaisePriority,
    Router,
    SkillLevel,
)
from acd.errors import (
    AcdError,
    CallStateError,
    DuplicateIdError,
    InvalidTimeError,
    InvalidValueError,
    UnknownAgentError,
    UnknownCallError,
    UnknownQueueError,
    UnknownSkillError,
)
from acd.testing import fingerprint


@pytest.fixture
def router() -> Router:
    r = staffed([queue("q", {"en": 2}, wrap_up_s=5.0)], {"a": {"en": 5}, "b": {"en": 5}})
    r.enqueue(call("c1", "q"), 1.0)
    r.enqueue(call("c2", "q"), 2.0)
    r.enqueue(call("c3", "q"), 3.0)
    r.answer("c1", 4.0)
    return r


CASES: list[tuple[str, type[AcdError], Callable[[Router], object], str]] = [
    ("unknown agent", UnknownAgentError, lambda r: r.pause("nobody", "break", 5.0), "nobody"),
    ("unknown queue", UnknownQueueError, lambda r: r.enqueue(call("x", "nowhere"), 5.0), "nowhere"),
    ("unknown call", UnknownCallError, lambda r: r.answer("ghost", 5.0), "ghost"),
    ("duplicate call", DuplicateIdError, lambda r: r.enqueue(call("c3", "q"), 5.0), "c3"),
    ("duplicate agent", DuplicateIdError, lambda r: r.add_agent("a", {}), "'a'"),
    ("level 11", InvalidValueError, lambda r: r.set_agent_skills("a", {"en": 11}, 5.0), "11"),
    ("level 0", InvalidValueError, lambda r: r.add_agent("z", {"en": 0}), "0"),
    (
        "call level 12",
        InvalidValueError,
        lambda r: r.enqueue(CallRequest("x", "q", required=((SkillLevel("en", 12),),)), 5.0),
        "12",
    ),
    ("priority 10", InvalidValueError, lambda r: r.enqueue(call("x", "q", priority=10), 5.0), "10"),
    ("negative time", InvalidTimeError, lambda r: r.advance(-1.0), "-1.0"),
    ("nan time", InvalidTimeError, lambda r: r.advance(math.nan), "nan"),
    ("time backwards", InvalidTimeError, lambda r: r.enqueue(call("x", "q"), 3.5), "3.5"),
    (
        "skill nobody has",
        UnknownSkillError,
        lambda r: r.enqueue(CallRequest("x", "q", required=((SkillLevel("klingon", 1),),)), 5.0),
        "klingon",
    ),
    ("answer twice", CallStateError, lambda r: r.answer("c1", 5.0), "c1"),
    ("end a waiting call", CallStateError, lambda r: r.end_call("c3", 5.0), "c3"),
    ("abandon a connected call", CallStateError, lambda r: r.abandon("c1", 5.0), "c1"),
    ("move to same queue", InvalidValueError, lambda r: r.move_call("c3", "q", 5.0), "q"),
    ("empty pause reason", InvalidValueError, lambda r: r.pause("a", "", 5.0), "reason"),
    ("negative extension", InvalidValueError, lambda r: r.extend_wrap_up("a", -3.0, 5.0), "-3.0"),
    ("duplicate queue", DuplicateIdError, lambda r: r.add_queue(QueueSettings("q")), "'q'"),
    (
        "overflow to unknown queue",
        UnknownQueueError,
        lambda r: r.add_queue(
            QueueSettings("new", rules=(OverflowRule(5.0, OverflowTarget.QUEUE, "missing"),))
        ),
        "missing",
    ),
    (
        "rules out of order",
        InvalidValueError,
        lambda r: r.add_queue(
            QueueSettings("new", rules=(RaisePriority(50.0), RaisePriority(10.0)))
        ),
        "rules[1]",
    ),
    (
        "negative wrap-up",
        InvalidValueError,
        lambda r: r.add_queue(QueueSettings("new", wrap_up_s=-5.0)),
        "wrap_up_s",
    ),
    (
        "negative lowering",
        InvalidValueError,
        lambda r: r.add_queue(QueueSettings("new", rules=(ExpandSkills(1.0, lower_levels_by=-1),))),
        "lower_levels_by",
    ),
]


@pytest.mark.parametrize(("label", "error", "action", "named"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_typed_error_and_changes_nothing(
    router: Router,
    label: str,
    error: type[AcdError],
    action: Callable[[Router], object],
    named: str,
) -> None:
    before = fingerprint(router)
    with pytest.raises(error) as raised:
        action(router)
    assert named in str(raised.value), f"{label}: message {raised.value!s} does not name {named}"
    assert fingerprint(router) == before


def test_router_works_normally_after_errors(router: Router) -> None:
    for _, error, action, _ in CASES:
        with pytest.raises(error):
            action(router)
    router.end_call("c1", 10.0)
    assert router.advance(15.0)  # wrap-up ends, c3 offered
    assert router.call_info("c3").agent_id == "a"
