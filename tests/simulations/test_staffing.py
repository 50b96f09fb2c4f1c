"""Staffing: fewest agents for each goal, shrinkage rounding, and forecast CSV errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from simulations.erlang import erlang_a, erlang_c
from simulations.staffing import (
    IntervalForecast,
    StaffingError,
    StaffingGoal,
    load_forecast,
    required_agents,
    scheduled_agents,
    staff_forecast,
    staff_interval,
)


def test_shrinkage_rounds_away_floating_point_noise() -> None:
    # 21 / (1 - 0.3) is 30.000000000000004 in binary floating point: a plain ceil says 31.
    assert math.ceil(21 / (1 - 0.3)) == 31
    assert scheduled_agents(21, 0.3) == 30
    assert scheduled_agents(14, 0.3) == 20
    assert scheduled_agents(10, 0.25) == 14  # 13.33 rounds up
    assert scheduled_agents(0, 0.3) == 0
    assert scheduled_agents(7, 0.0) == 7


@pytest.mark.parametrize("shrinkage", [-0.1, 1.0, math.nan])
def test_impossible_shrinkage(shrinkage: float) -> None:
    with pytest.raises(StaffingError, match="shrinkage"):
        scheduled_agents(10, shrinkage)


@pytest.mark.parametrize(
    ("calls", "aht", "target", "goal"),
    [(100, 180, 20, 0.8), (360, 240, 15, 0.9), (4000, 300, 30, 0.8), (3, 600, 10, 0.95)],
)
def test_service_level_goal_is_met_by_the_fewest_agents(
    calls: float, aht: float, target: float, goal: float
) -> None:
    rate = calls / 1800.0
    agents = required_agents(rate, aht, StaffingGoal(service_level=goal, target_s=target))
    assert erlang_c(rate, aht, agents, target).service_level >= goal
    if agents - 1 > rate * aht:
        assert erlang_c(rate, aht, agents - 1, target).service_level < goal


def test_abandon_cap_adds_agents_under_erlang_a() -> None:
    rate, aht, patience = 300 / 1800.0, 240.0, 60.0
    loose = required_agents(rate, aht, StaffingGoal(0.5, 20.0), patience)
    capped = required_agents(rate, aht, StaffingGoal(0.5, 20.0, abandon_cap=0.005), patience)
    assert capped > loose
    assert erlang_a(rate, aht, patience, capped, 20.0).p_abandon <= 0.005
    assert erlang_a(rate, aht, patience, capped - 1, 20.0).p_abandon > 0.005


def test_occupancy_cap_adds_agents() -> None:
    rate, aht = 2000 / 1800.0, 300.0  # 333 Erlangs: 80/20 alone runs agents very hot
    loose = required_agents(rate, aht, StaffingGoal(0.8, 20.0))
    capped = required_agents(rate, aht, StaffingGoal(0.8, 20.0, occupancy_cap=0.85))
    assert erlang_c(rate, aht, loose, 20.0).occupancy > 0.85
    assert capped == math.ceil(rate * aht / 0.85)


def test_erlang_a_can_staff_below_the_offered_load() -> None:
    # Impatient callers: Erlang A may meet a modest goal with fewer agents than Erlangs.
    rate, aht = 0.5, 240.0  # 120 Erlangs
    agents = required_agents(rate, aht, StaffingGoal(0.2, 20.0), patience_s=30.0)
    assert agents < 120
    assert erlang_a(rate, aht, 30.0, agents, 20.0).service_level >= 0.2


def test_no_calls_need_no_agents() -> None:
    result = staff_interval(IntervalForecast("03:00", 0, 1800.0, 240.0), StaffingGoal())
    assert result.agents_required == 0
    assert result.agents_scheduled == 0
    assert result.service_level == 1.0


def test_goal_errors() -> None:
    with pytest.raises(StaffingError, match="service_level"):
        StaffingGoal(service_level=1.0)
    with pytest.raises(StaffingError, match="neither"):
        StaffingGoal(service_level=None)
    with pytest.raises(StaffingError, match="occupancy_cap"):
        StaffingGoal(occupancy_cap=0.0)
    with pytest.raises(StaffingError, match=r"abandon_cap.*patience"):
        required_agents(0.1, 240.0, StaffingGoal(abandon_cap=0.05))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "forecast.csv"
    path.write_text(text)
    return path


def test_forecast_csv_staffs_every_interval(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "interval_start,calls,aht_s,patience_s\n"
        "08:00,100,180,\n"
        "08:30,360,240,120\n"
        "\n"
        "09:00,0,240,\n",
    )
    forecasts = load_forecast(path, 1800.0)
    assert [f.interval_start for f in forecasts] == ["08:00", "08:30", "09:00"]
    assert forecasts[1].patience_s == 120.0
    assert forecasts[0].patience_s is None
    results = staff_forecast(forecasts, StaffingGoal(0.8, 20.0, shrinkage=0.3))
    assert [r.model for r in results] == ["erlang_c", "erlang_a", "erlang_c"]
    assert results[0].agents_required == 14
    assert results[0].agents_scheduled == 20
    assert results[1].p_abandon is not None
    assert results[2].agents_required == 0


def test_forecast_default_patience(tmp_path: Path) -> None:
    path = _write(tmp_path, "interval_start,calls,aht_s\n08:00,100,180\n")
    assert load_forecast(path, 1800.0, default_patience_s=90.0)[0].patience_s == 90.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("interval_start,calls,aht_s\n08:00,100,180\n08:30,lots,180\n", "line 3: column calls"),
        ("interval_start,calls,aht_s\n08:00,-4,180\n", "line 2: column calls"),
        ("interval_start,calls,aht_s\n08:00,100,0\n", "line 2: column aht_s"),
        ("interval_start,calls,aht_s,patience_s\n08:00,100,180,-1\n", "column patience_s"),
        ("interval_start,calls,aht_s\n,100,180\n", "line 2: column interval_start"),
        ("interval_start,calls\n08:00,100\n", "line 1: expected columns"),
        ("interval_start,calls,aht_s\n", "at least one interval"),
    ],
)
def test_bad_forecast_rows_name_file_line_and_column(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(StaffingError) as raised:
        load_forecast(path, 1800.0)
    assert str(path) in str(raised.value)
    assert expected in str(raised.value)


def test_missing_forecast_file(tmp_path: Path) -> None:
    with pytest.raises(StaffingError, match="cannot read"):
        load_forecast(tmp_path / "nope.csv", 1800.0)
