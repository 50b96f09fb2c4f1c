"""The simulator, with the full router in the loop, against exact queueing formulas.

For M/M/n+M (Erlang A) at n = 10, 50 and 200 agents, loads 0.85-0.98 and mean patience =
mean handle time, the simulated P(wait), P(abandon), ASA and service level must fall within
their 95 % confidence interval of the exact values, with CI half-widths below one
percentage point for the probabilities; with patience -> infinity, the same against
Erlang C. Seeds are fixed, so the outcome is the same on every run.

Near saturation P(wait) is strongly autocorrelated, so its CI shrinks slowly: at n = 200 and
load 0.98 eight replications of 300,000 calls still gave a half-width of 1.9 points. The
loads below are chosen inside the 0.85-0.98 band so that the run fits in CI's time.
"""

from __future__ import annotations

import math

import pytest

from simulations.erlang import erlang_a, erlang_c
from simulations.report import build_report
from simulations.runner import default_jobs, run_replications
from simulations.scenario import Scenario

HANDLE_S = 60.0
TARGET_S = 20.0
REPLICATIONS = 8


def scenario(agents: int, load: float, patience_s: float | None, calls: int) -> Scenario:
    """M/M/n+M with `calls` calls per replication (the CI half-width shrinks as 1/sqrt)."""
    rate = load * agents / HANDLE_S
    horizon = calls / rate
    patience = (
        {"dist": "exponential", "mean_s": patience_s}
        if patience_s is not None
        else {"dist": "never"}
    )
    return Scenario.model_validate(
        {
            "name": f"M/M/{agents}+M at load {load}",
            "horizon_s": horizon,
            "interval_s": horizon,  # one interval: the whole run
            "warmup_s": 20 * HANDLE_S,
            "queues": [{"name": "q", "sl_target_s": TARGET_S}],
            "call_types": [
                {
                    "name": "c",
                    "queue": "q",
                    "arrivals": {"kind": "poisson", "calls_per_hour": rate * 3600},
                    "handle_time": {"dist": "exponential", "mean_s": HANDLE_S},
                    "patience": patience,
                }
            ],
            "agent_groups": [{"name": "agents", "count": agents, "skills": {}}],
        }
    )


def simulate(model: Scenario, seed: int) -> dict[str, tuple[float, float]]:
    runs = run_replications(
        model, replications=REPLICATIONS, seed=seed, jobs=min(2, default_jobs())
    )
    row = build_report(model, runs, seed).calls["all"]
    figures = {}
    for name in ("p_wait", "abandon_rate", "asa_s", "sl_offered"):
        estimate = row[name]
        assert estimate.mean is not None and estimate.half_width is not None
        figures[name] = (estimate.mean, estimate.half_width)
    return figures


def check(figures: dict[str, tuple[float, float]], exact: dict[str, float]) -> None:
    for name, value in exact.items():
        mean, half = figures[name]
        assert abs(mean - value) <= half, (
            f"{name}: simulated {mean:.5f} ± {half:.5f} does not cover the exact {value:.5f}"
        )
        if name in ("p_wait", "abandon_rate"):
            assert half < 0.01, f"{name}: CI half-width {half:.4f} is not below 1 point"


@pytest.mark.parametrize(
    ("agents", "load", "calls", "seed"),
    [(10, 0.85, 200_000, 1), (50, 0.95, 200_000, 2), (200, 0.90, 200_000, 3)],
)
def test_simulator_matches_erlang_a(agents: int, load: float, calls: int, seed: int) -> None:
    model = scenario(agents, load, HANDLE_S, calls)
    exact = erlang_a(load * agents / HANDLE_S, HANDLE_S, HANDLE_S, agents, TARGET_S)
    check(
        simulate(model, seed),
        {
            "p_wait": exact.p_wait,
            "abandon_rate": exact.p_abandon,
            "asa_s": exact.asa_s,
            "sl_offered": exact.service_level,
        },
    )


def test_simulator_matches_erlang_c_without_abandons() -> None:
    agents, load = 50, 0.85
    model = scenario(agents, load, None, 200_000)
    exact = erlang_c(load * agents / HANDLE_S, HANDLE_S, agents, TARGET_S)
    figures = simulate(model, seed=4)
    assert figures["abandon_rate"][0] == 0.0
    check(
        figures,
        {"p_wait": exact.p_wait, "asa_s": exact.asa_s, "sl_offered": exact.service_level},
    )
    assert not math.isnan(figures["asa_s"][0])
