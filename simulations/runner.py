"""Turn a scenario into replications: agents, a workload stream, seeds, and parallel runs.

Every replication gets its own child of one `numpy.random.SeedSequence`, and every random
stream inside it (arrivals, handle and patience per call type, agent behaviour, the
router's own choices) its own grandchild: the same seed gives the same results, bit for
bit, whatever the number of processes.
"""

from __future__ import annotations

import heapq
import math
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from itertools import count
from pathlib import Path

import numpy as np

from acd import Requirement, Router, requirement
from simulations.distributions import Sampler, poisson_times
from simulations.engine import Simulation, SimulationResult
from simulations.model import Shift, SimAgent, SimCall
from simulations.queue_log import read_queue_log
from simulations.scenario import Scenario, ScenarioError, read_trace
from simulations.stats import RunStats


def build_agents(scenario: Scenario) -> list[SimAgent]:
    """One SimAgent per seat of every group, with its shifts (the whole horizon by default)."""
    agents: list[SimAgent] = []
    whole_run = (Shift(0.0, scenario.horizon_s),)
    for group in scenario.agent_groups:
        shifts = (
            tuple(
                Shift(s.start_s, s.end_s, tuple((b.start_s, b.duration_s) for b in s.breaks))
                for s in group.shifts
            )
            if group.shifts
            else whole_run
        )
        for seat in range(group.count):
            display = (
                str(group.first_display_id + seat) if group.first_display_id is not None else None
            )
            agents.append(
                SimAgent(
                    id=f"{group.name}-{seat + 1:04d}",
                    group=group.name,
                    skills=dict(group.skills),
                    shifts=shifts,
                    display_id=display,
                    queues=tuple(group.queues) if group.queues is not None else None,
                    rona_probability=group.rona_probability,
                    answer_delay_s=group.answer_delay_s,
                )
            )
    return agents


def workload(
    scenario: Scenario, seeds: np.random.SeedSequence, base_dir: Path | None = None
) -> Iterator[SimCall]:
    """The calls of one replication in arrival order, drawn lazily (nothing is kept)."""
    types = scenario.call_types
    children = seeds.spawn(3 * len(types))
    handle = [
        t.handle_time.sampler(np.random.default_rng(children[3 * i + 1]))
        for i, t in enumerate(types)
    ]
    patience = [
        t.patience.sampler(np.random.default_rng(children[3 * i + 2])) for i, t in enumerate(types)
    ]
    required = [
        (requirement(t.skills, f"call type {t.name!r}"),) if t.skills is not None else None
        for t in types
    ]
    if scenario.trace is not None:
        path = Path(scenario.trace.csv or scenario.trace.queue_log or "")
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if scenario.trace.queue_log is not None:
            yield from _queue_log_calls(scenario, path, patience, required)
            return
        rows = read_trace(path, [t.name for t in types])
        for number, (arrival, index, handle_s, patience_s) in enumerate(rows):
            if arrival > scenario.horizon_s:
                break
            t = types[index]
            need = required[index]
            yield SimCall(
                str(number), index, t.queue, t.priority, arrival, handle_s, patience_s, need
            )
        return
    arrivals = []
    for index, t in enumerate(types):
        assert t.arrivals is not None
        rates = t.arrivals.rates_per_s(scenario.intervals)
        rng = np.random.default_rng(children[3 * index])
        arrivals.append(poisson_times(rates, scenario.interval_s, rng))
    if len(types) == 1:
        # One call type (the common steady-state study): no merge, variates by iterator.
        [t], [need] = types, required
        ids = map(str, count())
        calls = zip(ids, arrivals[0], handle[0].values(), patience[0].values(), strict=False)
        for call_id, arrival, handle_s, patience_s in calls:
            if arrival > scenario.horizon_s:
                break
            yield SimCall(call_id, 0, t.queue, t.priority, arrival, handle_s, patience_s, need)
        return
    streams = [_labelled(times, index) for index, times in enumerate(arrivals)]
    for number, (arrival, index) in enumerate(heapq.merge(*streams)):
        if arrival > scenario.horizon_s:
            break
        t = types[index]
        yield SimCall(
            str(number),
            index,
            t.queue,
            t.priority,
            arrival,
            handle[index](),
            patience[index](),
            required[index],
        )


def _queue_log_calls(
    scenario: Scenario,
    path: Path,
    patience: list[Sampler],
    required: Sequence[tuple[Requirement, ...] | None],
) -> Iterator[SimCall]:
    """Calls of an Asterisk queue_log. An abandon's patience is its logged wait; an answered
    call only shows the caller would have waited at least its hold time, so its patience is
    drawn from the call type's patience distribution above that (up to 100 tries)."""
    types = scenario.call_types
    calls, _ = read_queue_log(path)
    mapping = scenario.trace.call_types_by_queue if scenario.trace else {}
    index_of: dict[str, int] = {}
    for logged in calls:
        if logged.queue in index_of:
            continue
        name = mapping.get(logged.queue)
        if name:
            candidates = [i for i, t in enumerate(types) if t.name == name]
        else:
            candidates = [i for i, t in enumerate(types) if logged.queue in (t.name, t.queue)]
        if not candidates:
            raise ScenarioError(
                f"{path}: queue {logged.queue!r} of the log has no call type; map it with"
                " trace.call_types_by_queue"
            )
        index_of[logged.queue] = candidates[0]
    for number, logged in enumerate(calls):
        if logged.arrival_s > scenario.horizon_s:
            break
        index = index_of[logged.queue]
        t = types[index]
        caller_patience = logged.waited_s
        if logged.answered:
            draw = patience[index]
            caller_patience = math.inf
            for _ in range(100):
                value = draw()
                if value > logged.waited_s:
                    caller_patience = value
                    break
        yield SimCall(
            str(number),
            index,
            t.queue,
            t.priority,
            logged.arrival_s,
            logged.handle_s,
            caller_patience,
            required[index],
        )


def _labelled(times: Iterator[float], call_type: int) -> Iterator[tuple[float, int]]:
    for time in times:
        yield time, call_type


def run_replication(
    scenario: Scenario,
    seeds: np.random.SeedSequence,
    base_dir: Path | None = None,
    explain_first: int = 0,
) -> SimulationResult:
    """One replication of `scenario` with its own seed sequence."""
    workload_seeds, agent_seeds, router_seeds = seeds.spawn(3)
    router_seed = int(router_seeds.generate_state(1)[0])
    router = Router([q.to_settings() for q in scenario.queues], seed=router_seed)
    return Simulation(
        router,
        build_agents(scenario),
        workload(scenario, workload_seeds, base_dir),
        horizon_s=scenario.horizon_s,
        interval_s=scenario.interval_s,
        rng=np.random.default_rng(agent_seeds),
        warmup_s=scenario.warmup_s,
        short_abandon_s=scenario.short_abandon_s,
        explain_first=explain_first,
    ).run()


def _stats_of(scenario: Scenario, seeds: np.random.SeedSequence, base_dir: Path | None) -> RunStats:
    return run_replication(scenario, seeds, base_dir).stats


def run_replications(
    scenario: Scenario,
    *,
    replications: int,
    seed: int,
    jobs: int = 1,
    base_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[RunStats]:
    """All replications, in replication order, in `jobs` processes (1: this process)."""
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    children = np.random.SeedSequence(seed).spawn(replications)
    results: list[RunStats | None] = [None] * replications
    if jobs == 1:
        for index, child in enumerate(children):
            results[index] = _stats_of(scenario, child, base_dir)
            if progress is not None:
                progress(index)
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, replications)) as pool:
            futures = {
                pool.submit(_stats_of, scenario, child, base_dir): index
                for index, child in enumerate(children)
            }
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                if progress is not None:
                    progress(index)
    return [r for r in results if r is not None]


def default_jobs() -> int:

    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
