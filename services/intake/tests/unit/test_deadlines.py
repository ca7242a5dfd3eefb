from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from huiyin_intake.domain.deadlines import ACCEPTANCE_NOTICE_DAYS, acceptance_notice_due, local_date
from huiyin_shared.calendar import BusinessCalendar, CalendarOverride, CountingMode, OverrideDay

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = BusinessCalendar()


def due(received_at: datetime, calendar: BusinessCalendar = CALENDAR) -> date:
    return acceptance_notice_due(received_at, zone=SHANGHAI, calendar=calendar).due


def shanghai(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


def test_fifteen_calendar_days_start_day_not_counted() -> None:
    result = acceptance_notice_due(shanghai(2026, 3, 2), zone=SHANGHAI, calendar=CALENDAR)
    assert (result.start, result.days, result.mode) == (
        date(2026, 3, 2),
        ACCEPTANCE_NOTICE_DAYS,
        CountingMode.CALENDAR_DAYS,
    )
    assert result.due == date(2026, 3, 17)
    assert not result.provisional


def test_due_day_on_a_weekend_moves_to_monday() -> None:
    assert due(shanghai(2026, 3, 6)) == date(2026, 3, 23)  # 21 March is a Saturday


def test_due_day_in_a_holiday_moves_past_it() -> None:
    assert due(shanghai(2026, 9, 20)) == date(2026, 10, 8)  # 5-7 October: National Day
    assert due(shanghai(2026, 2, 1)) == date(2026, 2, 24)  # Spring Festival 15-23 February


def test_due_day_on_a_make_up_working_day_stays() -> None:
    assert due(shanghai(2026, 9, 25)) == date(2026, 10, 10)  # a Saturday, but 调休 working


def test_received_date_is_the_office_local_date() -> None:
    late_evening_utc = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 2 March 01:30 in Shanghai
    assert local_date(late_evening_utc, SHANGHAI) == date(2026, 3, 2)
    assert due(late_evening_utc) == date(2026, 3, 17)


def test_calendar_override_is_honoured() -> None:
    override = CalendarOverride(
        holidays=(OverrideDay(date=date(2026, 3, 17), name="local day off"),)
    )
    assert due(shanghai(2026, 3, 2), BusinessCalendar(override)) == date(2026, 3, 18)


def test_naive_received_at_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        due(datetime(2026, 3, 2, 10))
