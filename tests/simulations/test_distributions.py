"""Variate streams: right means and spreads, reproducible, invalid parameters refused."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from simulations.distributions import Distribution, PoissonArrivals, poisson_times

SPEC: TypeAdapter[Distribution] = TypeAdapter(Distribution)


@pytest.mark.parametrize(
    ("spec", "mean", "sd"),
    [
        ({"dist": "exponential", "mean_s": 120}, 120.0, 120.0),
        ({"dist": "lognormal", "mean_s": 200, "sd_s": 80}, 200.0, 80.0),
        ({"dist": "gamma", "mean_s": 240, "sd_s": 60}, 240.0, 60.0),
        ({"dist": "deterministic", "value_s": 30}, 30.0, 0.0),
    ],
)
def test_sample_mean_and_spread(spec: dict[str, object], mean: float, sd: float) -> None:
    sampler = SPEC.validate_python(spec).sampler(np.random.default_rng(1))
    values = [sampler() for _ in range(40_000)]
    assert statistics.fmean(values) == pytest.approx(mean, rel=0.02)
    assert statistics.pstdev(values) == pytest.approx(sd, rel=0.03, abs=1e-9)


def test_empirical_resamples_the_given_values_and_never_is_infinite() -> None:
    sampler = SPEC.validate_python({"dist": "empirical", "values_s": [10, 20, 30]}).sampler(
        np.random.default_rng(2)
    )
    assert {sampler() for _ in range(200)} == {10.0, 20.0, 30.0}
    assert SPEC.validate_python({"dist": "never"}).sampler(np.random.default_rng(0))() == math.inf


def test_same_seed_same_stream() -> None:
    spec = SPEC.validate_python({"dist": "exponential", "mean_s": 5})
    a = spec.sampler(np.random.default_rng(9))
    b = spec.sampler(np.random.default_rng(9))
    assert [a() for _ in range(5000)] == [b() for _ in range(5000)]


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "exponential", "mean_s": -1},
        {"dist": "exponential", "mean_s": float("nan")},
        {"dist": "lognormal", "mean_s": 100},
        {"dist": "gamma", "mean_s": 100, "sd_s": 0},
        {"dist": "empirical", "values_s": []},
        {"dist": "uniform", "low": 1},
    ],
)
def test_impossible_parameters_are_refused(spec: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SPEC.validate_python(spec)


def test_poisson_arrivals_follow_the_rate_of_each_interval() -> None:
    arrivals = PoissonArrivals(calls_per_hour_by_interval=[360, 0, 3600])
    rates = arrivals.rates_per_s(4)
    assert rates == [0.1, 0.0, 1.0, 1.0]  # the last rate repeats
    times = list(poisson_times(rates, 1000.0, np.random.default_rng(4)))
    assert times == sorted(times)
    per_interval = [sum(1 for t in times if i * 1000 <= t < (i + 1) * 1000) for i in range(4)]
    assert per_interval[1] == 0
    assert per_interval[0] == pytest.approx(100, abs=35)
    assert per_interval[2] == pytest.approx(1000, abs=110)
    with pytest.raises(ValidationError):
        PoissonArrivals()
