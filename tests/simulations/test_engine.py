"""The simulation engine: exact results on hand-checked tiny runs, conservation and
reproducibility on the scripted busy hour, and agent time accounting."""

from __future__ import annotations

import math

import numpy as np
import pytest

from acd import AgentState, QueueSettings, Router
from cdr.kpis import CallTally
from simulations import busy_hour
from simulations.engine import Simulation, SimulationResult
from simulations.model import Shift, SimAgent, SimCall


def total(result: SimulationResult) -> CallTally:
    tally = CallTally()
    for part in result.stats.calls.values():
        tally.merge(part)
    return tally


def one_agent_run(
    calls: list[SimCall], *, warmup_s: float = 0.0, rona: float = 0.0
) -> SimulationResult:
    router = Router([QueueSettings("q", sl_target_s=20.0, wrap_up_s=10.0, ring_timeout_s=5.0)])
    agent = SimAgent("a", "team", {}, (Shift(0.0, 1000.0),), rona_probability=rona)
    return Simulation(
        router,
        [agent],
        iter(calls),
        horizon_s=1000.0,
        interval_s=100.0,
        rng=np.random.default_rng(0),
        warmup_s=warmup_s,
    ).run()


def test_hand_checked_waits_service_level_and_wrap_up() -> None:
    # c1 arrives at 0 s, talks 30 s, wrap-up to 40 s. c2 arrives at 5 s, waits 35 s (misses
    # the 20 s target), talks to 60 s, wrap-up to 70 s. c3 arrives at 75 s: answered at once,
    # talks 50 s. c4 arrives at 80 s and gives up after 10 s.
    calls = [
        SimCall("c1", 0, "q", 0, 0.0, 30.0),
        SimCall("c2", 0, "q", 0, 5.0, 20.0),
        SimCall("c3", 0, "q", 0, 75.0, 50.0, patience_s=100.0),
        SimCall("c4", 0, "q", 0, 80.0, 50.0, patience_s=10.0),
    ]
    t = total(one_agent_run(calls))
    assert (t.offered, t.answered, t.abandoned, t.short_abandoned) == (4, 3, 1, 0)
    assert t.answered_within_target == 2  # c1 and c3
    assert t.delayed == 2  # c2 and c4 found the agent busy
    assert t.wait_answered_s == pytest.approx(35.0)
    assert t.wait_all_s - t.wait_answered_s == pytest.approx(10.0)  # c4 abandoned
    assert t.talk_s == pytest.approx(100.0)
    assert t.wrap_up_s == pytest.approx(30.0)
    assert t.max_wait_s == pytest.approx(35.0)


def test_threshold_edges_follow_the_cdr_definitions() -> None:
    # As in cdr.kpis (and the reports' SQL): answered within T means a wait <= T, a short
    # abandon a wait < the threshold (5 s). c1 talks 20 s, wrap-up to 30 s; c2 arrives at
    # 10 s and is answered at 30 s, a wait of exactly T = 20 s; c3 gives up after exactly
    # 5 s (not short), c4 after 4.99 s (short).
    calls = [
        SimCall("c1", 0, "q", 0, 0.0, 20.0),
        SimCall("c2", 0, "q", 0, 10.0, 5.0),
        SimCall("c3", 0, "q", 0, 12.0, 5.0, patience_s=5.0),
        SimCall("c4", 0, "q", 0, 13.0, 5.0, patience_s=4.99),
    ]
    t = total(one_agent_run(calls))
    assert (t.answered, t.answered_within_target) == (2, 2)
    assert t.wait_answered_s == 20.0
    assert (t.abandoned, t.short_abandoned) == (2, 1)


def test_calls_count_in_their_arrival_interval_and_warm_up_is_excluded() -> None:
    calls = [SimCall(f"c{i}", 0, "q", 0, 50.0 * i, 1.0) for i in range(6)]
    result = one_agent_run(calls, warmup_s=100.0)
    intervals = sorted(k[0] for k in result.stats.calls)
    assert intervals == [1, 2]  # arrivals at 100/150 and 200/250; 0 and 50 were warm-up
    assert total(result).offered == 4


def test_an_agent_who_never_answers_makes_every_offer_ring_out() -> None:
    calls = [SimCall("c1", 0, "q", 0, 0.0, 10.0, patience_s=12.0)]
    t = total(one_agent_run(calls, rona=1.0))
    # Rang 5 s, RONA pauses the only agent; the caller gives up at 12 s.
    assert (t.ring_no_answer, t.answered, t.abandoned) == (1, 0, 1)


def test_busy_hour_conserves_calls_and_is_reproducible() -> None:
    def run(seed: int) -> SimulationResult:
        rng = np.random.default_rng(seed)
        router = Router(busy_hour.QUEUES, seed=seed)
        return Simulation(
            router,
            busy_hour.agents(),
            busy_hour.calls(rng),
            horizon_s=busy_hour.HOUR_S,
            interval_s=900.0,
            rng=rng,
        ).run()

    first, again, other = run(3), run(3), run(4)
    t = total(first)
    assert t.offered == first.stats.calls_simulated > 300
    # Every call ends one way: answered, abandoned, overflowed/expired (overflow to another
    # queue keeps the call counted once, in the queue it arrived at).
    ended = t.answered + t.abandoned + t.expired
    voicemail_or_moved = t.overflowed
    assert ended <= t.offered <= ended + voicemail_or_moved
    assert first.stats.calls == again.stats.calls
    assert first.stats.agents == again.stats.agents
    assert first.stats.calls != other.stats.calls
    assert max(first.stats.max_waiting.values()) > 0


def test_agent_time_adds_up_to_the_shifts() -> None:
    rng = np.random.default_rng(5)
    router = Router(busy_hour.QUEUES, seed=5)
    roster = busy_hour.agents()
    result = Simulation(
        router, roster, busy_hour.calls(rng), horizon_s=3600.0, interval_s=900.0, rng=rng
    ).run()
    logged_in = sum(
        seconds
        for tally in result.stats.agents.values()
        for state, seconds in tally.seconds.items()
        if state is not AgentState.LOGGED_OUT
    )
    # Agents stay until their last call and wrap-up end, so at least the full shifts.
    assert logged_in >= len(roster) * 3600.0 - 1e-6
    assert logged_in < len(roster) * 3600.0 * 1.1
    assert not math.isnan(logged_in)


def test_events_on_the_same_instant_run_in_the_order_they_were_scheduled() -> None:
    # c2 arrives the instant c1's talk ends (traces in whole seconds do this all the time).
    # Its arrival was scheduled first, when c1 arrived, so it finds the only agent still
    # talking and waits for it, 0 s; in the other order it would be answered on arrival.
    router = Router([QueueSettings("q", sl_target_s=20.0)])
    agent = SimAgent("a", "team", {}, (Shift(0.0, 1000.0),))
    calls = [SimCall("c1", 0, "q", 0, 0.0, 10.0), SimCall("c2", 0, "q", 0, 10.0, 5.0)]
    result = Simulation(
        router, [agent], iter(calls), horizon_s=1000.0, interval_s=100.0,
        rng=np.random.default_rng(0),
    ).run()
    t = total(result)
    assert (t.answered, t.delayed, t.wait_answered_s) == (2, 1, 0.0)
