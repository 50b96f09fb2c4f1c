"""Confidence intervals and the report's breakdowns."""

from __future__ import annotations

import math

import pytest

from simulations.report import estimate, t95


def test_estimate_mean_and_t_interval() -> None:
    e = estimate([10.0, 12.0, 14.0])
    # mean 12, s = 2, t(0.975, 2) = 4.303: half-width 4.303 * 2 / sqrt(3)
    assert e.mean == pytest.approx(12.0)
    assert e.half_width == pytest.approx(4.303 * 2 / math.sqrt(3))
    assert e.replications == 3


def test_one_replication_has_no_interval_and_undefined_values_are_left_out() -> None:
    assert estimate([5.0]).half_width is None
    assert estimate([None, 4.0, None, 6.0]).mean == pytest.approx(5.0)
    assert estimate([None]).mean is None


def test_t_quantiles() -> None:
    assert t95(1) == pytest.approx(12.706)
    assert t95(30) == pytest.approx(2.042)
    assert 1.96 < t95(200) < 1.975
    with pytest.raises(ValueError):
        t95(0)
