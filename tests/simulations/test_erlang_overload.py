"""Erlang A service level when agents are overloaded: tiny, and still exact in relative terms.

Under overload nearly every answered call waits past the target, so "answered within T" is
a small difference of two masses close to each other. Computed as that difference it kept
only an absolute accuracy of ~1e-12 (relative errors up to 1e229 at n = 10,000); the
reference here is the birth-death chain through mpmath's incomplete gamma at 50 digits.
"""

from __future__ import annotations

from collections.abc import Iterator

import mpmath as mp
import pytest

from simulations.erlang import erlang_a

REL = 1e-9


@pytest.fixture(autouse=True)
def _fifty_digits() -> Iterator[None]:
    with mp.workdps(50):
        yield


def _reference(
    rate: float, aht: float, patience: float, agents: int, target: float
) -> dict[str, mp.mpf]:
    """P(abandon) and service levels of M/M/n+M from incomplete gamma functions."""
    lam, mu, theta = mp.mpf(rate), 1 / mp.mpf(aht), 1 / mp.mpf(patience)
    load = lam / mu
    x, y = agents * mu / theta, lam / theta
    # 1/B = e^R R^-n Gamma(n+1, R); queue states weigh A = x e^y y^-x gamma(x, y) (GMR 2002).
    idle = mp.exp(load) * load ** (-agents) * mp.gammainc(agents + 1, load) - 1
    queue = x * mp.exp(y) * y ** (-x) * mp.gammainc(x, 0, y)
    total = idle + queue
    p_abandon = (x + (y - x) * queue) / (y * total)
    z = y * mp.exp(-theta * target)
    within = x * mp.exp(y) * y ** (-x - 1) * mp.gammainc(x + 1, z, y) / total
    service_level = idle / total + within
    return {
        "p_abandon": p_abandon,
        "service_level": service_level,
        "service_level_answered": service_level / (1 - p_abandon),
    }


@pytest.mark.parametrize(
    ("agents", "rho", "patience_ratio", "target"),
    [
        (50, 1.3, 0.5, 20.0),  # gap between the two regimes: z just above x + 1
        (200, 1.2, 4.0, 20.0),  # SL ~ 1.2e-6
        (1_000, 1.2, 4.0, 20.0),  # SL ~ 4e-26
        (10_000, 1.05, 4.0, 20.0),  # SL ~ 9e-9
        (10_000, 1.2, 1.0, 20.0),  # SL ~ 4e-24
        (5, 3.0, 20.0, 1.0),  # small system, long patience, short target
        (500, 1.02, 1.0, 300.0),  # barely overloaded, long target: the series branch
    ],
)
def test_overloaded_service_level_keeps_its_relative_accuracy(
    agents: int, rho: float, patience_ratio: float, target: float
) -> None:
    aht = 240.0
    rate = rho * agents / aht
    result = erlang_a(rate, aht, patience_ratio * aht, agents, target)
    reference = _reference(rate, aht, patience_ratio * aht, agents, target)
    for field, expected in reference.items():
        got = getattr(result, field)
        assert float(abs(mp.mpf(got) - expected) / expected) < REL, (field, got, expected)
