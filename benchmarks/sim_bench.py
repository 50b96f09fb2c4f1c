"""Simulator throughput against SimPy on the same M/M/n+M system, parallel speed-up, memory.

System: one queue, n = 100 agents, 90 Erlangs offered (0.9 calls/s, mean handle 100 s),
exponential patience with mean = mean handle time. Our simulator runs the full scenario
path (scenario model, seeded streams, the real `acd.Router`, streaming statistics); the
SimPy model is the textbook one: a `Resource` with reneging (`request | timeout`).

    python benchmarks/sim_bench.py [--calls 1000000] [--rep-calls 100000]

Needs the `bench` extra (SimPy): pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time

import numpy as np
import simpy

from simulations.runner import run_replications
from simulations.scenario import Scenario

AGENTS = 100
RATE_PER_S = 0.9
HANDLE_S = 100.0
PATIENCE_S = 100.0


def scenario(calls: int) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "M/M/100+M at 90 Erlangs",
            "horizon_s": calls / RATE_PER_S,
            "interval_s": 3600,
            "queues": [{"name": "q", "sl_target_s": 20}],
            "call_types": [
                {
                    "name": "c",
                    "queue": "q",
                    "arrivals": {"kind": "poisson", "calls_per_hour": RATE_PER_S * 3600},
                    "handle_time": {"dist": "exponential", "mean_s": HANDLE_S},
                    "patience": {"dist": "exponential", "mean_s": PATIENCE_S},
                }
            ],
            "agent_groups": [{"name": "agents", "count": AGENTS, "skills": {}}],
        }
    )


def ours(calls: int) -> tuple[float, int]:
    """Calls per second and calls simulated, one replication in this process."""
    model = scenario(calls)
    start = time.perf_counter()
    [stats] = run_replications(model, replications=1, seed=1, jobs=1)
    return stats.calls_simulated / (time.perf_counter() - start), stats.calls_simulated


def simpy_rate(calls: int) -> float:
    rng = np.random.default_rng(1)
    gaps = rng.exponential(1 / RATE_PER_S, calls).tolist()
    handle = rng.exponential(HANDLE_S, calls).tolist()
    patience = rng.exponential(PATIENCE_S, calls).tolist()
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    outcome = {"answered": 0, "abandoned": 0}

    def caller(i: int):  # type: ignore[no-untyped-def]
        with agents.request() as request:
            result = yield request | env.timeout(patience[i])
            if request in result:
                outcome["answered"] += 1
                yield env.timeout(handle[i])
            else:
                outcome["abandoned"] += 1

    def source():  # type: ignore[no-untyped-def]
        for i in range(calls):
            yield env.timeout(gaps[i])
            env.process(caller(i))

    env.process(source())
    start = time.perf_counter()
    env.run()
    return calls / (time.perf_counter() - start)


def replications_time(reps: int, rep_calls: int, jobs: int) -> float:
    model = scenario(rep_calls)
    start = time.perf_counter()
    run_replications(model, replications=reps, seed=3, jobs=jobs)
    return time.perf_counter() - start


def _peak_rss_child(calls: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    ours(calls)
    queue.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def peak_rss_mib(calls: int) -> float:
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    child = multiprocessing.Process(target=_peak_rss_child, args=(calls, queue))
    child.start()
    value = float(queue.get())
    child.join()
    return value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--rep-calls", type=int, default=100_000, help="calls per replication")
    parser.add_argument(
        "--parts",
        default="simpy,jobs,memory",
        help="comma-separated parts to run: simpy, jobs, memory (default: all)",
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    unknown = parts - {"simpy", "jobs", "memory"}
    if unknown:
        parser.error(f"--parts: unknown {sorted(unknown)}; choose from simpy, jobs, memory")

    ratio = speed_up = None
    if "simpy" in parts:
        ours_rate, simulated = ours(args.calls)
        print(f"this simulator: {ours_rate:,.0f} calls/s ({simulated:,} calls, full router)")
        reference = simpy_rate(args.calls)
        print(f"SimPy Resource with reneging: {reference:,.0f} calls/s ({args.calls:,} calls)")
        ratio = ours_rate / reference
        print(f"ratio: {ratio:.2f} x (bar >= 2)")
    if "jobs" in parts:
        serial = replications_time(8, args.rep_calls, 1)
        parallel = replications_time(8, args.rep_calls, 2)
        speed_up = serial / parallel
        print(f"8 replications of {args.rep_calls:,} calls:")
        print(f"  --jobs 1: {serial:.1f} s, --jobs 2: {parallel:.1f} s")
        print(f"parallel speed-up: {speed_up:.2f} x (bar >= 1.7)")
    if "memory" in parts:
        small, large = args.calls // 10, args.calls
        rss_small, rss_large = peak_rss_mib(small), peak_rss_mib(large)
        print(f"peak RSS: {rss_small:,.0f} MiB at {small:,} calls")
        print(f"peak RSS: {rss_large:,.0f} MiB at {large:,} calls")
        print(f"memory growth for 10x the calls: {rss_large / rss_small:.2f} x (flat is ~1)")
    met = (ratio is None or ratio >= 2) and (speed_up is None or speed_up >= 1.7)
    print("bars met" if met else "BARS MISSED", file=sys.stderr)
    if ratio is not None:
        print(f"RESULT sim_vs_simpy={ratio:.2f} x")
    elif speed_up is not None:
        print(f"RESULT sim_jobs2_speedup={speed_up:.2f} x")


if __name__ == "__main__":
    main()
