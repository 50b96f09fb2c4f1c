"""`callcenter erlang` and `callcenter staffing`: JSON and tables, bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.cli import app
from callcenter.cli.erlang import parse_interval
from simulations.erlang import erlang_a


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_erlang_c_json() -> None:
    code, out, _ = _run(
        "erlang", "--calls", "360", "--interval", "30m", "--aht", "240", "--agents", "55",
        "--target", "15", "--json",
    )  # fmt: skip
    assert code == 0
    document = json.loads(out)
    assert document["model"] == "erlang_c"
    # Published worked example C2: 48 Erlangs on 55 agents.
    assert document["p_wait"] == pytest.approx(0.2387, abs=5e-4)
    assert document["service_level"] == pytest.approx(0.8459, abs=5e-4)
    assert document["asa_s"] == pytest.approx(8.184, abs=5e-3)
    assert document["occupancy"] == pytest.approx(0.872727, abs=1e-6)
    assert document["mean_wait_s"] == document["asa_s"]  # nobody abandons
    # Little's law: 0.2 calls/s x 8.184 s.
    assert document["mean_queue_length"] == pytest.approx(1.6368, abs=1e-3)
    assert "p_abandon" not in document


def test_erlang_a_json_with_patience() -> None:
    code, out, _ = _run(
        "erlang", "--calls", "2880", "--interval", "1h", "--aht", "60", "--agents", "50",
        "--target", "20", "--patience", "120", "--json",
    )  # fmt: skip
    assert code == 0
    document = json.loads(out)
    assert document["model"] == "erlang_a"
    # Published worked example A1: 48 calls/min, AHT 1 min, patience 2 min, 50 agents.
    assert document["p_abandon"] == pytest.approx(0.0309, abs=1e-3)
    assert document["mean_wait_s"] == pytest.approx(3.709, abs=1e-3)
    assert document["service_level"] == pytest.approx(0.9430, abs=1e-3)
    for key in ("p_wait", "asa_s", "occupancy"):
        assert key in document
    # ASA counts answered calls only; mean_wait_s all arrivals.
    assert document["asa_s"] == pytest.approx(erlang_a(0.8, 60.0, 120.0, 50, 20.0).asa_s)
    assert document["asa_s"] != pytest.approx(document["mean_wait_s"], rel=1e-3)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800.0), ("1h", 3600.0), ("2h", 7200.0), ("900s", 900.0), ("45", 45.0)],
)
def test_interval_forms(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds
    code, out, _ = _run(
        "erlang", "--calls", "100", "--interval", text, "--aht", "180", "--agents", "1000",
        "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["interval_s"] == seconds


def test_erlang_table() -> None:
    code, out, _ = _run(
        "erlang", "--calls", "360", "--interval", "30m", "--aht", "240", "--agents", "55",
        "--patience", "120",
    )  # fmt: skip
    assert code == 0
    assert "Erlang A" in out
    assert "P(abandon)" in out
    expected = erlang_a(0.2, 240.0, 120.0, 55, 20.0).service_level
    assert f"{expected * 100:.2f}%" in out


def test_staffing_single_interval_json() -> None:
    code, out, _ = _run(
        "staffing", "--calls", "100", "--interval", "30m", "--aht", "180", "--target", "20",
        "--goal", "0.8", "--shrinkage", "0.3", "--json",
    )  # fmt: skip
    assert code == 0
    document = json.loads(out)
    (interval,) = document["intervals"]
    assert interval["agents_required"] == 14  # published worked example C1
    assert interval["agents_scheduled"] == 20
    assert document["peak_agents_scheduled"] == 20


def test_staffing_csv_table(tmp_path: Path) -> None:
    forecast = tmp_path / "monday.csv"
    forecast.write_text(
        "interval_start,calls,aht_s,patience_s\n08:00,100,180,\n08:30,360,240,120\n"
    )
    code, out, _ = _run(
        "staffing", "--csv", str(forecast), "--interval", "30m", "--target", "20",
        "--goal", "0.8", "--abandon-cap", "0.05", "--patience", "90",
    )  # fmt: skip
    assert code == 0, out
    assert "08:00" in out and "08:30" in out
    assert "Erlang A" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["erlang", "--calls", "360", "--interval", "30x", "--aht", "240", "--agents", "55"],
         "--interval 30x"),
        (["erlang", "--calls", "-1", "--interval", "30m", "--aht", "240", "--agents", "55"],
         "--calls -1"),
        (["erlang", "--calls", "360", "--interval", "30m", "--aht", "0", "--agents", "55"],
         "--aht 0"),
        (["erlang", "--calls", "360", "--interval", "30m", "--aht", "240", "--agents", "48"],
         "--agents 48"),
        (["erlang", "--calls", "360", "--interval", "30m", "--aht", "240", "--agents", "0"],
         "--agents 0"),
        (["erlang", "--calls", "360", "--interval", "30m", "--aht", "240", "--agents", "55",
          "--patience", "-3"], "--patience -3"),
        (["erlang", "--calls", "lots", "--interval", "30m", "--aht", "240", "--agents", "55"],
         "--calls"),
        (["staffing", "--calls", "100", "--interval", "30m", "--aht", "180", "--goal", "1.5"],
         "--goal 1.5"),
        (["staffing", "--calls", "100", "--interval", "30m", "--aht", "180", "--shrinkage", "1"],
         "--shrinkage 1"),
        (["staffing", "--calls", "100", "--interval", "30m", "--aht", "180",
          "--abandon-cap", "0.05"], "--abandon-cap 0.05"),
        (["staffing", "--interval", "30m", "--aht", "180"], "--calls"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_option(args: list[str], named: str) -> None:
    code, out, err = _run(*args)
    assert code == 2
    assert named in " ".join((out + err).split())


def test_bad_csv_row_exits_2_naming_line_and_column(tmp_path: Path) -> None:
    forecast = tmp_path / "bad.csv"
    forecast.write_text("interval_start,calls,aht_s\n08:00,100,180\n08:30,100,slow\n")
    code, out, err = _run("staffing", "--csv", str(forecast), "--interval", "30m")
    assert code == 2
    message = " ".join((out + err).split())
    assert "line 3: column aht_s" in message
    assert "'slow'" in message
