"""Scenario files: the examples load and run; bad files name the file, key and value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulations.runner import run_replications, workload
from simulations.scenario import ScenarioError, load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "simulations" / "examples"
MINIMAL = """
name: t
horizon_s: 3600
queues: [{name: q}]
call_types:
  - {name: c, queue: q, arrivals: {kind: poisson, calls_per_hour: 100},
     handle_time: {dist: exponential, mean_s: 60}}
agent_groups: [{name: g, count: 3, skills: {}}]
"""


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_loads_without_warnings(example: Path) -> None:
    scenario = load_scenario(example)
    assert scenario.warnings() == []


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("calls_per_hour: 100", "calls_per_hour: -5"), "call_types.0.arrivals.calls_per_hour"),
        (("calls_per_hour: 100", "calls_per_hour: lots"), "(got 'lots')"),
        (("mean_s: 60", "mean_s: 0"), "call_types.0.handle_time.exponential.mean_s"),
        (("dist: exponential", "dist: weibull"), "call_types.0.handle_time"),
        (("horizon_s: 3600", "horizon_s: 0"), "horizon_s"),
        (("queue: q,", "queue: nowhere,"), "unknown queue 'nowhere'"),
        (("count: 3", "count: -1"), "agent_groups.0.count"),
    ],
)
def test_bad_values_are_reported_with_file_and_key(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = write(tmp_path, MINIMAL.replace(*change))
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "\n  bad: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"scenario\.yaml:\d+: not valid YAML"):
        load_scenario(path)


def test_a_skill_nobody_has_is_a_warning_not_an_error(tmp_path: Path) -> None:
    text = MINIMAL.replace("queues: [{name: q}]", "queues: [{name: q, skills: {klingon: 3}}]")
    scenario = load_scenario(write(tmp_path, text))
    [warning] = scenario.warnings()
    assert "klingon" in warning and "never be served" in warning


def test_trace_replay_and_unsorted_trace(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text(
        "arrival_s,call_type,handle_s,patience_s\n1.0,c,30,\n2.5,c,40,10\n"
    )
    text = MINIMAL + "trace: {csv: calls.csv}\n"
    scenario = load_scenario(write(tmp_path, text))
    calls = list(workload(scenario, np.random.SeedSequence(1), tmp_path))
    assert [(c.arrival_s, c.handle_s, c.patience_s) for c in calls] == [
        (1.0, 30.0, float("inf")),
        (2.5, 40.0, 10.0),
    ]
    (tmp_path / "calls.csv").write_text("arrival_s,call_type,handle_s\n5,c,30\n4,c,30\n")
    with pytest.raises(ScenarioError, match=r"calls\.csv:3: arrival_s 4\.0 is earlier"):
        list(workload(scenario, np.random.SeedSequence(1), tmp_path))


def test_same_seed_same_results_and_jobs_do_not_change_them(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, MINIMAL))
    one = run_replications(scenario, replications=3, seed=5, jobs=1)
    two = run_replications(scenario, replications=3, seed=5, jobs=2)
    other = run_replications(scenario, replications=3, seed=6, jobs=1)
    assert [r.calls for r in one] == [r.calls for r in two]
    assert [r.calls for r in one] != [r.calls for r in other]
    assert one[0].calls != one[1].calls  # replications differ from each other
