"""The business calendar against the 2025 and 2026 State Council notices.

Every expected date below was worked out by hand from the notices, not by running the code:

2025: New Year Jan 1; Spring Festival Jan 28-Feb 4 (make-up Sun Jan 26, Sat Feb 8);
Qingming Apr 4-6; Labour Day May 1-5 (make-up Sun Apr 27); Dragon Boat May 31-Jun 2;
National Day + Mid-autumn Oct 1-8 (make-up Sun Sep 28, Sat Oct 11).

2026: New Year Jan 1-3 (make-up Sun Jan 4); Spring Festival Feb 15-23 (make-up Sat Feb 14,
Sat Feb 28); Qingming Apr 4-6; Labour Day May 1-5 (make-up Sat May 9); Dragon Boat Jun 19-21;
Mid-autumn Sep 25-27; National Day Oct 1-7 (make-up Sun Sep 20, Sat Oct 10).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from huiyin_shared.calendar import BusinessCalendar, CountingMode, NonWorkingDay


def d(text: str) -> date:
    return date.fromisoformat(text)


def span(first: str, last: str) -> list[date]:
    start, end = d(first), d(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


HOLIDAYS = [
    # 2025
    *span("2025-01-01", "2025-01-01"),
    *span("2025-01-28", "2025-02-04"),
    *span("2025-04-04", "2025-04-06"),
    *span("2025-05-01", "2025-05-05"),
    *span("2025-05-31", "2025-06-02"),
    *span("2025-10-01", "2025-10-08"),
    # 2026
    *span("2026-01-01", "2026-01-03"),
    *span("2026-02-15", "2026-02-23"),
    *span("2026-04-04", "2026-04-06"),
    *span("2026-05-01", "2026-05-05"),
    *span("2026-06-19", "2026-06-21"),
    *span("2026-09-25", "2026-09-27"),
    *span("2026-10-01", "2026-10-07"),
]

MAKE_UP_DAYS = [
    # date, weekday it falls on (0 = Monday), holiday it makes up for
    ("2025-01-26", 6, "Spring Festival"),
    ("2025-02-08", 5, "Spring Festival"),
    ("2025-04-27", 6, "Labour Day"),
    ("2025-09-28", 6, "National Day"),
    ("2025-10-11", 5, "National Day"),
    ("2026-01-04", 6, "New Year's Day"),
    ("2026-02-14", 5, "Spring Festival"),
    ("2026-02-28", 5, "Spring Festival"),
    ("2026-05-09", 5, "Labour Day"),
    ("2026-09-20", 6, "National Day"),
    ("2026-10-10", 5, "National Day"),
]


@pytest.fixture
def cal() -> BusinessCalendar:
    return BusinessCalendar.from_file(None)


# -- single days -----------------------------------------------------------------------------


@pytest.mark.parametrize("day", HOLIDAYS, ids=str)
def test_official_holidays_are_not_working_days(cal: BusinessCalendar, day: date) -> None:
    assert cal.is_working_day(day) is False


@pytest.mark.parametrize(("day", "weekday", "holiday"), MAKE_UP_DAYS)
def test_make_up_days_are_working_days(
    cal: BusinessCalendar, day: str, weekday: int, holiday: str
) -> None:
    assert d(day).weekday() == weekday  # really a weekend day
    info = cal.describe(d(day))
    assert info.working is True
    assert info.name == f"make-up working day ({holiday})"
    assert info.provisional is False


@pytest.mark.parametrize(
    ("day", "name"),
    [
        ("2025-01-01", "New Year's Day"),
        ("2025-01-31", "Spring Festival"),
        ("2025-04-05", "Tomb-sweeping Day"),  # the package's English name for Qingming
        ("2025-05-03", "Labour Day"),
        ("2025-06-02", "Dragon Boat Festival"),
        ("2025-10-06", "Mid-autumn Festival"),  # the festival day inside the National Day week
        ("2025-10-07", "National Day"),
        ("2026-01-03", "New Year's Day"),  # a Saturday that is part of the holiday
        ("2026-02-16", "Spring Festival"),
        ("2026-09-26", "Mid-autumn Festival"),
        ("2026-10-07", "National Day"),
        ("2026-03-07", "weekend"),  # an ordinary Saturday
        ("2026-03-08", "weekend"),
    ],
)
def test_non_working_days_are_named(cal: BusinessCalendar, day: str, name: str) -> None:
    info = cal.describe(d(day))
    assert info.working is False
    assert info.name == name


def test_ordinary_weekday_has_no_name(cal: BusinessCalendar) -> None:
    info = cal.describe(d("2026-03-09"))  # a Monday
    assert (info.working, info.name, info.provisional) == (True, None, False)


def test_days_around_the_holidays_are_ordinary(cal: BusinessCalendar) -> None:
    assert cal.is_working_day(d("2025-01-27"))  # Mon between make-up Sunday and the holiday
    assert cal.is_working_day(d("2025-02-05"))  # first day back after Spring Festival
    assert not cal.is_working_day(d("2025-02-09"))  # Sun after make-up Saturday Feb 8
    assert cal.is_working_day(d("2026-02-24"))
    assert not cal.is_working_day(d("2026-03-01"))  # Sun after make-up Saturday Feb 28
    assert cal.is_working_day(d("2026-10-08"))


def test_known_years(cal: BusinessCalendar) -> None:
    assert cal.is_known_year(2004)
    assert cal.is_known_year(2025)
    assert cal.is_known_year(2026)
    assert not cal.is_known_year(2003)
    assert not cal.is_known_year(2027)


# -- calendar-day periods --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "raw_end", "due", "skipped"),
    [
        # 2025
        ("2024-12-22", 10, "2025-01-01", "2025-01-02", span("2025-01-01", "2025-01-01")),
        ("2025-01-13", 15, "2025-01-28", "2025-02-05", span("2025-01-28", "2025-02-04")),
        ("2025-03-25", 10, "2025-04-04", "2025-04-07", span("2025-04-04", "2025-04-06")),
        ("2025-04-21", 10, "2025-05-01", "2025-05-06", span("2025-05-01", "2025-05-05")),
        ("2025-05-21", 10, "2025-05-31", "2025-06-03", span("2025-05-31", "2025-06-02")),
        ("2025-09-16", 15, "2025-10-01", "2025-10-09", span("2025-10-01", "2025-10-08")),
        # 2026 (the first crosses the year end and lands on make-up Sunday Jan 4)
        ("2025-12-17", 15, "2026-01-01", "2026-01-04", span("2026-01-01", "2026-01-03")),
        ("2026-02-01", 15, "2026-02-16", "2026-02-24", span("2026-02-16", "2026-02-23")),
        ("2026-03-25", 10, "2026-04-04", "2026-04-07", span("2026-04-04", "2026-04-06")),
        ("2026-04-21", 10, "2026-05-01", "2026-05-06", span("2026-05-01", "2026-05-05")),
        ("2026-06-09", 10, "2026-06-19", "2026-06-22", span("2026-06-19", "2026-06-21")),
        ("2026-09-10", 15, "2026-09-25", "2026-09-28", span("2026-09-25", "2026-09-27")),
        ("2026-09-16", 15, "2026-10-01", "2026-10-08", span("2026-10-01", "2026-10-07")),
        # an ordinary weekend moves to Monday
        ("2025-02-14", 15, "2025-03-01", "2025-03-03", span("2025-03-01", "2025-03-02")),
    ],
)
def test_calendar_days_move_off_non_working_days(
    cal: BusinessCalendar,
    start: str,
    days: int,
    raw_end: str,
    due: str,
    skipped: list[date],
) -> None:
    result = cal.due_date(d(start), days, CountingMode.CALENDAR_DAYS)
    assert result.start == d(start)
    assert result.days == days
    assert result.mode is CountingMode.CALENDAR_DAYS
    assert result.raw_end == d(raw_end)
    assert result.due == d(due)
    assert [item.day for item in result.skipped] == skipped
    assert result.provisional is False
    assert result.provisional_years == ()


def test_spring_festival_2026_calendar_days_explained(cal: BusinessCalendar) -> None:
    result = cal.add_calendar_days(d("2026-02-01"), 15)
    assert result.raw_end == d("2026-02-16")
    assert result.due == d("2026-02-24")
    assert result.skipped == tuple(
        NonWorkingDay(day, "Spring Festival") for day in span("2026-02-16", "2026-02-23")
    )
    text = result.explain()
    assert "2026-02-16" in text
    assert "Spring Festival" in text
    assert "2026-02-24" in text
    assert "PROVISIONAL" not in text


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-02-21", 7, "2026-02-28"),  # make-up Saturday: due that day
        ("2025-01-16", 10, "2025-01-26"),  # make-up Sunday: due that day
        ("2026-03-02", 7, "2026-03-09"),  # ordinary Monday
    ],
)
def test_calendar_days_ending_on_a_working_day_do_not_move(
    cal: BusinessCalendar, start: str, days: int, due: str
) -> None:
    result = cal.add_calendar_days(d(start), days)
    assert result.raw_end == result.due == d(due)
    assert result.skipped == ()


def test_calendar_days_do_not_care_about_holidays_in_between(cal: BusinessCalendar) -> None:
    # 10 calendar days across the whole 2025 National Day week still end on Oct 10 (a Friday).
    result = cal.add_calendar_days(d("2025-09-30"), 10)
    assert result.due == d("2025-10-10")
    assert result.skipped == ()


# -- working-day periods ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 2025 Spring Festival: Sat Jan 25 off, Sun Jan 26 make-up (1), Mon Jan 27 (2),
        # Jan 28-Feb 4 off, Wed Feb 5 (3), Thu Feb 6 (4), Fri Feb 7 (5), Sat Feb 8 make-up (6)
        ("2025-01-24", 1, "2025-01-26"),
        ("2025-01-24", 3, "2025-02-05"),
        ("2025-01-24", 6, "2025-02-08"),
        ("2025-01-24", 7, "2025-02-10"),
        # 2025 New Year, Qingming, Dragon Boat
        ("2024-12-31", 1, "2025-01-02"),
        ("2025-04-03", 1, "2025-04-07"),
        ("2025-05-30", 1, "2025-06-03"),
        # 2025 Labour Day: Sun Apr 27 make-up
        ("2025-04-25", 1, "2025-04-27"),
        ("2025-04-25", 2, "2025-04-28"),
        ("2025-04-28", 5, "2025-05-08"),
        # 2025 National Day: Sat Sep 27 off, Sun Sep 28 make-up (1), Mon 29 (2), Tue 30 (3),
        # Oct 1-8 off, Thu Oct 9 (4), Fri Oct 10 (5), Sat Oct 11 make-up (6), Mon Oct 13 (7)
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-26", 4, "2025-10-09"),
        ("2025-09-26", 5, "2025-10-10"),
        ("2025-09-26", 6, "2025-10-11"),
        ("2025-09-26", 7, "2025-10-13"),
        # 2026 New Year: Jan 1-3 off, Sun Jan 4 make-up (1), Mon Jan 5 (2), Tue Jan 6 (3)
        ("2025-12-31", 1, "2026-01-04"),
        ("2025-12-31", 3, "2026-01-06"),
        # 2026 Spring Festival: Fri Feb 13 (1), Sat Feb 14 make-up (2), Feb 15-23 off,
        # Tue Feb 24 (3) .. Fri Feb 27 (6), Sat Feb 28 make-up (7), Sun Mar 1 off, Mon Mar 2 (8)
        ("2026-02-12", 2, "2026-02-14"),
        ("2026-02-12", 3, "2026-02-24"),
        ("2026-02-12", 5, "2026-02-26"),
        ("2026-02-12", 7, "2026-02-28"),
        ("2026-02-12", 10, "2026-03-04"),
        # 2026 Qingming and Dragon Boat
        ("2026-04-03", 1, "2026-04-07"),
        ("2026-06-18", 1, "2026-06-22"),
        # 2026 Labour Day: Thu Apr 30 (1), May 1-5 off, May 6-8 (2-4), Sat May 9 make-up (5)
        ("2026-04-29", 4, "2026-05-08"),
        ("2026-04-29", 5, "2026-05-09"),
        ("2026-04-29", 6, "2026-05-11"),
        # 2026 National Day: Sat Sep 19 off, Sun Sep 20 make-up (1), Mon 21 (2), Tue 22 (3)
        ("2026-09-18", 3, "2026-09-22"),
        # Mid-autumn Sep 25-27 off, Mon Sep 28 (1), Tue 29 (2), Wed 30 (3), Oct 1-7 off,
        # Thu Oct 8 (4), Fri Oct 9 (5), Sat Oct 10 make-up (6)
        ("2026-09-24", 1, "2026-09-28"),
        ("2026-09-24", 4, "2026-10-08"),
        ("2026-09-24", 6, "2026-10-10"),
        # an ordinary week: Wed -> next Wed
        ("2026-03-04", 5, "2026-03-11"),
    ],
)
def test_working_days(cal: BusinessCalendar, start: str, days: int, due: str) -> None:
    result = cal.due_date(d(start), days, CountingMode.WORKING_DAYS)
    assert result.due == d(due)
    assert result.mode is CountingMode.WORKING_DAYS
    assert result.raw_end is None
    assert result.provisional is False


def test_national_day_2025_working_days_explained(cal: BusinessCalendar) -> None:
    result = cal.add_working_days(d("2025-09-26"), 5)
    assert result.due == d("2025-10-10")
    assert result.skipped == (
        NonWorkingDay(d("2025-09-27"), "weekend"),
        *(NonWorkingDay(day, "National Day") for day in span("2025-10-01", "2025-10-05")),
        NonWorkingDay(d("2025-10-06"), "Mid-autumn Festival"),
        NonWorkingDay(d("2025-10-07"), "National Day"),
        NonWorkingDay(d("2025-10-08"), "National Day"),
    )
    # the make-up Sunday was counted, not skipped
    assert d("2025-09-28") not in {item.day for item in result.skipped}
    text = result.explain()
    assert "2025-10-10" in text
    assert "2025-10-01 (National Day)" in text
    assert "2025-09-27 (weekend)" in text


def test_spring_festival_2026_working_days_skipped(cal: BusinessCalendar) -> None:
    result = cal.add_working_days(d("2026-02-12"), 10)
    assert [item.day for item in result.skipped] == [
        *span("2026-02-15", "2026-02-23"),
        d("2026-03-01"),
    ]


def test_counting_mode_values() -> None:
    assert CountingMode("calendar_days") is CountingMode.CALENDAR_DAYS
    assert CountingMode("working_days") is CountingMode.WORKING_DAYS
    assert {mode.value for mode in CountingMode} == {"calendar_days", "working_days"}


# -- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "inclusive", "expected"),
    [
        ("2026-02-13", False, "2026-02-14"),  # Fri -> make-up Saturday
        ("2026-02-14", False, "2026-02-24"),  # make-up Saturday -> over Spring Festival
        ("2026-02-14", True, "2026-02-14"),
        ("2026-02-16", True, "2026-02-24"),
        ("2025-09-30", False, "2025-10-09"),
        ("2025-10-10", False, "2025-10-11"),  # Fri -> make-up Saturday
        ("2026-03-06", False, "2026-03-09"),  # Fri -> Mon
        ("2026-03-09", True, "2026-03-09"),
    ],
)
def test_next_working_day(cal: BusinessCalendar, day: str, inclusive: bool, expected: str) -> None:
    assert cal.next_working_day(d(day), inclusive=inclusive) == d(expected)


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        ("2025-09-26", "2025-10-10", 5),
        ("2025-09-26", "2025-10-11", 6),
        ("2026-02-12", "2026-03-04", 10),
        ("2026-09-30", "2026-10-08", 1),
        ("2026-10-01", "2026-10-07", 0),
        ("2026-03-09", "2026-03-09", 0),
        ("2026-03-06", "2026-03-09", 1),  # Fri -> Mon: only Monday counts
        ("2026-03-04", "2026-02-12", -10),  # reversed
    ],
)
def test_working_days_between(cal: BusinessCalendar, a: str, b: str, count: int) -> None:
    assert cal.working_days_between(d(a), d(b)) == count


def test_working_days_between_agrees_with_due_dates(cal: BusinessCalendar) -> None:
    for start in span("2025-09-20", "2025-10-15") + span("2026-02-05", "2026-03-05"):
        for days in (1, 2, 5, 10, 20):
            due = cal.add_working_days(start, days).due
            assert cal.working_days_between(start, due) == days
            assert cal.is_working_day(due)


def test_calendar_due_dates_are_working_days_never_early(cal: BusinessCalendar) -> None:
    for start in span("2025-12-01", "2026-12-31"):
        result = cal.add_calendar_days(start, 15)
        assert result.raw_end == start + timedelta(days=15)
        assert result.due >= result.raw_end
        assert cal.is_working_day(result.due)
        assert all(not cal.is_working_day(item.day) for item in result.skipped)
        assert len(result.skipped) == (result.due - result.raw_end).days


@pytest.mark.parametrize("days", [0, -1, True])
def test_days_must_be_positive(cal: BusinessCalendar, days: int) -> None:
    with pytest.raises(ValueError, match="positive integer"):
        cal.add_working_days(d("2026-03-09"), days)


def test_datetimes_are_refused(cal: BusinessCalendar) -> None:
    with pytest.raises(TypeError, match=r"datetime\.date"):
        cal.is_working_day(datetime(2026, 3, 9, 12, 0))
    with pytest.raises(TypeError):
        cal.add_calendar_days(datetime(2026, 3, 9, 12, 0), 5)
