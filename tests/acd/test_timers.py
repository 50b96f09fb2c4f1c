"""The timer store: FIFO lanes plus a general heap must pop in deadline order, always."""

from __future__ import annotations

from hypothesis import given, strategies as st

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


operations = st.lists(
    st.tuples(
        st.sampled_from(["push", "push", "pop", "retract"]),
        st.floats(0, 100, allow_nan=False),
        st.sampled_from([None, ("q", 0), ("q", 1)]),
        st.sampled_from([0, 1]),
        st.sampled_from([TimerKind.RING_TIMEOUT, TimerKind.RULE]),
    ),
    max_size=80,
)


@given(operations)
def test_retracting_the_newest_of_a_lane_keeps_every_other_deadline_in_order(
    ops: list[tuple[str, float, tuple[str, int] | None, int, TimerKind]],
) -> None:
    # Reference model: where each entry sits (its lane, or the general heap), as documented.
    agents = [Agent("a", "a", {}), Agent("b", "b", {})]
    timers = Timers()
    lanes: dict[tuple[str, int], list[tuple[float, int, TimerKind, int]]] = {}
    general: list[tuple[float, int, TimerKind, int]] = []
    seq = 0
    for op, deadline, lane, who, kind in ops:
        if op == "push":
            seq += 1
            timers.push(deadline, kind, agents[who], seq, lane=lane)
            entry = (deadline, seq, kind, who)
            if lane is not None and (not lanes.get(lane) or deadline >= lanes[lane][-1][0]):
                lanes.setdefault(lane, []).append(entry)
            else:
                general.append(entry)
        elif op == "retract" and lane is not None:
            timers.retract_newest(lane, kind, agents[who])
            queue = lanes.get(lane)
            if queue and queue[-1][3] == who and queue[-1][2] is kind:
                queue.pop()
        elif op == "pop":
            stored = general + [e for q in lanes.values() for e in q]
            head = timers.peek()
            if not stored:
                assert head is None
                continue
            expected = min(stored)
            assert head is not None and (head[0], head[4]) == (expected[0], expected[1])
            assert timers.pop() is head
            for queue in [general, *lanes.values()]:
                if expected in queue:
                    queue.remove(expected)
    left = sorted(general + [e for q in lanes.values() for e in q])
    assert len(timers) == len(left)
    drained = []
    while timers.peek() is not None:
        entry = timers.pop()
        drained.append((entry[0], entry[4]))
    assert drained == [(e[0], e[1]) for e in left]
