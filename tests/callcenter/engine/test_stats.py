"""Today's per-queue figures for the wallboard: the queue's own target, the KPI edges of
`cdr.kpis`, and a fresh start at the center's midnight."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.engine.stats import TodayStats

BERLIN = ZoneInfo("Europe/Berlin")
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=BERLIN).timestamp()


def test_each_queue_counts_its_service_level_against_its_own_target() -> None:
    stats = TodayStats(BERLIN, {"sales": 30.0, "support": 20.0}, short_abandon_s=5.0)
    for waited in (30.0, 25.0, 31.0):  # exactly the target counts as within it
        stats.answered("sales", waited, NOON)
        stats.answered("support", waited, NOON)
    stats.abandoned("sales", 5.0, NOON)  # exactly the threshold: not a short abandon
    stats.abandoned("sales", 4.9, NOON)
    stats.left("sales", NOON)  # overflowed out: offered, neither answered nor abandoned
    sales = stats.figures("sales", NOON)
    assert (sales.offered, sales.answered, sales.abandoned) == (6, 3, 2)
    assert sales.service_level == pytest.approx(2 / 6)
    assert sales.asa_s == pytest.approx(86 / 3)
    assert sales.abandon_rate == pytest.approx(1 / 5)  # (2 - 1) / (6 - 1)
    assert stats.figures("support", NOON).service_level == 0.0  # 25, 30, 31 s all over 20 s
    stats.set_target("support", 25.0)
    stats.answered("support", 25.0, NOON)
    assert stats.figures("support", NOON).service_level == pytest.approx(1 / 4)


def test_the_figures_start_again_at_the_centers_midnight() -> None:
    stats = TodayStats(BERLIN, {"sales": 20.0}, short_abandon_s=5.0)
    stats.answered("sales", 3.0, NOON)
    late = datetime(2026, 12, 7, 23, 59, tzinfo=BERLIN).timestamp()
    assert stats.figures("sales", late).offered == 1
    tomorrow = datetime(2026, 12, 8, 0, 1, tzinfo=BERLIN).timestamp()
    assert stats.figures("sales", tomorrow).offered == 0
    assert stats.figures("sales", tomorrow).service_level is None  # no calls is not 0 %
