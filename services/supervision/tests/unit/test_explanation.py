from __future__ import annotations

import json
from datetime import date

import pytest

from huiyin_shared.calendar import CountingMode
from huiyin_supervision.domain import explanation
from huiyin_supervision.domain.calculator import DueDateOutOfRange, calculate_due_date
from huiyin_supervision.domain.explanation import DayOff, explain
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.domain.policies import ClockKind, policy_for


def test_calendar_days_landing_in_national_day_move_to_the_next_working_day(
    office: OfficeCalendar,
) -> None:
    # 2026-09-22 + 15 = 2026-10-07, the last day of the National Day holiday (Oct 1-7).
    result = explain(office.due_date(date(2026, 9, 22), 15, CountingMode.CALENDAR_DAYS))
    assert result.raw_end == date(2026, 10, 7)
    assert result.due == date(2026, 10, 8)
    assert result.shifted_over == (DayOff(date(2026, 10, 7), "National Day"),)
    assert result.shifted
    assert result.skipped_days == ()
    assert not result.provisional
    assert result.rule is None
    assert "moved over 2026-10-07 (National Day)" in result.text


def test_calendar_days_on_a_working_day_are_not_shifted(office: OfficeCalendar) -> None:
    result = explain(office.due_date(date(2026, 3, 2), 15, CountingMode.CALENDAR_DAYS))
    assert result.due == result.raw_end == date(2026, 3, 17)
    assert not result.shifted


def test_working_days_list_what_they_skipped(office: OfficeCalendar) -> None:
    result = explain(office.due_date(date(2026, 2, 1), 15, CountingMode.WORKING_DAYS))
    assert result.due == date(2026, 2, 27)
    assert result.raw_end is None
    assert result.shifted_over == ()
    assert DayOff(date(2026, 2, 7), "weekend") in result.skipped_days
    assert DayOff(date(2026, 2, 17), "Spring Festival") in result.skipped_days


def test_a_year_without_official_data_is_provisional(office: OfficeCalendar) -> None:
    result = explain(office.due_date(date(2027, 12, 20), 15, CountingMode.CALENDAR_DAYS))
    assert result.provisional
    assert result.provisional_years == (2028,)
    assert "PROVISIONAL" in result.text


def test_a_clock_explanation_names_its_rule_and_source(office: OfficeCalendar) -> None:
    policy = policy_for(ClockKind.ACCEPTANCE_NOTICE)
    result = explain(
        office.due_date(date(2026, 9, 22), policy.days, policy.counting_mode),
        policy=policy,
        start_basis="Received on 2026-09-22.",
    )
    assert result.rule is not None
    assert result.rule.clock == "acceptance_notice"
    assert result.rule.source == "002 五.1; 003"
    assert result.text.startswith(f"{policy.description} (002 五.1; 003). Received on 2026-09-22.")


@pytest.mark.parametrize(
    ("start", "mode"),
    [
        (date(2026, 9, 22), CountingMode.CALENDAR_DAYS),
        (date(2026, 2, 1), CountingMode.WORKING_DAYS),
        (date(2027, 12, 20), CountingMode.CALENDAR_DAYS),
    ],
)
def test_the_stored_form_round_trips_through_json(
    office: OfficeCalendar, start: date, mode: CountingMode
) -> None:
    policy = policy_for(ClockKind.ACCEPTANCE_NOTICE)
    original = explain(office.due_date(start, 15, mode), policy=policy, start_basis="basis")
    stored = json.loads(json.dumps(explanation.to_json(original)))
    assert explanation.from_json(stored) == original


def test_the_calculator_explains_without_a_rule(office: OfficeCalendar) -> None:
    result = calculate_due_date(
        office, start=date(2026, 2, 1), days=15, mode=CountingMode.CALENDAR_DAYS
    )
    assert result.due == date(2026, 2, 24)
    assert result.rule is None
    assert [day.day for day in result.shifted_over] == [date(2026, 2, d) for d in range(16, 24)]


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_the_calculator_refuses_periods_outside_1_to_3650_days(
    office: OfficeCalendar, days: int
) -> None:
    with pytest.raises(DueDateOutOfRange) as refused:
        calculate_due_date(
            office, start=date(2026, 2, 1), days=days, mode=CountingMode.WORKING_DAYS
        )
    assert refused.value.status == 422


@pytest.mark.parametrize("mode", list(CountingMode))
def test_the_calculator_refuses_due_dates_past_the_end_of_time(
    office: OfficeCalendar, mode: CountingMode
) -> None:
    with pytest.raises(DueDateOutOfRange, match="outside the supported range"):
        calculate_due_date(office, start=date(9999, 12, 25), days=15, mode=mode)
