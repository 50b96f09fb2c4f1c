"""The timer store: FIFO lanes plus a general heap must pop in deadline order, always."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from acd.agents import Agent
from acd.timers import TimerKind, Timers

pushes = st.lists(
    st.tuples(
        st.floats(0, 100, allow_nan=False), st.sampled_from([None, ("q", 0), ("q", 1), ("r", 0)])
    ),
    max_size=60,
)


@given(pushes, st.lists(st.booleans(), max_size=60))
def test_pops_come_out_in_deadline_then_push_order(
    items: list[tuple[float, tuple[str, int] | None]], pop_between: list[bool]
) -> None:
    timers = Timers()
    agent = Agent("a", "a", {})
    popped: list[tuple[float, int]] = []
    pushed: list[tuple[float, int]] = []
    for index, (deadline, lane) in enumerate(items):
        timers.push(deadline, TimerKind.RULE, agent, index, lane=lane)
        pushed.append((deadline, index))
        if index < len(pop_between) and pop_between[index]:
            head = timers.peek()
            assert head is not None
            entry = timers.pop()
            assert entry is head
            # Nothing still stored may be earlier than what was just taken.
            remaining_min = min(
                (p for p in pushed if p not in popped and p != (entry[0], entry[4])), default=None
            )
            assert remaining_min is None or (entry[0], entry[1]) <= (remaining_min[0], 10**9)
            assert remaining_min is None or entry[0] <= remaining_min[0]
            popped.append((entry[0], entry[4]))
    rest = []
    while timers.peek() is not None:
        entry = timers.pop()
        rest.append((entry[0], entry[4]))
    assert rest == sorted(rest, key=lambda p: p[0])
    assert sorted(popped + rest) == sorted(pushed)
    assert len(timers) == 0
