"""Simulator throughput against SimPy on the same M/M/n+M system, parallel speed-up, memory.

System: one queue, n = 100 agents, 90 Erlangs offered (0.9 calls/s, mean handle 100 s),
exponential patience with mean = mean handle time. Our simulator runs the full scenario
path (scenario model, seeded streams, the real `acd.Router`, streaming statistics); the
SimPy model is the textbook one: a `Resource` with reneging (`request | timeout`).

    python benchmarks/sim_bench.py [--calls 1000000] [--rep-calls 100000] [--native]
    python benchmarks/sim_bench.py --parts simpy,router   # and the router's share of a call

Needs the `bench` extra (SimPy): pip install -e '.[bench]'.

Optional compiled variant: `--build-native` compiles the router's hot modules and the
simulator's event loop with mypyc (it ships with mypy; needs a C compiler and the Python
headers: on Debian `apt-get install gcc python3-dev`) into a copy of `acd/` and
`simulations/` under build/native/; `--native` then runs the benchmark on that copy. The
repository itself stays pure Python; a copy whose sources differ from the tree is refused.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import multiprocessing
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NATIVE_DIR = ROOT / "build" / "native"
PACKAGES = ("acd", "simulations")
# The modules on the per-event path; the rest (config, errors, scenario, reports) stay Python.
NATIVE_MODULES = (
    "acd/agents.py",
    "acd/calls.py",
    "acd/decisions.py",
    "acd/queue_state.py",
    "acd/router.py",
    "acd/selection.py",
    "acd/skills.py",
    "acd/timers.py",
    "acd/waiting.py",
    "simulations/engine.py",
)
MANIFEST = "SOURCES.sha256"


def sources_digest(root: Path) -> str:
    """One digest over every Python source of the packages that get compiled."""
    digest = hashlib.sha256()
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_native(out: Path) -> None:
    """Copy the packages to `out` and compile the hot modules there with mypyc."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.so")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, out / package, ignore=ignore)
    command = [sys.executable, "-m", "mypyc", *NATIVE_MODULES]
    result = subprocess.run(command, cwd=out, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"mypyc failed ({' '.join(command)}):\n{result.stdout}{result.stderr}")
    (out / MANIFEST).write_text(sources_digest(out) + "\n")
    print(f"built the native variant in {out}")


def use_native(out: Path) -> None:
    """Import `acd` and `simulations` from the compiled copy (before anything imports them)."""
    manifest = out / MANIFEST
    if not manifest.is_file():
        sys.exit(f"no native build in {out}: run with --build-native first")
    if manifest.read_text().strip() != sources_digest(ROOT):
        sys.exit(f"the native build in {out} is stale (sources changed): run --build-native")
    sys.path.insert(0, str(out))


def _early_options() -> None:
    # Decided before the imports below, which bind `acd` and `simulations` for good.
    if "--build-native" in sys.argv:
        build_native(NATIVE_DIR)
    if "--native" in sys.argv:
        use_native(NATIVE_DIR)


_early_options()

import numpy as np  # noqa: E402
import simpy  # noqa: E402

import acd.router  # noqa: E402
from simulations import Scenario, run_replications  # noqa: E402

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


def variant() -> str:
    """Which router and event loop this process runs: compiled or pure Python."""
    compiled = not acd.router.__file__ or not acd.router.__file__.endswith(".py")
    return f"mypyc-compiled ({NATIVE_DIR})" if compiled else "pure Python"


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

    def caller(i: int) -> Generator[Any, Any, None]:
        with agents.request() as request:
            result = yield request | env.timeout(patience[i])
            if request in result:
                outcome["answered"] += 1
                yield env.timeout(handle[i])
            else:
                outcome["abandoned"] += 1

    def source() -> Generator[Any, Any, None]:
        for i in range(calls):
            yield env.timeout(gaps[i])
            env.process(caller(i))

    env.process(source())
    start = time.perf_counter()
    env.run()
    return calls / (time.perf_counter() - start)


ROUTER_ENTRY_POINTS = (
    "add_agent", "login", "logout", "pause", "unpause", "agent_info", "enqueue", "answer",
    "end_call", "abandon", "next_deadline", "advance",
)  # fmt: skip


class _RecordingRouter(acd.router.Router):
    """The real router, noting the calls the simulator makes on it (for `router_share`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.made_with = (args, kwargs)
        self.noted: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []


def _noting(name: str) -> Any:
    method = getattr(acd.router.Router, name)

    def noted(self: _RecordingRouter, *args: Any, **kwargs: Any) -> Any:
        self.noted.append((name, args, kwargs))
        return method(self, *args, **kwargs)

    return noted


for _name in ROUTER_ENTRY_POINTS:
    setattr(_RecordingRouter, _name, _noting(_name))


def _replay_s(calls: list[tuple[Any, tuple[Any, ...], dict[str, Any]]]) -> float:
    # The recording holds every call's arguments, which the simulation itself never keeps:
    # frozen, the garbage collector does not walk them on every full collection.
    gc.collect()
    gc.freeze()
    try:
        start = time.process_time()
        for method, args, kwargs in calls:
            method(*args, **kwargs)
        return time.process_time() - start
    finally:
        gc.unfreeze()


def router_share(calls: int) -> tuple[float, float, int]:
    """CPU µs per simulated call: the whole simulation, and the router alone.

    One replication runs with a recording router; its calls are then replayed, same
    arguments and order, on a fresh router (best of three). The replay loop's own cost,
    measured with a no-op in place of the router, is taken off."""
    import simulations.runner as runner

    model = scenario(calls)
    seeds = np.random.SeedSequence(1).spawn(1)[0]
    start = time.process_time()
    simulated = runner.run_replication(model, seeds).stats.calls_simulated
    whole = time.process_time() - start
    made: list[_RecordingRouter] = []

    def recording(*args: Any, **kwargs: Any) -> _RecordingRouter:
        made.append(_RecordingRouter(*args, **kwargs))
        return made[-1]

    namespace = vars(runner)  # the name run_replication looks its router class up by
    namespace["Router"] = recording
    try:
        runner.run_replication(model, seeds)
    finally:
        namespace["Router"] = acd.router.Router
    [recorder] = made
    best = float("inf")
    for _ in range(3):
        args, kwargs = recorder.made_with
        fresh = acd.router.Router(*args, **kwargs)
        best = min(best, _replay_s([(getattr(fresh, n), a, k) for n, a, k in recorder.noted]))

    def nothing(*_args: Any, **_kwargs: Any) -> None:
        return None

    loop = _replay_s([(nothing, a, k) for _n, a, k in recorder.noted])
    per_call = 1e6 / simulated
    return whole * per_call, (best - loop) * per_call, len(recorder.noted)


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
    parser.add_argument(
        "--native", action="store_true", help="run the mypyc-compiled copy in build/native/"
    )
    parser.add_argument(
        "--build-native", action="store_true", help="(re)build that copy first (needs gcc)"
    )
    parser.add_argument("--rep-calls", type=int, default=100_000, help="calls per replication")
    parser.add_argument(
        "--router-calls", type=int, default=200_000, help="calls for --parts router"
    )
    parser.add_argument(
        "--parts",
        default="simpy,jobs,memory",
        help="comma-separated parts to run: simpy, jobs, memory, router"
        " (default: simpy,jobs,memory)",
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    unknown = parts - {"simpy", "jobs", "memory", "router"}
    if unknown:
        parser.error(f"--parts: unknown {sorted(unknown)}; choose from simpy, jobs, memory, router")
    if "router" in parts and variant() != "pure Python":
        parser.error("--parts router: pure Python only (a compiled router cannot be recorded)")

    ratio = speed_up = router_us = reference = None
    print(f"variant: {variant()}")
    if "simpy" in parts:
        ours_rate, simulated = ours(args.calls)
        print(f"this simulator: {ours_rate:,.0f} calls/s ({simulated:,} calls, full router)")
        reference = simpy_rate(args.calls)
        print(f"SimPy Resource with reneging: {reference:,.0f} calls/s ({args.calls:,} calls)")
        ratio = ours_rate / reference
        print(f"ratio: {ratio:.2f} x (bar >= 2)")
    if "router" in parts:
        whole_us, router_us, entries = router_share(args.router_calls)
        print(
            f"router alone: {router_us:.1f} µs CPU per simulated call, of {whole_us:.1f} µs for"
            f" the whole simulation ({args.router_calls:,} calls, {entries:,} router calls"
            " replayed)"
        )
        if reference is not None:
            print(
                f"2 x SimPy leaves {0.5e6 / reference:.1f} µs per call for everything"
                f" (SimPy: {1e6 / reference:.1f} µs per call in this run)"
            )
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
    if ratio is not None or speed_up is not None:
        met = (ratio is None or ratio >= 2) and (speed_up is None or speed_up >= 1.7)
        print("bars met" if met else "BARS MISSED", file=sys.stderr)
    if ratio is not None:
        print(f"RESULT sim_vs_simpy={ratio:.2f} x")
    elif speed_up is not None:
        print(f"RESULT sim_jobs2_speedup={speed_up:.2f} x")
    elif router_us is not None:
        print(f"RESULT sim_router_us_per_call={router_us:.1f} us")


if __name__ == "__main__":
    main()
