"""`callcenter simulate`: files written, JSON on stdout, clear errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from callcenter.cli import app

EXAMPLE = Path(__file__).resolve().parents[3] / "simulations" / "examples" / "vip_priority.yaml"


def test_simulate_writes_outputs_and_prints_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["simulate", str(EXAMPLE), "--reps", "2", "--jobs", "1", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["replications"] == 2
    vip = document["calls"]["type:vip"]
    normal = document["calls"]["type:normal"]
    assert vip["sl_offered"]["ci95"] is not None
    assert vip["sl_offered"]["mean"] > normal["sl_offered"]["mean"]  # priority works
    for name in ("summary.json", "calls.csv", "agents.csv", "service_level_by_interval.png"):
        assert (out / name).stat().st_size > 0


def test_bad_scenario_exits_2_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("horizon_s: 7200", "horizon_s: -1"))
    result = CliRunner().invoke(app, ["simulate", str(bad)])
    assert result.exit_code == 2
    assert "horizon_s" in result.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "cannot read" in result.output
