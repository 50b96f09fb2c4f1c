"""Property tests: random event sequences, with the router's state checked from scratch after
every step (acd.testing.check_invariants), and every offer checked against the rules:

- no agent holds two offers or calls; every call is in exactly one place;
- no call is offered to an agent lacking a required skill at the level in force then;
- an agent who comes free gets the best call by the ordering rule among those it can take;
- an arriving call goes to a qualified idle agent, the longest idle one under longest-idle;
- snapshot counts equal counts derived from scratch; a refused event changes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from acd import (
    AgentState,
    CallRequest,
    CallState,
    ExpandSkills,
    Offer,
    OverflowRule,
    OverflowTarget,
    QueueSettings,
    RaisePriority,
    RonaAction,
    Router,
    Strategy,
    Trigger,
    requirement,
)
from acd.decisions import Decision
from acd.errors import AcdError
from acd.skills import qualifies
from acd.testing import call_order_key, check_invariants, eligible_waiting_calls, fingerprint

SKILLS = ("s0", "s1", "s2")
AGENTS = tuple(f"a{i}" for i in range(6))
CALLERS = ("555-1", "555-2", "555-3", None)

QUEUES = (
    QueueSettings(
        "q0",
        required=requirement({"s0": 5}),
        strategy=Strategy.LONGEST_IDLE,
        wrap_up_s=5.0,
        ring_timeout_s=10.0,
        aging_step=1,
        aging_interval_s=30.0,
        rules=(ExpandSkills(20.0, lower_levels_by=3), RaisePriority(40.0, 2)),
    ),
    QueueSettings(
        "q1",
        required=requirement({"s1": 4, "s2": 1}),
        strategy=Strategy.MOST_SKILLED,
        weight=2,
        ring_timeout_s=8.0,
        rona_action=RonaAction.AVAILABLE,
        retry_s=5.0,
        rules=(
            ExpandSkills(15.0, add_alternatives=(requirement({"s0": 2}),)),
            OverflowRule(50.0, OverflowTarget.QUEUE, "q0"),
        ),
    ),
    QueueSettings(
        "q2",
        strategy=Strategy.ROUND_ROBIN,
        weight=1,
        wrap_up_s=3.0,
        max_wait_s=80.0,
        resume_window_s=30.0,
    ),
)

skill_sets = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 10), max_size=3)
dt = st.floats(0.0, 12.0, allow_nan=False)


class RoutingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.router = Router(QUEUES, seed=11)
        self.now = 0.0
        self.next_call = 0

    @initialize(skills=st.lists(skill_sets, min_size=len(AGENTS), max_size=len(AGENTS)))
    def add_agents(self, skills: list[dict[str, int]]) -> None:
        for agent_id, agent_skills in zip(AGENTS, skills, strict=True):
            # Everyone gets a little of s0 so that no call is refused as unservable.
            self.router.add_agent(agent_id, {"s0": 1, **agent_skills})

    # ------------------------------------------------------------ helpers

    def _tick(self, delta: float) -> float:
        self.now += delta
        return self.now

    def _attempt(self, action: object, *args: object) -> list[Decision] | None:
        """Run a router call; a refused one must leave the state exactly as it was."""
        before = fingerprint(self.router)
        try:
            decisions: list[Decision] = action(*args)  # type: ignore[operator]
        except AcdError:
            assert fingerprint(self.router) == before, "a refused event changed the router"
            return None
        self._check_offers(decisions)
        return decisions

    def _check_offers(self, decisions: list[Decision]) -> None:
        holders: dict[str, str] = {}
        for d in decisions:
            if not isinstance(d, Offer):
                continue
            assert d.agent_id not in holders.values(), f"{d.agent_id} offered two calls at once"
            holders[d.call_id] = d.agent_id
            info = self.router.call_info(d.call_id)
            skills = dict(self.router.agent_info(d.agent_id).skills)
            assert d.why.required in info.required, "offer justified by a requirement not in force"
            assert qualifies(skills, d.why.required), (
                f"{d.call_id} offered to {d.agent_id} ({skills}) lacking {d.why.required}"
            )

    def _calls(self, state: CallState | None = None) -> list[str]:
        ids = sorted(self.router.call_ids())
        if state is None:
            return ids
        return [c for c in ids if self.router.call_info(c).state is state]

    def _agents(self, *states: AgentState) -> list[str]:
        return [a for a in AGENTS if self.router.agent_info(a).state in states]

    def _check_agent_got_best_call(self, agent_id: str, decisions: list[Decision] | None) -> None:
        """After an event that freed only `agent_id`: it got the best call it could take."""
        if decisions is None:
            return
        given = [d for d in decisions if isinstance(d, Offer)]
        router = self.router
        remaining = eligible_waiting_calls(router, agent_id)
        if not given:
            assert router.agent_info(agent_id).state is not AgentState.AVAILABLE or not remaining
            return
        [offer] = given
        assert offer.agent_id == agent_id
        got = router._calls[offer.call_id]
        for other in remaining:
            assert call_order_key(router, got) < call_order_key(router, other), (
                f"{agent_id} got {got.id} but {other.id} ranks higher"
            )

    # ------------------------------------------------------------ calls

    @rule(
        queue=st.sampled_from(("q0", "q1", "q2")),
        priority=st.integers(0, 9),
        caller=st.sampled_from(CALLERS),
        delta=dt,
    )
    def enqueue(self, queue: str, priority: int, caller: str | None, delta: float) -> None:
        self.next_call += 1
        now = self._tick(delta)
        idle_before = {
            a: self.router.agent_info(a).state_since for a in self._agents(AgentState.AVAILABLE)
        }
        request = CallRequest(f"c{self.next_call}", queue, priority, caller=caller)
        decisions = self._attempt(self.router.enqueue, request, now)
        assert decisions is not None
        for offer in (d for d in decisions if isinstance(d, Offer)):
            assert offer.why.trigger is Trigger.CALL_QUEUED
            assert offer.agent_id in idle_before
            if queue == "q0":
                qualified = [
                    a
                    for a in idle_before
                    if qualifies(dict(self.router.agent_info(a).skills), offer.why.required)
                ]
                assert idle_before[offer.agent_id] == min(idle_before[a] for a in qualified)

    @precondition(lambda self: any(True for _ in self.router.call_ids()))
    @rule(
        data=st.data(), action=st.sampled_from(("answer", "reject", "abandon", "hangup")), delta=dt
    )
    def act_on_call(self, data: st.DataObject, action: str, delta: float) -> None:
        call_id = data.draw(st.sampled_from(self._calls()))
        self._attempt(getattr(self.router, action), call_id, self._tick(delta))

    @precondition(lambda self: any(True for _ in self.router.call_ids()))
    @rule(data=st.data(), priority=st.integers(0, 9), delta=dt)
    def supervisor(self, data: st.DataObject, priority: int, delta: float) -> None:
        call_id = data.draw(st.sampled_from(self._calls()))
        now = self._tick(delta)
        if data.draw(st.booleans()):
            self._attempt(self.router.set_priority, call_id, priority, now)
        else:
            self._attempt(
                self.router.move_call, call_id, data.draw(st.sampled_from(("q0", "q2"))), now
            )

    # ------------------------------------------------------------ agents

    @rule(agent=st.sampled_from(AGENTS), delta=dt)
    def login(self, agent: str, delta: float) -> None:
        self._check_agent_got_best_call(
            agent, self._attempt(self.router.login, agent, self._tick(delta))
        )

    @rule(agent=st.sampled_from(AGENTS), delta=dt)
    def logout(self, agent: str, delta: float) -> None:
        self._attempt(self.router.logout, agent, self._tick(delta))

    @rule(agent=st.sampled_from(AGENTS), reason=st.sampled_from(("break", "lunch")), delta=dt)
    def pause(self, agent: str, reason: str, delta: float) -> None:
        self._attempt(self.router.pause, agent, reason, self._tick(delta))

    @rule(agent=st.sampled_from(AGENTS), delta=dt)
    def unpause(self, agent: str, delta: float) -> None:
        was_paused = self.router.agent_info(agent).state is AgentState.PAUSED
        decisions = self._attempt(self.router.unpause, agent, self._tick(delta))
        if was_paused:
            self._check_agent_got_best_call(agent, decisions)

    @rule(agent=st.sampled_from(AGENTS), delta=dt)
    def end_wrap_up(self, agent: str, delta: float) -> None:
        decisions = self._attempt(self.router.end_wrap_up, agent, self._tick(delta))
        self._check_agent_got_best_call(agent, decisions)

    @rule(agent=st.sampled_from(AGENTS), skills=skill_sets, delta=dt)
    def change_skills(self, agent: str, skills: dict[str, int], delta: float) -> None:
        decisions = self._attempt(
            self.router.set_agent_skills, agent, {"s0": 1, **skills}, self._tick(delta)
        )
        if self.router.agent_info(agent).state in (AgentState.AVAILABLE, AgentState.RESERVED):
            self._check_agent_got_best_call(agent, decisions)

    @rule(level=st.integers(1, 10), delta=dt)
    def change_queue(self, level: int, delta: float) -> None:
        settings = self.router.queue_settings("q0")
        updated = replace(settings, required=requirement({"s0": level}))
        self._attempt(self.router.update_queue, updated, self._tick(delta))

    # ------------------------------------------------------------ time

    @rule(delta=dt)
    def advance(self, delta: float) -> None:
        self._attempt(self.router.advance, self._tick(delta))

    @precondition(lambda self: self.router.next_deadline() is not None)
    @rule()
    def advance_to_next_deadline(self) -> None:
        deadline = self.router.next_deadline()
        assert deadline is not None
        self.now = max(self.now, deadline)
        self._attempt(self.router.advance, self.now)

    @invariant()
    def state_is_consistent(self) -> None:
        check_invariants(self.router)


RoutingMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRouting = RoutingMachine.TestCase
