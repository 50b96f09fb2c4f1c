"""Erlang B, C and A: the published worked examples, and 50-digit references up to n = 10,000.

The references below are computed another way than the module does: the stationary
distribution summed state by state in mpmath, the service level through mpmath's
incomplete gamma function and the answered calls' wait by numerical integration.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import mpmath as mp
import pytest

from simulations.erlang import (
    ErlangAResult,
    ErlangCResult,
    ErlangError,
    erlang_a,
    erlang_b,
    erlang_c,
)
from simulations.staffing import StaffingGoal, required_agents, scheduled_agents

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO.parent / "shared" / "validation" / "erlang-vectors.json"
REL = 1e-9  # the accuracy the issue asks for against a high-precision reference


def _vectors() -> dict[str, Any]:
    if not VECTORS.is_file():
        pytest.skip(f"validation vectors not found at {VECTORS} (../shared is not checked out)")
    data: dict[str, Any] = json.loads(VECTORS.read_text())
    return data


def _ids(kind: str) -> list[str]:
    if not VECTORS.is_file():
        return ["absent"]
    return [case["id"] for case in json.loads(VECTORS.read_text())[kind]]


def _case(kind: str, case_id: str) -> dict[str, Any]:
    for case in _vectors()[kind]:
        if case["id"] == case_id:
            found: dict[str, Any] = case
            return found
    pytest.skip(f"no {kind} vector {case_id!r}")


# Vector keys -> result attributes; a key a test does not know fails the test.
C_KEYS = {"p_wait": "p_wait", "sl": "service_level", "asa_s": "asa_s", "occupancy": "occupancy"}
A_KEYS = {
    "p_wait": "p_wait",
    "p_abandon": "p_abandon",
    "sl_offered": "service_level",
    "sl_answered": "service_level_answered",
    "mean_wait_all_s": "mean_wait_s",
    "mean_queue_length": "mean_queue_length",
    "occupancy": "occupancy",
    "asa_s": "asa_s",
}
C_INPUTS = {
    "id",
    "calls_per_interval",
    "interval_s",
    "aht_s",
    "agents",
    "target_s",
    "offered_erlangs",
    "tol",
    "sl_goal",
    "p_wait_goal",
    "agents_required",
    "shrinkage",
    "agents_scheduled",
    "note",
}
A_INPUTS = {
    "id",
    "arrivals_per_min",
    "aht_min",
    "mean_patience_min",
    "agents",
    "target_s",
    "tol",
    "note",
}


def _c_traffic(case: dict[str, Any]) -> tuple[float, float]:
    """(arrival rate per second, AHT seconds) of an Erlang C vector."""
    if "offered_erlangs" in case:
        return float(case["offered_erlangs"]), 1.0  # one call per second, 1 s each
    return case["calls_per_interval"] / case["interval_s"], float(case["aht_s"])


@pytest.mark.parametrize("case_id", _ids("erlang_c"))
def test_erlang_c_vector(case_id: str) -> None:
    case = _case("erlang_c", case_id)
    unknown = set(case) - C_INPUTS - set(C_KEYS)
    assert not unknown, f"{case_id}: keys this test does not check: {unknown}"
    rate, aht = _c_traffic(case)
    target = float(case.get("target_s", 0.0))
    checked = 0
    if "agents" in case:
        result = erlang_c(rate, aht, case["agents"], target)
        for key, attribute in C_KEYS.items():
            if key in case:
                assert getattr(result, attribute) == pytest.approx(case[key], abs=case["tol"]), key
                checked += 1
    if "agents_required" in case:
        goal = StaffingGoal(
            service_level=case.get("sl_goal"),
            p_wait_cap=case.get("p_wait_goal"),
            target_s=target,
            shrinkage=case.get("shrinkage", 0.0),
        )
        assert required_agents(rate, aht, goal) == case["agents_required"]
        checked += 1
        if "agents_scheduled" in case:
            scheduled = scheduled_agents(case["agents_required"], goal.shrinkage)
            assert scheduled == case["agents_scheduled"]
            checked += 1
    assert checked, f"{case_id}: nothing to check"


@pytest.mark.parametrize("case_id", _ids("erlang_a"))
def test_erlang_a_vector(case_id: str) -> None:
    case = _case("erlang_a", case_id)
    unknown = set(case) - A_INPUTS - set(A_KEYS)
    assert not unknown, f"{case_id}: keys this test does not check: {unknown}"
    result = erlang_a(
        case["arrivals_per_min"] / 60.0,
        case["aht_min"] * 60.0,
        case["mean_patience_min"] * 60.0,
        case["agents"],
        float(case["target_s"]),
    )
    checked = [key for key in A_KEYS if key in case]
    assert checked
    for key in checked:
        assert getattr(result, A_KEYS[key]) == pytest.approx(case[key], abs=case["tol"]), key


# ---- 50-digit references -------------------------------------------------------------


def _mp_idle_and_top(load: mp.mpf, n: int) -> tuple[mp.mpf, mp.mpf]:
    """(sum_{k<n} R^k/k!, R^n/n!) term by term."""
    term = mp.mpf(1)
    below = mp.mpf(0)
    for k in range(1, n + 1):
        below += term
        term = term * load / k
    return below, term


def _ref_b(load: float, n: int) -> mp.mpf:
    return _ref_b_mp(mp.mpf(load), n)


def _ref_c(rate: float, aht: float, n: int, target: float) -> dict[str, mp.mpf]:
    lam, mu = mp.mpf(rate), 1 / mp.mpf(aht)
    load = lam / mu
    b = _ref_b_mp(load, n)
    c = n * b / (n - load * (1 - b))
    return {
        "p_wait": c,
        "service_level": 1 - c * mp.exp(-(n * mu - lam) * target),
        "asa_s": c / (n * mu - lam),
        "occupancy": load / n,
        "mean_wait_s": c / (n * mu - lam),
        "mean_queue_length": c * load / (n - load),
    }


def _ref_b_mp(load: mp.mpf, n: int) -> mp.mpf:
    below, top = _mp_idle_and_top(load, n)
    return top / (below + top)


def _ref_a(rate: float, aht: float, patience: float, n: int, target: float) -> dict[str, mp.mpf]:
    lam, mu, theta = mp.mpf(rate), 1 / mp.mpf(aht), 1 / mp.mpf(patience)
    below, top = _mp_idle_and_top(lam / mu, n)
    # Birth-death chain above n: death rate n*mu + j*theta (GMR 2002), summed directly.
    waiting, queue, term, j = top, mp.mpf(0), top, 0
    tiny = mp.mpf(10) ** -60
    while True:
        j += 1
        term = term * lam / (n * mu + j * theta)
        waiting += term
        queue += j * term
        if lam < n * mu + j * theta and term < tiny * waiting and j * term < tiny * queue:
            break
    total = below + waiting
    mean_queue = queue / total
    p_abandon = theta * mean_queue / lam
    a, y, q = n * mu / theta, lam / theta, mp.exp(-theta * target)
    p_top = top / total
    # Answered within T after a wait, through the incomplete gamma function.
    within = a * mp.exp(y) * y ** (-a - 1) * mp.gammainc(a + 1, y * q, y)
    service_level = below / total + p_top * within

    def density(w: mp.mpf) -> mp.mpf:
        return w * n * mu * mp.exp(-(n * mu + theta) * w + y * (1 - mp.exp(-theta * w)))

    scale = 1 / (n * mu - lam + theta) if n * mu + theta > lam else mp.mpf(patience)
    wait_answered = p_top * mp.quad(density, [0, scale, 10 * scale, 100 * scale, mp.inf])
    return {
        "p_wait": waiting / total,
        "p_abandon": p_abandon,
        "service_level": service_level,
        "service_level_answered": service_level / (1 - p_abandon),
        "asa_s": wait_answered / (1 - p_abandon),
        "mean_wait_s": mean_queue / lam,
        "mean_queue_length": mean_queue,
        "occupancy": lam / mu / n * (1 - p_abandon),
    }


def _rel(value: float, reference: mp.mpf) -> float:
    return float(abs(mp.mpf(value) - reference) / abs(reference))


@pytest.fixture(autouse=True)
def _fifty_digits() -> Any:
    with mp.workdps(50):
        yield


@pytest.mark.parametrize(
    ("load", "agents"),
    [
        (20.0, 30),
        (9999.0, 10_000),
        (9_000.0, 10_000),
        (0.9999, 1),
        (50.0, 45),
        (250.0, 1_000),  # ~6e-279: the running sums pass 2**600 and are rescaled
    ],
)
def test_erlang_b_against_50_digits(load: float, agents: int) -> None:
    assert _rel(erlang_b(load, agents), _ref_b(load, agents)) < REL


# (agents, load/agents): n up to 10,000 and loads up to 0.9999.
C_POINTS = [(1, 0.9999), (14, 0.5), (500, 0.95), (10_000, 0.9999), (10_000, 0.99)]


@pytest.mark.parametrize(("agents", "rho"), C_POINTS)
def test_erlang_c_against_50_digits(agents: int, rho: float) -> None:
    aht = 240.0
    rate = rho * agents / aht
    result = erlang_c(rate, aht, agents, 20.0)
    reference = _ref_c(rate, aht, agents, 20.0)
    for field in ErlangCResult.__dataclass_fields__:
        assert _rel(getattr(result, field), reference[field]) < REL, field


# (agents, load/agents, patience/AHT); the last is overloaded, which Erlang A allows.
A_POINTS = [
    (1, 0.9999, 1.0),
    (50, 0.96, 2.0),
    (200, 0.98, 1.0),
    (10_000, 0.9999, 1.0),
    (50, 1.3, 0.5),
]


@pytest.mark.parametrize(("agents", "rho", "patience_ratio"), A_POINTS)
def test_erlang_a_against_50_digits(agents: int, rho: float, patience_ratio: float) -> None:
    aht = 240.0
    rate = rho * agents / aht
    result = erlang_a(rate, aht, patience_ratio * aht, agents, 20.0)
    reference = _ref_a(rate, aht, patience_ratio * aht, agents, 20.0)
    for field in ErlangAResult.__dataclass_fields__:
        assert _rel(getattr(result, field), reference[field]) < REL, field


# ---- behaviour at the edges ---------------------------------------------------------------


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    rate, aht, agents = 0.1, 180.0, 20  # 18 Erlangs
    c = erlang_c(rate, aht, agents, 20.0)
    a = erlang_a(rate, aht, 1e8, agents, 20.0)
    assert a.p_abandon < 1e-6
    for field in ("p_wait", "service_level", "asa_s", "occupancy"):
        assert getattr(a, field) == pytest.approx(getattr(c, field), rel=1e-4), field
    infinite = erlang_a(rate, aht, math.inf, agents, 20.0)
    assert infinite.p_abandon == 0.0
    assert infinite.p_wait == c.p_wait


def test_erlang_a_serves_an_overload_that_erlang_c_rejects() -> None:
    result = erlang_a(0.5, 240.0, 60.0, 100, 20.0)  # 120 Erlangs on 100 agents
    assert result.p_abandon > 1 - 100 / 120  # at least the excess hangs up
    assert 0.9 < result.occupancy <= 1.0
    with pytest.raises(ErlangError, match="agents"):
        erlang_c(0.5, 240.0, 100, 20.0)


def test_figures_underflow_to_zero_instead_of_failing() -> None:
    assert erlang_b(1.0, 10_000) == 0.0  # true value ~ 1e-35660
    c = erlang_c(1.0 / 240.0, 240.0, 10_000, 20.0)
    assert c.p_wait == 0.0
    assert c.service_level == 1.0


def test_no_traffic() -> None:
    assert erlang_b(0.0, 3) == 0.0
    assert erlang_b(5.0, 0) == 1.0
    assert erlang_c(0.0, 240.0, 1, 20.0) == ErlangCResult(0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    assert erlang_a(0.0, 240.0, 60.0, 1, 20.0).service_level == 1.0


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: erlang_c(0.2, 240.0, 48, 20.0), ["agents", "48", "unstable"]),
        (lambda: erlang_c(0.2, -5.0, 55, 20.0), ["aht_s", "-5.0"]),
        (lambda: erlang_c(math.nan, 240.0, 55, 20.0), ["arrival_rate_per_s", "nan"]),
        (lambda: erlang_c(0.2, 240.0, 55, -1.0), ["target_s", "-1.0"]),
        (lambda: erlang_c(0.2, 240.0, 0, 20.0), ["agents", "0"]),
        (lambda: erlang_a(0.2, 240.0, 0.0, 55, 20.0), ["patience_s", "0.0"]),
        (lambda: erlang_b(-1.0, 3), ["offered_erlangs", "-1.0"]),
        (lambda: erlang_b(1.0, True), ["agents", "True"]),
    ],
)
def test_impossible_inputs_name_the_parameter_and_value(call: Any, names: list[str]) -> None:
    with pytest.raises(ErlangError) as raised:
        call()
    assert isinstance(raised.value, ValueError)
    for name in names:
        assert name in str(raised.value)
