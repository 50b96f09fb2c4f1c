"""Handle-time and patience distributions, and Poisson arrivals with rates per interval.

A spec is validated at the edge (pydantic); `spec.sampler(rng)` gives a stream that draws
from a `numpy.random.Generator` in blocks and hands out one float at a time cheaply.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

BLOCK = 4096
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Sampler:
    """Draws in numpy blocks; calling it returns the next value."""

    __slots__ = ("_block", "_draw", "_index")

    def __init__(self, draw: Callable[[int], np.ndarray[Any, Any]]) -> None:
        self._draw = draw
        self._block: list[float] = []
        self._index = 0

    def __call__(self) -> float:
        if self._index >= len(self._block):
            self._block = self._draw(BLOCK).tolist()
            self._index = 0
        value: float = self._block[self._index]
        self._index += 1
        return value

    def values(self) -> Iterator[float]:
        """The rest of the same stream as an endless iterator: cheaper per value in a loop.

        It takes the stream over: don't call the sampler itself once you use this."""
        rest = self._block[self._index :]
        self._block, self._index = [], 0
        blocks = iter(lambda: self._draw(BLOCK).tolist(), None)  # a list is never None
        return chain(rest, chain.from_iterable(blocks))


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exponential(_Spec):
    dist: Literal["exponential"] = "exponential"
    mean_s: Positive

    def sampler(self, rng: np.random.Generator) -> Sampler:
        return Sampler(lambda n: rng.exponential(self.mean_s, n))

    def mean(self) -> float:
        return self.mean_s


class Lognormal(_Spec):
    """Given by the mean and standard deviation of the times themselves (not of their log)."""

    dist: Literal["lognormal"] = "lognormal"
    mean_s: Positive
    sd_s: Positive

    def sampler(self, rng: np.random.Generator) -> Sampler:
        sigma2 = math.log1p((self.sd_s / self.mean_s) ** 2)
        mu = math.log(self.mean_s) - sigma2 / 2
        sigma = math.sqrt(sigma2)
        return Sampler(lambda n: rng.lognormal(mu, sigma, n))

    def mean(self) -> float:
        return self.mean_s


class Gamma(_Spec):
    """Given by the mean and the standard deviation (shape = (mean/sd)^2)."""

    dist: Literal["gamma"] = "gamma"
    mean_s: Positive
    sd_s: Positive

    def sampler(self, rng: np.random.Generator) -> Sampler:
        shape = (self.mean_s / self.sd_s) ** 2
        scale = self.mean_s / shape
        return Sampler(lambda n: rng.gamma(shape, scale, n))

    def mean(self) -> float:
        return self.mean_s


class Deterministic(_Spec):
    dist: Literal["deterministic"] = "deterministic"
    value_s: NonNegative

    def sampler(self, rng: np.random.Generator) -> Sampler:
        return Sampler(lambda n: np.full(n, self.value_s))

    def mean(self) -> float:
        return self.value_s


class Empirical(_Spec):
    """Resample observed values (e.g. handle times from last month's CDR) uniformly."""

    dist: Literal["empirical"] = "empirical"
    values_s: Annotated[list[NonNegative], Field(min_length=1)]

    def sampler(self, rng: np.random.Generator) -> Sampler:
        values = np.asarray(self.values_s, dtype=float)
        return Sampler(lambda n: rng.choice(values, n))

    def mean(self) -> float:
        return float(np.mean(self.values_s))


class Never(_Spec):
    """Infinite patience: the caller never hangs up while waiting."""

    dist: Literal["never"] = "never"

    def sampler(self, rng: np.random.Generator) -> Sampler:
        return Sampler(lambda n: np.full(n, math.inf))

    def mean(self) -> float:
        return math.inf


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Deterministic | Empirical | Never,
    Field(discriminator="dist"),
]


class PoissonArrivals(_Spec):
    """Poisson arrivals: one rate for the whole run, or one rate per interval (calls/hour)."""

    kind: Literal["poisson"] = "poisson"
    calls_per_hour: NonNegative | None = None
    calls_per_hour_by_interval: list[NonNegative] | None = None

    @model_validator(mode="after")
    def _one_rate_form(self) -> PoissonArrivals:
        if (self.calls_per_hour is None) == (self.calls_per_hour_by_interval is None):
            raise ValueError("give either calls_per_hour or calls_per_hour_by_interval")
        if self.calls_per_hour_by_interval is not None and not self.calls_per_hour_by_interval:
            raise ValueError("calls_per_hour_by_interval is empty")
        return self

    def rates_per_s(self, intervals: int) -> list[float]:
        """The arrival rate in each interval, calls per second (the last one repeats)."""
        if self.calls_per_hour is not None:
            return [self.calls_per_hour / 3600.0] * intervals
        assert self.calls_per_hour_by_interval is not None
        given = self.calls_per_hour_by_interval
        return [given[min(i, len(given) - 1)] / 3600.0 for i in range(intervals)]


def poisson_times(
    rates_per_s: Sequence[float], interval_s: float, rng: np.random.Generator
) -> Iterator[float]:
    """Arrival times of a Poisson process with a constant rate in each interval, in order.

    Within an interval the count is Poisson(rate × length) and the times are uniform and
    sorted — the same process as exponential gaps, drawn a block (interval) at a time.
    """
    for index, rate in enumerate(rates_per_s):
        if rate <= 0:
            continue
        start = index * interval_s
        n = int(rng.poisson(rate * interval_s))
        if n:
            yield from np.sort(rng.uniform(start, start + interval_s, n)).tolist()
