"""Opening hours: weekly intervals, overnight shifts, holidays, special days, DST."""

from __future__ import annotations

import pytest
from ivr_helpers import at
from pydantic import ValidationError

from ivr.hours import CalendarModel, is_open, next_opening, parse_interval

PARIS = "Europe/Paris"


def calendar(**settings: object) -> CalendarModel:
    return CalendarModel.model_validate({"time_zone": PARIS, **settings})


OFFICE = calendar(
    weekly={day: ["08:00-12:00", "13:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    holidays=["2025-05-01"],
    special_days={"2025-12-24": ["09:00-12:00"]},
).compile()


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2025-03-03 07:59", False),
        ("2025-03-03 08:00", True),
        ("2025-03-03 12:30", False),  # lunch
        ("2025-03-03 17:59", True),
        ("2025-03-03 18:00", False),  # the end is exclusive
        ("2025-03-08 10:00", False),  # Saturday
        ("2025-05-01 10:00", False),  # holiday, a Thursday
        ("2025-12-24 10:00", True),  # special day
        ("2025-12-24 14:00", False),
    ],
)
def test_weekly_hours_holidays_and_special_days(local: str, expected: bool) -> None:
    assert is_open(OFFICE, at(local, PARIS)) is expected


def test_overnight_interval_runs_into_the_next_day() -> None:
    night = calendar(weekly={"fri": ["22:00-06:00"]}, holidays=["2025-03-10"]).compile()
    assert is_open(night, at("2025-03-07 23:00", PARIS))  # Friday night
    assert is_open(night, at("2025-03-08 05:59", PARIS))  # Saturday early morning
    assert not is_open(night, at("2025-03-08 06:00", PARIS))
    assert not is_open(night, at("2025-03-07 21:00", PARIS))
    # Friday 2025-03-14's night is cut at midnight if Saturday is a holiday.
    cut = calendar(weekly={"fri": ["22:00-06:00"]}, holidays=["2025-03-15"]).compile()
    assert is_open(cut, at("2025-03-14 23:00", PARIS))
    assert not is_open(cut, at("2025-03-15 01:00", PARIS))


def test_dst_spring_forward_keeps_local_hours() -> None:
    # Paris moved from UTC+1 to UTC+2 on Sunday 2025-03-30; opening stays 08:00 local.
    weekend = calendar(weekly={"sun": ["08:00-09:00"], "mon": ["08:00-09:00"]}).compile()
    sunday_8_utc = at("2025-03-30 06:00", "UTC")  # 08:00 Paris summer time
    assert is_open(weekend, sunday_8_utc)
    assert not is_open(weekend, sunday_8_utc - 1)
    assert next_opening(weekend, at("2025-03-29 12:00", "UTC")) == sunday_8_utc
    # 23 hours from Saturday 08:00 (winter) to Sunday 08:00 (summer) local.
    saturday = calendar(weekly={"sat": ["08:00-09:00"]}).compile()
    sat_open = next_opening(saturday, at("2025-03-29 00:00", PARIS))
    assert sat_open is not None
    assert sunday_8_utc - sat_open == 23 * 3600


def test_next_opening() -> None:
    friday_evening = at("2025-03-07 19:00", PARIS)
    assert next_opening(OFFICE, friday_evening) == at("2025-03-10 08:00", PARIS)
    assert next_opening(OFFICE, at("2025-03-03 12:15", PARIS)) == at("2025-03-03 13:00", PARIS)
    assert next_opening(OFFICE, at("2025-04-30 19:00", PARIS)) == at("2025-05-02 08:00", PARIS)
    assert next_opening(OFFICE, at("2025-03-03 09:00", PARIS)) == at("2025-03-03 09:00", PARIS)
    assert next_opening(calendar().compile(), friday_evening) is None


def test_calendar_default_zone_is_the_flows() -> None:
    model = CalendarModel.model_validate({"weekly": {"mon": ["08:00-09:00"]}})
    assert is_open(model.compile("Asia/Shanghai"), at("2025-03-03 08:30", "Asia/Shanghai"))
    assert not is_open(model.compile("UTC"), at("2025-03-03 08:30", "Asia/Shanghai"))


@pytest.mark.parametrize("text", ["8:00-12:00", "08:00-08:00", "25:00-26:00", "24:30-01:00"])
def test_bad_intervals_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_interval(text)
    with pytest.raises(ValidationError, match=r"weekly\.mon\.0"):
        calendar(weekly={"mon": [text]})


def test_day_both_holiday_and_special_rejected() -> None:
    with pytest.raises(ValidationError, match="2025-12-24 listed both"):
        calendar(holidays=["2025-12-24"], special_days={"2025-12-24": ["09:00-12:00"]})
