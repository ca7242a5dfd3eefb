"""Case due dates across the 2025 and 2026 holidays and make-up days, both counting modes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huiyin_shared.calendar import CountingMode
from huiyin_shared.contracts.events.common import ClockName, DeadlineClass
from huiyin_supervision.domain.deadlines import (
    ClockSpec,
    OfficePolicy,
    add_months,
    compute,
    paused_days,
    resolve_policy,
)
from huiyin_supervision.domain.office import OfficeCalendar

CAL = CountingMode.CALENDAR_DAYS
WORK = CountingMode.WORKING_DAYS


def spec(start: date, days: int, mode: CountingMode, **extra: int) -> ClockSpec:
    return ClockSpec(
        clock=ClockName.RESOLVE,
        start=start,
        base_days=days,
        counting_mode=mode,
        description="test line",
        source="000 test",
        start_basis="test",
        **extra,
    )


@pytest.mark.parametrize(
    ("start", "days", "mode", "due"),
    [
        # 2025-10-01 is National Day; the holiday runs to the 8th.
        (date(2025, 9, 1), 30, CAL, date(2025, 10, 9)),
        # 28 Sep 2025 (a Sunday) is a make-up working day and counts.
        (date(2025, 9, 26), 5, WORK, date(2025, 10, 10)),
        # Spring Festival 2025: 28 Jan - 4 Feb off, 26 Jan (Sunday) worked.
        (date(2025, 1, 24), 2, WORK, date(2025, 1, 27)),
        (date(2025, 1, 1), 30, CAL, date(2025, 2, 5)),
        # Spring Festival 2026: 15-23 Feb off, 14 Feb (Saturday) worked.
        (date(2026, 2, 13), 3, WORK, date(2026, 2, 25)),
        (date(2026, 1, 16), 30, CAL, date(2026, 2, 24)),
        # National Day 2026: 1-7 Oct off, 10 Oct (Saturday) worked.
        (date(2026, 9, 30), 2, WORK, date(2026, 10, 9)),
        (date(2026, 9, 1), 30, CAL, date(2026, 10, 8)),
    ],
)
def test_due_dates_across_holidays(
    start: date, days: int, mode: CountingMode, due: date, office: OfficeCalendar
) -> None:
    explanation = compute(office, spec(start, days, mode))
    assert explanation.due == due
    assert explanation.rule is not None
    assert explanation.rule.source == "000 test"
    assert not explanation.provisional


def test_the_explanation_names_the_extension_and_the_pause(office: OfficeCalendar) -> None:
    explained = compute(office, spec(date(2026, 3, 2), 60, CAL, extension_days=10, paused_days=4))
    assert explained.due == date(2026, 5, 15)  # 2 Mar + 74 days
    assert "Extended by 10 days" in explained.text
    assert "Paused 4 days" in explained.text


def test_a_pause_over_national_day_2026_in_each_mode(office: OfficeCalendar) -> None:
    paused, resumed = date(2026, 9, 24), date(2026, 10, 9)
    assert paused_days(office, spec(paused, 5, CAL), paused=paused, resumed=resumed) == 15
    # Working days 24, 28, 29, 30 Sep and 8 Oct; 25 Sep and 1-7 Oct are holidays.
    assert paused_days(office, spec(paused, 5, WORK), paused=paused, resumed=resumed) == 5
    assert paused_days(office, spec(paused, 5, WORK), paused=paused, resumed=paused) == 0


def test_the_policy_table_and_the_commitment_alternative() -> None:
    statutory = resolve_policy(OfficePolicy.STATUTORY, DeadlineClass.GENERAL)
    commitment = resolve_policy(OfficePolicy.COMMITMENT, DeadlineClass.IMPORTANT)
    assert statutory is not None
    assert statutory.days == 60
    assert commitment is not None
    assert commitment.days == 90
    assert resolve_policy(OfficePolicy.STATUTORY, DeadlineClass.NO_RESULT_REPORT) is None
    assigned = resolve_policy(OfficePolicy.STATUTORY, DeadlineClass.SUPERIOR_ASSIGNED)
    assert assigned is not None
    assert assigned.period_days(date(2026, 5, 31)) == (date(2026, 8, 31) - date(2026, 5, 31)).days
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 31))
modes = st.sampled_from(list(CountingMode))


@settings(max_examples=300, deadline=None)
@given(start=starts, days=st.integers(1, 120), mode=modes)
def test_a_due_date_is_never_a_non_working_day(start: date, days: int, mode: CountingMode) -> None:
    office = _office()
    due = compute(office, spec(start, days, mode)).due
    assert office.calendar.is_working_day(due)
    assert due > start


@settings(max_examples=300, deadline=None)
@given(
    start=starts,
    days=st.integers(1, 90),
    mode=modes,
    pause_offset=st.integers(0, 60),
    pause_length=st.integers(0, 40),
)
def test_a_pause_never_makes_a_due_date_earlier(
    start: date, days: int, mode: CountingMode, pause_offset: int, pause_length: int
) -> None:
    office = _office()
    base = spec(start, days, mode)
    paused = date.fromordinal(start.toordinal() + pause_offset)
    resumed = date.fromordinal(paused.toordinal() + pause_length)
    added = paused_days(office, base, paused=paused, resumed=resumed)
    assert added >= 0
    assert compute(office, base.with_pause(added)).due >= compute(office, base).due


def _office() -> OfficeCalendar:
    from zoneinfo import ZoneInfo

    from huiyin_shared.calendar import BusinessCalendar

    return OfficeCalendar(calendar=BusinessCalendar(), timezone=ZoneInfo("Asia/Shanghai"))
