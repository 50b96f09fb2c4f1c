"""Staffing: the fewest agents per interval that meet a service-level goal, then shrinkage.

Erlang C sizes an interval when callers never hang up; Erlang A when a mean patience is
known. Service level, abandon rate and P(wait) all improve, and occupancy falls, as
agents are added (for fixed traffic), so the fewest agents meeting every constraint is
found by doubling then bisecting over the agent count.

Scheduled agents = ceil(required / (1 - shrinkage)), where a quotient within a few
rounding errors of a whole number counts as that number: 14 / (1 - 0.3) evaluates to
20.000000000000004 in floating point, and 20 agents are enough.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from simulations.erlang import ErlangError, erlang_a, erlang_c

__all__ = [
    "FORECAST_COLUMNS",
    "IntervalForecast",
    "StaffingError",
    "StaffingGoal",
    "StaffingResult",
    "load_forecast",
    "required_agents",
    "scheduled_agents",
    "staff_forecast",
    "staff_interval",
]

FORECAST_COLUMNS = ("interval_start", "calls", "aht_s")  # plus an optional "patience_s"
MAX_AGENTS = 1_000_000
# Goals are met when missed by no more than this (the figures carry ~1e-15 rounding).
_GOAL_SLACK = 1e-12
# A shrinkage quotient this close (relatively) to a whole number rounds to it.
_WHOLE_SLACK = 1e-9


class StaffingError(ErlangError):
    """A goal, forecast or forecast file that cannot be staffed; the message says where."""


@dataclass(frozen=True, slots=True)
class StaffingGoal:
    """What an interval must achieve; at least one of service_level and p_wait_cap.

    service_level: share of offered calls answered within target_s, in (0, 1).
    target_s: service-level threshold, seconds (>= 0).
    abandon_cap: highest acceptable abandon rate, in (0, 1) (needs a patience).
    occupancy_cap: highest acceptable agent occupancy, in (0, 1].
    p_wait_cap: highest acceptable probability of waiting, in (0, 1).
    shrinkage: share of paid time agents are not on the phones, in [0, 1).
    """

    service_level: float | None = 0.8
    target_s: float = 20.0
    abandon_cap: float | None = None
    occupancy_cap: float | None = None
    p_wait_cap: float | None = None
    shrinkage: float = 0.0

    def __post_init__(self) -> None:
        if self.service_level is None and self.p_wait_cap is None:
            raise StaffingError("goal: expected a service_level goal or a p_wait_cap, got neither")
        _share("service_level", self.service_level, low_open=True, high_open=True)
        _share("abandon_cap", self.abandon_cap, low_open=True, high_open=True)
        _share("occupancy_cap", self.occupancy_cap, low_open=True, high_open=False)
        _share("p_wait_cap", self.p_wait_cap, low_open=True, high_open=True)
        _share("shrinkage", self.shrinkage, low_open=False, high_open=True)
        if not (math.isfinite(self.target_s) and self.target_s >= 0.0):
            raise StaffingError(f"target_s: expected seconds >= 0, got {self.target_s!r}")


@dataclass(frozen=True, slots=True)
class IntervalForecast:
    """Traffic forecast for one interval: calls offered, their AHT and patience.

    interval_start: label as given (e.g. "09:00"); interval_s: its length, seconds;
    patience_s: mean patience, seconds, or None for callers who never hang up.
    """

    interval_start: str
    calls: float
    interval_s: float
    aht_s: float
    patience_s: float | None = None

    @property
    def arrival_rate_per_s(self) -> float:
        """Calls per second over the interval."""
        return self.calls / self.interval_s


@dataclass(frozen=True, slots=True)
class StaffingResult:
    """Agents one interval needs and the figures it reaches with them.

    agents_required: on the phones; agents_scheduled: paid, after shrinkage.
    model: "erlang_c" or "erlang_a". p_abandon is None under Erlang C.
    asa_s: Erlang C, mean wait of all arrivals; Erlang A, mean wait of answered calls.
    """

    forecast: IntervalForecast
    model: str
    agents_required: int
    agents_scheduled: int
    p_wait: float
    service_level: float
    asa_s: float
    occupancy: float
    p_abandon: float | None

    def as_dict(self) -> dict[str, object]:
        """The result as JSON-ready plain values."""
        return {
            "interval_start": self.forecast.interval_start,
            "calls": self.forecast.calls,
            "interval_s": self.forecast.interval_s,
            "aht_s": self.forecast.aht_s,
            "patience_s": self.forecast.patience_s,
            "model": self.model,
            "agents_required": self.agents_required,
            "agents_scheduled": self.agents_scheduled,
            "p_wait": self.p_wait,
            "service_level": self.service_level,
            "asa_s": self.asa_s,
            "occupancy": self.occupancy,
            "p_abandon": self.p_abandon,
        }


@dataclass(frozen=True, slots=True)
class _Figures:
    p_wait: float
    service_level: float
    asa_s: float
    occupancy: float
    p_abandon: float | None


def scheduled_agents(required: int, shrinkage: float) -> int:
    """Agents to schedule so that `required` remain after shrinkage.

    ceil(required / (1 - shrinkage)), with a quotient within 1e-9 (relative) of a whole
    number taken as that number. shrinkage in [0, 1).
    """
    if isinstance(required, bool) or not isinstance(required, int) or required < 0:
        raise StaffingError(f"agents_required: expected a whole number >= 0, got {required!r}")
    _share("shrinkage", shrinkage, low_open=False, high_open=True)
    quotient = required / (1.0 - shrinkage)
    whole = round(quotient)
    if abs(quotient - whole) <= _WHOLE_SLACK * max(1.0, quotient):
        return int(whole)
    return math.ceil(quotient)


def required_agents(
    arrival_rate_per_s: float,
    aht_s: float,
    goal: StaffingGoal,
    patience_s: float | None = None,
) -> int:
    """Fewest agents (on the phones) meeting every part of `goal`; 0 when no calls come.

    arrival_rate_per_s: calls per second; aht_s: seconds; patience_s: mean patience,
    seconds (None: Erlang C). Raises StaffingError when the goal needs more than
    MAX_AGENTS agents, or an abandon cap is given without a patience.
    """
    return _solve(arrival_rate_per_s, aht_s, goal, patience_s)[0]


def staff_interval(forecast: IntervalForecast, goal: StaffingGoal) -> StaffingResult:
    """Required and scheduled agents for one interval, with the figures they reach."""
    agents, figures = _solve(forecast.arrival_rate_per_s, forecast.aht_s, goal, forecast.patience_s)
    return StaffingResult(
        forecast=forecast,
        model="erlang_c" if forecast.patience_s is None else "erlang_a",
        agents_required=agents,
        agents_scheduled=scheduled_agents(agents, goal.shrinkage),
        p_wait=figures.p_wait,
        service_level=figures.service_level,
        asa_s=figures.asa_s,
        occupancy=figures.occupancy,
        p_abandon=figures.p_abandon,
    )


def staff_forecast(forecasts: list[IntervalForecast], goal: StaffingGoal) -> list[StaffingResult]:
    """Staff each interval of a forecast independently (each is its own steady state)."""
    return [staff_interval(forecast, goal) for forecast in forecasts]


def load_forecast(
    path: Path, interval_s: float, default_patience_s: float | None = None
) -> list[IntervalForecast]:
    """Read interval forecasts from a CSV: interval_start, calls, aht_s[, patience_s].

    interval_s: length of every interval, seconds. An empty or missing patience_s takes
    default_patience_s (None: Erlang C). Errors name the file, line and column.
    """
    if not (math.isfinite(interval_s) and interval_s > 0.0):
        raise StaffingError(f"interval_s: expected seconds > 0, got {interval_s!r}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise StaffingError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise StaffingError(f"{path}: expected UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in FORECAST_COLUMNS if name not in header]
    if missing:
        raise StaffingError(
            f"{path}: line 1: expected columns {', '.join(FORECAST_COLUMNS)}[, patience_s], "
            f"missing {', '.join(missing)} (got {', '.join(header) or 'no header'})"
        )
    reader.fieldnames = header
    forecasts: list[IntervalForecast] = []
    for row in reader:
        line = reader.line_num
        if all(not (value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # blank line
        start = (row.get("interval_start") or "").strip()
        if not start:
            raise StaffingError(f"{path}: line {line}: column interval_start: expected a label")
        calls = _cell(row, "calls", f"{path}: line {line}", allow_zero=True)
        aht = _cell(row, "aht_s", f"{path}: line {line}", allow_zero=False)
        patience = default_patience_s
        if (row.get("patience_s") or "").strip():
            patience = _cell(row, "patience_s", f"{path}: line {line}", allow_zero=False)
        forecasts.append(
            IntervalForecast(
                interval_start=start,
                calls=calls,
                interval_s=interval_s,
                aht_s=aht,
                patience_s=patience,
            )
        )
    if not forecasts:
        raise StaffingError(f"{path}: expected at least one interval row, got none")
    return forecasts


def _cell(row: dict[str, str | None], column: str, where: str, allow_zero: bool) -> float:
    """One numeric cell; `where` is "file: line N" for the error message."""
    raw = (row.get(column) or "").strip()
    expected = "a number >= 0" if allow_zero else "a number > 0"
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0.0 or (value == 0.0 and not allow_zero):
        raise StaffingError(f"{where}: column {column}: expected {expected}, got {raw!r}")
    return value


def _solve(
    rate: float, aht_s: float, goal: StaffingGoal, patience_s: float | None
) -> tuple[int, _Figures]:
    if goal.abandon_cap is not None and patience_s is None:
        raise StaffingError(
            "abandon_cap: needs a mean patience (Erlang A); without one nobody abandons"
        )
    if not (math.isfinite(rate) and rate >= 0.0):
        raise StaffingError(f"arrival_rate_per_s: expected a number >= 0, got {rate!r}")
    if not (math.isfinite(aht_s) and aht_s > 0.0):
        raise StaffingError(f"aht_s: expected seconds > 0, got {aht_s!r}")
    if rate == 0.0:
        return 0, _Figures(p_wait=0.0, service_level=1.0, asa_s=0.0, occupancy=0.0, p_abandon=0.0)
    load = rate * aht_s
    # Erlang C is only defined above the load; Erlang A from one agent.
    low = 1 if patience_s is not None else math.floor(load) + 1
    if low > MAX_AGENTS:
        raise StaffingError(f"offered load: {load:.6g} Erlangs needs more than {MAX_AGENTS:,}")
    figures = _figures(rate, aht_s, patience_s, low, goal.target_s)
    if _meets(figures, goal):
        return low, figures
    # Double until the goal is met, then bisect: every constraint is monotone in agents.
    bad, step = low, 1
    while True:
        good = min(bad + step, MAX_AGENTS)
        figures = _figures(rate, aht_s, patience_s, good, goal.target_s)
        if _meets(figures, goal):
            break
        if good == MAX_AGENTS:
            raise StaffingError(
                f"goal: not reachable with up to {MAX_AGENTS:,} agents "
                f"(offered load {load:.6g} Erlangs)"
            )
        bad, step = good, step * 2
    best = figures
    while good - bad > 1:
        middle = (bad + good) // 2
        trial = _figures(rate, aht_s, patience_s, middle, goal.target_s)
        if _meets(trial, goal):
            good, best = middle, trial
        else:
            bad = middle
    return good, best


def _figures(
    rate: float, aht_s: float, patience_s: float | None, agents: int, target_s: float
) -> _Figures:
    if patience_s is None:
        c = erlang_c(rate, aht_s, agents, target_s)
        return _Figures(c.p_wait, c.service_level, c.asa_s, c.occupancy, None)
    a = erlang_a(rate, aht_s, patience_s, agents, target_s)
    return _Figures(a.p_wait, a.service_level, a.asa_s, a.occupancy, a.p_abandon)


def _meets(figures: _Figures, goal: StaffingGoal) -> bool:
    if goal.service_level is not None and figures.service_level < goal.service_level - _GOAL_SLACK:
        return False
    if goal.p_wait_cap is not None and figures.p_wait > goal.p_wait_cap + _GOAL_SLACK:
        return False
    if goal.occupancy_cap is not None and figures.occupancy > goal.occupancy_cap + _GOAL_SLACK:
        return False
    return not (
        goal.abandon_cap is not None
        and figures.p_abandon is not None
        and figures.p_abandon > goal.abandon_cap + _GOAL_SLACK
    )


def _share(name: str, value: float | None, low_open: bool, high_open: bool) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise StaffingError(f"{name}: expected a share between 0 and 1, got {value!r}")
    too_low = value <= 0.0 if low_open else value < 0.0
    too_high = value >= 1.0 if high_open else value > 1.0
    if too_low or too_high:
        low = "(0" if low_open else "[0"
        high = "1)" if high_open else "1]"
        raise StaffingError(f"{name}: expected a share in {low}, {high}, got {value!r}")
