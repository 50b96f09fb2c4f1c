"""KPI formulas on hand-checked examples."""

from __future__ import annotations

import pytest

from cdr import kpis
from cdr.kpis import AgentTotals, CallTotals, SlDefinition, SurveyTotals


def test_service_level_three_definitions_differ_as_computed_by_hand() -> None:
    # 100 offered, 80 answered (60 within T), 20 abandoned of which 5 within 5 s.
    args = {"answered_in_target": 60, "offered": 100, "answered": 80, "short_abandoned": 5}
    assert kpis.service_level(**args, definition=SlDefinition.OFFERED) == pytest.approx(0.60)
    assert kpis.service_level(**args, definition=SlDefinition.ANSWERED) == pytest.approx(0.75)
    assert kpis.service_level(
        **args, definition=SlDefinition.OFFERED_LESS_SHORT_ABANDONS
    ) == pytest.approx(60 / 95)


def test_service_level_with_no_calls_is_undefined_not_zero() -> None:
    for definition in SlDefinition:
        assert kpis.service_level(0, 0, 0, 0, definition) is None
    # Every offered call was a short abandon: nothing is left to measure.
    assert kpis.service_level(0, 3, 0, 3, SlDefinition.OFFERED_LESS_SHORT_ABANDONS) is None


def test_definitions_have_labels_a_report_can_print() -> None:
    assert SlDefinition.ANSWERED.label == "answered within T / answered"
    assert SlDefinition("offered-less-short-abandons") is SlDefinition.OFFERED_LESS_SHORT_ABANDONS


def test_asa_average_wait() -> None:
    assert kpis.asa(wait_answered_s=300.0, answered=10) == pytest.approx(30.0)
    assert kpis.asa(0.0, 0) is None
    assert kpis.average_wait(450.0, 15) == pytest.approx(30.0)


def test_p90_wait_by_nearest_rank() -> None:
    waits = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0]
    # 90 % of 10 waits is rank 9: the ninth smallest.
    assert kpis.wait_quantile(waits, 0.9) == 9.0
    assert kpis.wait_quantile(waits, 0.91) == 100.0
    assert kpis.wait_quantile(waits, 1.0) == 100.0
    assert kpis.wait_quantile([42.0], 0.9) == 42.0
    assert kpis.wait_quantile([], 0.9) is None
    with pytest.raises(ValueError, match="0 < q <= 1"):
        kpis.wait_quantile(waits, 0.0)


def test_p90_wait_from_histogram_is_the_upper_edge_of_the_bin() -> None:
    # 10-second bins: 5 waits in [0, 10), 4 in [10, 20), 1 in [30, 40).
    counts = [5, 4, 0, 1]
    assert kpis.wait_quantile_from_histogram(counts, 10.0, 0.9) == 20.0
    assert kpis.wait_quantile_from_histogram(counts, 10.0, 0.5) == 10.0
    assert kpis.wait_quantile_from_histogram(counts, 10.0, 0.95) == 40.0
    assert kpis.wait_quantile_from_histogram([0, 0], 10.0) is None


def test_handle_times() -> None:
    # 4 calls: 600 s talk, 60 s hold, 120 s wrap-up.
    assert kpis.aht(600.0, 60.0, 120.0, 4) == pytest.approx(195.0)
    assert kpis.average_talk(600.0, 4) == pytest.approx(150.0)
    assert kpis.acw(120.0, 4) == pytest.approx(30.0)
    assert kpis.aht(0.0, 0.0, 0.0, 0) is None


def test_abandon_rate_with_and_without_short_abandons() -> None:
    assert kpis.abandon_rate(20, 100) == pytest.approx(0.20)
    assert kpis.abandon_rate(20, 100, 5, exclude_short=True) == pytest.approx(15 / 95)
    assert kpis.abandon_rate(0, 0) is None


def test_transfer_rate_and_fcr() -> None:
    assert kpis.transfer_rate(8, 80) == pytest.approx(0.10)
    assert kpis.first_call_resolution(45, 60) == pytest.approx(0.75)
    assert kpis.first_call_resolution(0, 0) is None


def test_occupancy_utilization_calls_per_hour() -> None:
    # 8 h logged in: 5 h handling, 2 h idle and ready, 1 h paused; 60 calls.
    assert kpis.occupancy(5 * 3600.0, 2 * 3600.0) == pytest.approx(5 / 7)
    assert kpis.utilization(5 * 3600.0, 8 * 3600.0) == pytest.approx(5 / 8)
    assert kpis.calls_per_hour(60, 8 * 3600.0) == pytest.approx(7.5)
    assert kpis.occupancy(0.0, 0.0) is None
    assert kpis.calls_per_hour(3, 0.0) is None


def test_csat_and_nps_from_scores() -> None:
    survey = SurveyTotals.of(csat_scores=[5, 4, 3, 1], nps_scores=[10, 9, 8, 7, 6, 0])
    assert kpis.csat_mean(survey.csat_sum, survey.csat_responses) == pytest.approx(13 / 4)
    assert kpis.csat_satisfied(survey.csat_satisfied, survey.csat_responses) == 0.5
    # 2 promoters, 2 detractors of 6: NPS 0; passives (7, 8) count only in the total.
    assert kpis.nps(survey.promoters, survey.detractors, survey.nps_responses) == 0.0
    assert kpis.nps(3, 1, 4) == pytest.approx(50.0)
    assert kpis.nps(0, 0, 0) is None
    with pytest.raises(ValueError, match=r"CSAT score: expected 1\.\.5, got 0"):
        SurveyTotals.of([0], [])
    with pytest.raises(ValueError, match=r"NPS score: expected 0\.\.10, got 11"):
        SurveyTotals.of([], [11])


def test_call_kpis_bundle_computes_every_kpi() -> None:
    totals = CallTotals(
        offered=100,
        answered=80,
        answered_in_target=60,
        abandoned=20,
        short_abandoned=5,
        transferred=8,
        wait_answered_s=1600.0,
        queued_wait_s=2400.0,
        waited=100,
        max_wait_s=310.0,
        talk_s=80 * 180.0,
        hold_s=80 * 10.0,
        wrap_up_s=80 * 30.0,
        contacts=50,
        resolved_first_contact=40,
        survey=SurveyTotals.of([5, 4], [10, 3]),
    )
    result = kpis.call_kpis(totals, SlDefinition.ANSWERED)
    assert result.service_level == pytest.approx(0.75)
    assert result.service_level_definition is SlDefinition.ANSWERED
    assert result.asa_s == pytest.approx(20.0)
    assert result.average_wait_s == pytest.approx(24.0)
    assert result.longest_wait_s == 310.0
    assert result.aht_s == pytest.approx(220.0)
    assert result.average_talk_s == pytest.approx(180.0)
    assert result.acw_s == pytest.approx(30.0)
    assert result.abandon_rate == pytest.approx(0.2)
    assert result.abandon_rate_less_short == pytest.approx(15 / 95)
    assert result.transfer_rate == pytest.approx(0.1)
    assert result.fcr == pytest.approx(0.8)
    assert result.csat_mean == pytest.approx(4.5)
    assert result.csat_satisfied == 1.0
    assert result.nps == 0.0


def test_empty_totals_give_none_everywhere_a_ratio_is_undefined() -> None:
    result = kpis.call_kpis(CallTotals())
    assert result.offered == 0
    assert result.service_level is None
    assert result.asa_s is None
    assert result.aht_s is None
    assert result.abandon_rate is None
    assert result.nps is None


def test_agent_kpis() -> None:
    totals = AgentTotals(
        logged_in_s=8 * 3600.0,
        available_s=2 * 3600.0,
        handle_s=5 * 3600.0,
        handled=60,
        paused_s=(("lunch", 2700.0), ("break", 900.0)),
    )
    result = kpis.agent_kpis(totals)
    assert result.occupancy == pytest.approx(5 / 7)
    assert result.utilization == pytest.approx(5 / 8)
    assert result.calls_per_hour == pytest.approx(7.5)
    assert result.paused_s == 3600.0
    assert result.paused_by_reason_s == (("break", 900.0), ("lunch", 2700.0))
