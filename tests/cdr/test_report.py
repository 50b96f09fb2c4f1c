"""KPIs computed in SQL on the hand-checked history of `cdr_helpers`, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from cdr_helpers import DAY1, DAY2, NINE, answered, hand_checked_agent_time, hand_checked_calls

from cdr.errors import ReportInputError
from cdr.kpis import ServiceLevelDefinition
from cdr.reports.aggregate import GroupBy, KpiSettings, ReportFilter
from cdr.reports.render import to_csv
from cdr.reports.report import Report, build_report
from cdr.store.db import Database
from cdr.store.writer import CdrWriter
from cdr.testing import with_announcement

BOTH_DAYS = ReportFilter(DAY1, DAY2 + 86400.0)
DAY_ONE = ReportFilter(DAY1, DAY2)


@pytest.fixture
async def history(db: Database) -> Database:
    async with CdrWriter(db) as writer:
        for item in [*hand_checked_calls(), *hand_checked_agent_time()]:
            writer.submit(item)
    return db


def row(report: Report, label: str):  # type: ignore[no-untyped-def]
    found = [r for r in report.rows if r.label == label]
    assert found, f"no row {label!r} in {[r.label for r in report.rows]}"
    return found[0]


async def test_billing_on_day_one(history: Database) -> None:
    flt = ReportFilter(DAY1, DAY2, queues=("billing",))
    report = await build_report(history, flt, GroupBy.DAY)
    k = row(report, "2025-11-03").calls
    assert (k.offered, k.answered, k.abandoned, k.short_abandoned) == (4, 2, 2, 1)
    assert k.service_level == pytest.approx(1 / 4)  # c1 within 20 s, of 4 offered
    assert k.abandon_rate == pytest.approx(1 / 3)  # (2 - 1) / (4 - 1)
    assert k.asa_s == pytest.approx(20.0)  # (10 + 30) / 2
    assert k.avg_wait_s == pytest.approx(20.75)  # (10 + 30 + 3 + 40) / 4
    assert k.p90_wait_s == pytest.approx(40.0)
    assert k.max_wait_s == pytest.approx(40.0)
    assert k.aht_s == pytest.approx(180.0)  # (100 + 20 + 30 + 200 + 10) / 2
    assert k.avg_talk_s == pytest.approx(150.0)
    assert k.avg_wrap_up_s == pytest.approx(20.0)
    assert k.fcr == pytest.approx(0.5)  # c1 repeated by c4; c2's next call is 25 h later
    assert k.csat_mean == pytest.approx(3.5)
    assert k.csat_satisfied == pytest.approx(0.5)
    assert k.nps == pytest.approx(0.0)  # one promoter, one detractor
    assert k.transfer_rate == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (ServiceLevelDefinition.OFFERED, 1 / 4),
        (ServiceLevelDefinition.ANSWERED, 1 / 2),
        (ServiceLevelDefinition.EXCLUDE_SHORT_ABANDONS, 1 / 3),
    ],
)
async def test_each_service_level_definition(
    history: Database, definition: ServiceLevelDefinition, expected: float
) -> None:
    flt = ReportFilter(DAY1, DAY2, queues=("billing",))
    report = await build_report(history, flt, GroupBy.QUEUE, KpiSettings(definition=definition))
    assert row(report, "billing").calls.service_level == pytest.approx(expected)


async def test_by_day_queue_and_interval(history: Database) -> None:
    days = await build_report(history, BOTH_DAYS, GroupBy.DAY)
    assert [(r.label, r.calls.offered) for r in days.rows] == [("2025-11-03", 5), ("2025-11-04", 1)]
    assert days.total.calls.offered == 6
    # c5 waited exactly the 20 s target: answered within target counts <= T.
    assert row(days, "2025-11-04").calls.service_level == pytest.approx(1.0)
    assert row(days, "2025-11-04").calls.transfer_rate == pytest.approx(1.0)
    queues = await build_report(history, BOTH_DAYS, GroupBy.QUEUE)
    assert {r.label: r.calls.offered for r in queues.rows} == {"billing": 5, "support": 1}
    intervals = await build_report(history, DAY_ONE, GroupBy.INTERVAL)
    assert [(r.label, r.calls.offered) for r in intervals.rows] == [
        ("2025-11-03 09:00", 4),
        ("2025-11-03 09:15", 1),
        ("2025-11-03 09:30", 0),  # a1 still paused until 09:33:20: agent time, no calls
    ]
    assert intervals.rows[2].agents is not None
    assert intervals.rows[2].agents.paused_s == pytest.approx(200.0)
    week = await build_report(history, BOTH_DAYS, GroupBy.WEEK)
    assert [(r.label, r.calls.offered) for r in week.rows] == [("2025-W45", 6)]
    month = await build_report(history, BOTH_DAYS, GroupBy.MONTH)
    assert [(r.label, r.calls.offered) for r in month.rows] == [("2025-11", 6)]


async def test_agent_occupancy_utilization_and_pauses(history: Database) -> None:
    report = await build_report(history, BOTH_DAYS, GroupBy.AGENT)
    a1 = row(report, "a1")
    assert a1.agents is not None
    assert a1.agents.logged_in_s == pytest.approx(2000.0)
    assert a1.agents.paused_s == pytest.approx(600.0)
    assert a1.pause_by_reason == {"lunch": pytest.approx(600.0)}
    assert a1.agents.occupancy == pytest.approx(400 / 1400)
    assert a1.agents.utilization == pytest.approx(0.2)
    assert a1.agents.calls_per_hour == pytest.approx(2 * 3600 / 2000)  # c1 and c5
    day = await build_report(history, DAY_ONE, GroupBy.DAY)
    total = row(day, "2025-11-03").agents
    assert total is not None
    assert total.occupancy == pytest.approx(900 / 2400)
    assert total.utilization == pytest.approx(0.3)
    assert total.calls_per_hour == pytest.approx(3 * 3600 / 3000)


async def test_fcr_window_is_configurable(history: Database) -> None:
    flt = ReportFilter(DAY1, DAY2, queues=("billing",))
    wide = await build_report(history, flt, GroupBy.QUEUE, KpiSettings(fcr_window_s=26 * 3600.0))
    assert row(wide, "billing").calls.fcr == pytest.approx(0.0)  # c5 now repeats c2 too


async def test_unknown_filters_are_named(history: Database) -> None:
    with pytest.raises(ReportInputError, match=r"unknown queue 'nope'.*billing, support"):
        await build_report(history, ReportFilter(DAY1, DAY2, queues=("nope",)), GroupBy.DAY)
    with pytest.raises(ReportInputError, match="unknown agent 'zz'"):
        await build_report(history, ReportFilter(DAY1, DAY2, agents=("zz",)), GroupBy.DAY)
    with pytest.raises(ReportInputError, match="--from before --to"):
        ReportFilter(DAY2, DAY1)


async def test_a_quoted_filter_value_is_data_not_sql(history: Database) -> None:
    evil = "billing' OR '1'='1"
    with pytest.raises(ReportInputError, match="unknown queue"):
        await build_report(history, ReportFilter(DAY1, DAY2, queues=(evil,)), GroupBy.DAY)


async def test_the_announcement_counts_in_handle_time_and_its_hang_ups_are_shown(
    db: Database,
) -> None:
    # c7 hears a1's ID for 4 s, then talks 96, holds 20 and a1 wraps up 30 s; c8 is answered
    # by a2 after 25 s, its caller leaves 3 s into the announcement, a2 wraps up 10 s.
    calls = [
        with_announcement(
            answered("c7", "billing", NINE, 10.0, "a1", 100.0, hold=20.0, wrap=30.0), 4.0
        ),
        with_announcement(
            answered("c8", "billing", NINE + 60, 25.0, "a2", 200.0, wrap=10.0), 3.0, hung_up=True
        ),
    ]
    async with CdrWriter(db) as writer:
        for call in calls:
            writer.submit(call)
    from_rollups = await build_report(db, DAY_ONE, GroupBy.DAY)
    from_calls = await build_report(db, DAY_ONE, GroupBy.QUEUE, KpiSettings(target_s=25.0))
    for k in (row(from_rollups, "2025-11-03").calls, row(from_calls, "billing").calls):
        assert (k.offered, k.answered, k.abandoned) == (2, 2, 0)  # answered for the SL
        assert k.announcement_hangups == 1
        assert k.avg_announcement_s == pytest.approx(3.5)  # (4 + 3) / 2
        assert k.aht_s == pytest.approx(81.5)  # (4 + 96 + 20 + 30 + 3 + 10) / 2
        assert k.avg_talk_s == pytest.approx(48.0)
    assert row(from_rollups, "2025-11-03").calls.service_level == pytest.approx(0.5)
    lines = to_csv(from_rollups).splitlines()
    assert lines[0].split(",")[-2:] == ["avg_announcement_s", "announcement_hangups"]
    assert lines[-1].split(",")[-2:] == ["3.5", "1"]  # the total
