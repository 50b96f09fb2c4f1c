"""Test helpers shipped with the package: state fingerprints and from-scratch reference answers.

Everything here is deliberately brute force (scans every agent and call) so that it can
check the router's indexed answers; never call it on a hot path.
"""

from __future__ import annotations

from acd.agents import AgentState
from acd.calls import Call, CallState
from acd.router import Router
from acd.skills import qualifies


def fingerprint(router: Router) -> tuple[object, ...]:
    """Everything observable about the router's state, for 'nothing changed' assertions."""
    agents = tuple(
        (
            a.id,
            a.state,
            a.state_since,
            a.pause_reason,
            a.pending_pause,
            a.call_id,
            tuple(sorted(a.skills.items())),
            a.queues,
            a.idle_since,
            a.calls_handled,
        )
        for a in router._agents.values()
    )
    calls = tuple(
        (
            c.id,
            c.queue,
            c.state,
            c.priority,
            c.enqueued_at,
            c.seq,
            c.alternatives,
            c.agent_id,
            c.next_rule,
            tuple(c.rules_fired),
        )
        for c in router._calls.values()
    )
    queues = tuple(
        (name, rt.settings, tuple(rt.waiting), rt.ringing, rt.connected)
        for name, rt in router._queues.items()
    )
    return (router.now, agents, calls, queues, router.next_deadline())


def qualified_idle_agents(router: Router, call_id: str) -> list[str]:
    """Idle agents who could take the call now, found by scanning every agent."""
    call = router._calls[call_id]
    return [
        a.id
        for a in router._agents.values()
        if a.state is AgentState.AVAILABLE
        and a.serves(call.queue)
        and a.id not in call.declined
        and any(qualifies(a.skills, r) for r in call.alternatives)
    ]


def call_order_key(router: Router, call: Call) -> tuple[int, int, float, int]:
    """The ordering rule: higher aged priority, then higher queue weight, then longer wait."""
    runtime = router._queues[call.queue]
    aged = runtime.aged_priority(call.priority, call.enqueued_at, router.now)
    return (-aged, -runtime.settings.weight, call.enqueued_at, call.seq)


def eligible_waiting_calls(router: Router, agent_id: str) -> list[Call]:
    """Waiting calls `agent_id` could take now, found by scanning every call."""
    agent = router._agents[agent_id]
    return [
        c
        for c in router._calls.values()
        if c.state is CallState.WAITING
        and agent.serves(c.queue)
        and agent_id not in c.declined
        and any(qualifies(agent.skills, r) for r in c.alternatives)
    ]


def best_call_for(router: Router, agent_id: str) -> str | None:
    """The waiting call `agent_id` should get by the ordering rule, found by scanning every call."""
    eligible = eligible_waiting_calls(router, agent_id)
    if not eligible:
        return None
    return min(eligible, key=lambda c: call_order_key(router, c)).id


def check_invariants(router: Router) -> None:
    """Raise AssertionError naming the first invariant the router's state breaks."""
    calls = router._calls
    holders: dict[str, str] = {}
    counts = dict.fromkeys(AgentState, 0)
    for agent in router._agents.values():
        counts[agent.state] += 1
        busy = agent.state in (AgentState.RESERVED, AgentState.ON_CALL)
        if busy != (agent.call_id is not None):
            raise AssertionError(f"agent {agent.id} is {agent.state} holding call {agent.call_id}")
        if agent.call_id is not None:
            if agent.call_id in holders:
                raise AssertionError(
                    f"call {agent.call_id} held by {holders[agent.call_id]} and {agent.id}"
                )
            holders[agent.call_id] = agent.id
            call = calls.get(agent.call_id)
            want = CallState.OFFERED if agent.state is AgentState.RESERVED else CallState.CONNECTED
            if call is None or call.state is not want or call.agent_id != agent.id:
                raise AssertionError(f"agent {agent.id} ({agent.state}) and its call disagree")
        if (agent.id in router._idle) != (agent.state is AgentState.AVAILABLE):
            raise AssertionError(f"idle index wrong for agent {agent.id} ({agent.state})")
        for skill in agent.skills:
            in_index = agent.id in router._idle_by_skill.get(skill, {})
            if in_index != (agent.state is AgentState.AVAILABLE):
                raise AssertionError(f"idle index for skill {skill} wrong for agent {agent.id}")
    restricted = sum(1 for a in router._idle.values() if a.queues is not None)
    if restricted != router._restricted_idle:
        raise AssertionError(f"restricted idle count {router._restricted_idle} != {restricted}")
    pools = [("(all)", router._idle)] + [
        (skill, pool)
        for skill, pool in router._idle_by_skill.items()
        if skill not in router._unordered_pools
    ]
    for name, pool in pools:
        seqs = [a.idle_seq for a in pool.values()]
        if seqs != sorted(seqs):
            raise AssertionError(f"idle pool {name} is not in the order agents became available")
    if counts != router.agent_state_counts():
        raise AssertionError(f"agent state counts {router.agent_state_counts()} != {counts}")
    in_line = sum(len(rt.waiting) for rt in router._queues.values())
    if in_line != router._in_line:
        raise AssertionError(f"calls in line counted {router._in_line}, found {in_line}")
    for group in router._groups.values():
        above = [p for p, heap in enumerate(group.levels) if heap and p > group.top]
        if above:
            raise AssertionError(f"wait group {group.required}: levels {above} above top")
    for call in calls.values():
        places = [name for name, rt in router._queues.items() if call.id in rt.waiting]
        if call.state is CallState.WAITING:
            if places != [call.queue]:
                raise AssertionError(f"waiting call {call.id} is in queues {places}")
            idle = qualified_idle_agents(router, call.id)
            if idle:
                raise AssertionError(f"call {call.id} waits while {idle} are idle and qualified")
        else:
            if places:
                raise AssertionError(f"{call.state.value} call {call.id} still in line in {places}")
            if holders.get(call.id) != call.agent_id:
                raise AssertionError(f"call {call.id} ({call.state}) not held by its agent")
    for name in router.queue_names():
        snap = router.queue_snapshot(name)
        mine = [c for c in calls.values() if c.queue == name]
        expected = (
            sum(c.state is CallState.WAITING for c in mine),
            sum(c.state is CallState.OFFERED for c in mine),
            sum(c.state is CallState.CONNECTED for c in mine),
        )
        if (snap.waiting, snap.ringing, snap.connected) != expected:
            raise AssertionError(f"queue {name}: snapshot call counts {snap} != {expected}")
        oldest = min((c.enqueued_at for c in mine if c.state is CallState.WAITING), default=None)
        longest = 0.0 if oldest is None else router.now - oldest
        if abs(snap.longest_wait_s - longest) > 1e-9:
            raise AssertionError(f"queue {name}: longest wait {snap.longest_wait_s} != {longest}")
        settings = router.queue_settings(name)
        by_state = dict.fromkeys(AgentState, 0)
        for agent in router._agents.values():
            if agent.serves(name) and qualifies(agent.skills, settings.required):
                by_state[agent.state] += 1
        if snap.agents != by_state:
            raise AssertionError(f"queue {name}: snapshot agents {snap.agents} != {by_state}")
