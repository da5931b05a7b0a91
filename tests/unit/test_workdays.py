"""Working days for statutory time limits (CQ 25): the State Council's holiday notices for 2025
(国办发明电〔2024〕12号) and 2026 (2025年11月4日) with their make-up working days (调休), counted
from the day after lodging in Beijing time; a further year added as data."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from shared import workdays
from shared.casework.domain import TIME_LIMIT_WORKING_DAYS, CaseKind

UTC = dt.UTC


def _due(year, month, day, hour_utc, days) -> dt.date:
    start = dt.datetime(year, month, day, hour_utc, tzinfo=UTC)
    return workdays.add_working_days(start, days).astimezone(workdays.BEIJING).date()


def test_the_spring_festival_2026_is_skipped_and_its_saturday_make_up_day_counts():
    """2026: 2月15日至23日 off; 2月14日 (Saturday) and 2月28日 (Saturday) are working days."""
    assert workdays.is_working_day(dt.date(2026, 2, 14))
    assert not workdays.is_working_day(dt.date(2026, 2, 16))
    assert workdays.is_working_day(dt.date(2026, 2, 28))
    # Lodged Friday 13 February: 14th (make-up), then 24, 25, 26, 27 February.
    assert _due(2026, 2, 13, 2, 5) == dt.date(2026, 2, 27)


def test_the_national_day_week_2025_is_skipped_and_its_sunday_make_up_day_counts():
    """2025: 10月1日至8日 off; 9月28日 (Sunday) and 10月11日 (Saturday) are working days."""
    # Lodged Friday 26 September: 28 Sep, 29, 30, then 9 and 10 October.
    assert _due(2025, 9, 26, 2, 5) == dt.date(2025, 10, 10)
    assert _due(2025, 9, 26, 2, 6) == dt.date(2025, 10, 11)


def test_days_are_counted_in_beijing_time_from_the_day_after_lodging():
    """CQ 25 自受理登记申请次日起: 20:00 UTC on Thursday is Friday in Chongqing, so the first
    day counted is the next working day after that Friday."""
    assert _due(2026, 3, 5, 2, 1) == dt.date(2026, 3, 6)  # Thursday morning -> Friday
    assert _due(2026, 3, 5, 20, 1) == dt.date(2026, 3, 9)  # Friday in Beijing -> Monday


def test_the_time_limits_of_cq_25():
    """CQ 25: transfer and first registration 15, mortgage 7, its cancellation 5, 预告 5."""
    assert TIME_LIMIT_WORKING_DAYS[CaseKind.TRANSFER] == 15
    assert TIME_LIMIT_WORKING_DAYS[CaseKind.FIRST_REGISTRATION] == 15
    assert TIME_LIMIT_WORKING_DAYS[CaseKind.MORTGAGE] == 7
    assert TIME_LIMIT_WORKING_DAYS[CaseKind.MORTGAGE_DISCHARGE] == 5
    assert TIME_LIMIT_WORKING_DAYS[CaseKind.PREREGISTRATION] == 5


def test_2025_to_2027_are_shipped_and_2027_is_marked_provisional():
    shipped = workdays.calendars()
    assert {2025, 2026, 2027} <= set(shipped)
    assert not shipped[2025].provisional
    assert not shipped[2026].provisional
    assert shipped[2027].provisional
    assert len(shipped[2025].holidays) == 28
    assert len(shipped[2026].holidays) == 33


def test_a_year_is_added_by_dropping_its_notice_in_the_calendars_directory(tmp_path, monkeypatch):
    notice = {
        "year": 2028,
        "source": "test notice",
        "provisional": False,
        "holidays": [["2028-01-03", "2028-01-03"]],
        "makeup_workdays": ["2028-01-08"],
    }
    (tmp_path / "2028.json").write_text(json.dumps(notice))
    monkeypatch.setenv(workdays.EXTRA_CALENDARS_ENV, str(tmp_path))
    workdays.calendars.cache_clear()
    try:
        assert not workdays.is_working_day(dt.date(2028, 1, 3))  # a Monday holiday
        assert workdays.is_working_day(dt.date(2028, 1, 8))  # a Saturday make-up day
    finally:
        monkeypatch.delenv(workdays.EXTRA_CALENDARS_ENV)
        workdays.calendars.cache_clear()


@pytest.mark.parametrize(
    ("holidays", "makeup", "why"),
    [
        ([["2028-01-05", "2028-01-03"]], [], "backwards"),
        ([["2027-12-31", "2028-01-01"]], [], "outside the year"),
        ([["2028-01-03", "2028-01-03"]], ["2028-01-03"], "both"),
    ],
)
def test_a_malformed_calendar_is_refused(holidays, makeup, why):
    text = json.dumps(
        {"year": 2028, "source": "x", "provisional": False, "holidays": holidays, "makeup_workdays": makeup}
    )
    with pytest.raises(ValueError, match=why):
        workdays.parse_calendar(text)
