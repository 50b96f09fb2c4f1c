"""The KPI formulas on hand-checked numbers (no database)."""

from __future__ import annotations

import pytest

from cdr import kpis
from cdr.kpis import AgentTally, CallTally, ServiceLevelDefinition


def test_service_level_in_its_three_definitions() -> None:
    # 100 offered, 70 answered, 60 of them within 20 s, 10 abandoned within 5 s.
    sl = kpis.service_level
    assert sl(60, 100, 70, 10, ServiceLevelDefinition.OFFERED) == pytest.approx(0.60)
    assert sl(60, 100, 70, 10, ServiceLevelDefinition.ANSWERED) == pytest.approx(60 / 70)
    assert sl(60, 100, 70, 10, ServiceLevelDefinition.EXCLUDE_SHORT_ABANDONS) == pytest.approx(
        60 / 90
    )
    assert sl(0, 0, 0, 0) is None  # no calls is not 0 %


def test_threshold_edges_target_inclusive_short_abandon_exclusive() -> None:
    assert kpis.answered_in_target(20.0, 20.0) and not kpis.answered_in_target(20.001, 20.0)
    assert kpis.short_abandon(4.999, 5.0) and not kpis.short_abandon(5.0, 5.0)


def test_abandon_rate_leaves_out_short_abandons() -> None:
    assert kpis.abandon_rate(30, 100, 10) == pytest.approx(20 / 90)
    assert kpis.abandon_rate(30, 100, 10, exclude_short=False) == pytest.approx(0.30)
    assert kpis.abandon_rate(5, 5, 5) is None


def test_handle_time_speed_of_answer_and_agent_ratios() -> None:
    # The agent's time: announcement 20 + talk 600 + hold 60 + wrap-up 140 over 4 calls.
    assert kpis.aht(20.0, 600.0, 60.0, 140.0, 4) == pytest.approx(205.0)
    assert kpis.asa(90.0, 3) == pytest.approx(30.0)
    assert kpis.occupancy(1800.0, 600.0) == pytest.approx(0.75)
    assert kpis.utilization(1800.0, 3600.0) == pytest.approx(0.5)
    assert kpis.calls_per_hour(6, 7200.0) == pytest.approx(3.0)
    assert kpis.aht(0.0, 0.0, 0.0, 0.0, 0) is None


def test_csat_and_nps() -> None:
    # Scores 5, 4, 2: mean 11/3, 2 of 3 satisfied. NPS: 10, 9, 7, 3 -> (2 - 1) / 4 = +25.
    assert kpis.csat_mean(11, 3) == pytest.approx(11 / 3)
    assert kpis.csat_satisfied(2, 3) == pytest.approx(2 / 3)
    assert kpis.nps(2, 1, 4) == pytest.approx(25.0)
    assert kpis.nps(0, 4, 4) == pytest.approx(-100.0)
    assert kpis.nps(0, 0, 0) is None


def test_p90_from_a_histogram_is_the_nearest_rank_bin() -> None:
    # Waits 0.5, 1.2, 1.7, 3.0, 9.9 (bins 0, 1, 1, 3, 9): p90 = rank 5 -> bin 9 -> 10 s,
    # capped by the longest wait 9.9; the median is rank 3 -> bin 1 -> 2 s.
    histogram = {0: 1, 1: 2, 3: 1, 9: 1}
    assert kpis.quantile_from_histogram(histogram, 0.9, 9.9) == pytest.approx(9.9)
    assert kpis.quantile_from_histogram(histogram, 0.5, 9.9) == pytest.approx(2.0)
    assert kpis.quantile_from_histogram({0: 10}, 0.9, 0.0) == 0.0
    assert kpis.quantile_from_histogram({}, 0.9) is None
    with pytest.raises(ValueError, match="0 <= q <= 1"):
        kpis.quantile_from_histogram(histogram, 1.5)


def test_call_kpis_from_a_tally() -> None:
    tally = CallTally(
        offered=10, answered=8, abandoned=2, short_abandoned=1, answered_within_target=6,
        handled=8, transferred=2, wait_answered_s=80.0, wait_all_s=100.0, waited=10,
        max_wait_s=30.0, talk_s=1600.0, hold_s=80.0, wrap_up_s=240.0, fcr_eligible=5,
        fcr_repeated=1, csat_responses=4, csat_sum=16, csat_satisfied=3, nps_responses=4,
        nps_promoters=2, nps_detractors=1, announce_s=24.0, announcement_hangups=1,
    )  # fmt: skip
    k = kpis.call_kpis(tally, definition=ServiceLevelDefinition.EXCLUDE_SHORT_ABANDONS)
    assert k.service_level == pytest.approx(6 / 9)
    assert k.abandon_rate == pytest.approx(1 / 9)
    assert k.asa_s == pytest.approx(10.0)
    assert k.avg_wait_s == pytest.approx(10.0)
    assert k.aht_s == pytest.approx(243.0)  # (24 + 1600 + 80 + 240) / 8
    assert k.avg_announcement_s == pytest.approx(3.0)
    assert k.announcement_hangups == 1
    assert k.avg_talk_s == pytest.approx(200.0)
    assert k.avg_wrap_up_s == pytest.approx(30.0)
    assert k.transfer_rate == pytest.approx(0.25)
    assert k.fcr == pytest.approx(0.8)  # 4 of 5 not repeated
    assert k.csat_mean == pytest.approx(4.0)
    assert k.nps == pytest.approx(25.0)


def test_merging_tallies_adds_counts_and_keeps_the_longest_wait() -> None:
    a = CallTally(offered=3, answered=2, max_wait_s=12.0, talk_s=100.0)
    b = CallTally(offered=1, answered=1, max_wait_s=40.0, talk_s=50.0)
    total = kpis.merge_call_tallies([a, b])
    assert (total.offered, total.answered, total.max_wait_s, total.talk_s) == (4, 3, 40.0, 150.0)
    agents = kpis.merge_agent_tallies([AgentTally(100, 50, 40, 10, 1), AgentTally(50, 0, 50, 0, 2)])
    assert kpis.agent_kpis(agents).occupancy == pytest.approx(90 / 140)
    assert kpis.merge_histograms([{1: 2}, {1: 1, 4: 1}]) == {1: 3, 4: 1}


def test_a_producer_counts_a_call_with_the_kpi_edges_of_its_queue() -> None:
    # What the simulator and the live statistics do per call: the edges are those of
    # answered_in_target (wait <= T) and short_abandon (wait < threshold), with the queue's T.
    tally = CallTally()
    tally.add_answered(30.0, 30.0)  # exactly the queue's target: within
    tally.add_answered(20.5, 20.0)
    tally.add_abandoned(5.0, 5.0)  # exactly the threshold: not short
    tally.add_abandoned(4.9, 5.0)
    assert (tally.answered, tally.handled, tally.answered_within_target) == (2, 2, 1)
    assert (tally.abandoned, tally.short_abandoned, tally.waited) == (2, 1, 4)
    assert tally.wait_answered_s == pytest.approx(50.5)
    assert tally.wait_all_s == pytest.approx(60.4)
    assert tally.max_wait_s == 30.0
    tally.offered = 4
    k = kpis.call_kpis(tally)
    assert (k.service_level, k.asa_s, k.avg_wait_s) == (0.25, 25.25, pytest.approx(15.1))
    assert k.abandon_rate == pytest.approx(1 / 3)  # (2 - 1) / (4 - 1)


def test_merge_adds_every_count_the_simulator_keeps_too() -> None:
    a = CallTally(offered=2, delayed=1, overflowed=1, ring_no_answer=2, announce_s=3.0)
    b = CallTally(offered=1, expired=1, announcement_hangups=1, max_wait_s=7.0)
    a.merge(b)
    assert (a.offered, a.delayed, a.overflowed, a.expired, a.ring_no_answer) == (3, 1, 1, 1, 2)
    assert (a.announce_s, a.announcement_hangups, a.max_wait_s) == (3.0, 1, 7.0)


def test_the_records_count_every_field_but_the_simulators_own() -> None:
    assert kpis.RECORDED_FIELDS[-2:] == ("announce_s", "announcement_hangups")
    assert not {"delayed", "overflowed", "expired", "ring_no_answer"} & set(kpis.RECORDED_FIELDS)
