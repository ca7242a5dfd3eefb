"""Unknown years (provisional results), the override file, and its validation."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from huiyin_shared.calendar import BusinessCalendar, CalendarOverrideError, NonWorkingDay
from huiyin_shared.metrics import PROVISIONAL_DEADLINES


def d(text: str) -> date:
    return date.fromisoformat(text)


def provisional_count() -> float:
    return float(PROVISIONAL_DEADLINES._value.get())


def write(tmp_path: Path, text: str, name: str = "calendar-override.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# Fictional 2027 data, for the tests only: Fri Jan 1 and Mon Jan 4 off, Sat Jan 16 worked.
TEST_2027 = """\
complete_years: [2027]
holidays:
  - {date: 2027-01-01, name: "Test holiday A"}
  - date: 2027-01-04
    name: Test holiday B
working_days:
  - {date: 2027-01-16, name: "Test make-up day"}
"""


# -- unknown years ---------------------------------------------------------------------------


def test_working_days_into_2027_without_override_are_provisional() -> None:
    cal = BusinessCalendar.from_file(None)
    before = provisional_count()
    # Dec 29-31 (1-3); 2027 has no data, so Fri Jan 1 is an ordinary weekday (4);
    # Jan 2-3 weekend; Jan 4-8 (5-9); Jan 9-10 weekend; Mon Jan 11 (10).
    result = cal.add_working_days(d("2026-12-28"), 10)
    assert result.due == d("2027-01-11")
    assert result.provisional is True
    assert result.provisional_years == (2027,)
    assert result.skipped == tuple(
        NonWorkingDay(d(day), "weekend")
        for day in ("2027-01-02", "2027-01-03", "2027-01-09", "2027-01-10")
    )
    assert "PROVISIONAL" in result.explain()
    assert "2027" in result.explain()
    assert provisional_count() == before + 1


def test_calendar_days_into_2027_without_override_are_provisional() -> None:
    cal = BusinessCalendar.from_file(None)
    before = provisional_count()
    result = cal.add_calendar_days(d("2026-12-20"), 20)  # Sat 2027-01-09 -> Mon Jan 11
    assert result.raw_end == d("2027-01-09")
    assert result.due == d("2027-01-11")
    assert [item.day for item in result.skipped] == [d("2027-01-09"), d("2027-01-10")]
    assert result.provisional_years == (2027,)
    assert provisional_count() == before + 1


def test_computations_inside_known_years_do_not_count() -> None:
    cal = BusinessCalendar.from_file(None)
    before = provisional_count()
    # Starts in 2026 and stays there: Dec 28 + 3 calendar days = Thu Dec 31.
    assert cal.add_calendar_days(d("2026-12-28"), 3).provisional is False
    assert cal.add_working_days(d("2026-12-28"), 3).due == d("2026-12-31")
    assert cal.working_days_between(d("2026-01-01"), d("2026-12-31")) > 0
    assert cal.is_working_day(d("2026-12-31"))
    assert provisional_count() == before


def test_only_the_consulted_days_matter_for_calendar_days() -> None:
    # The start day is not counted, so a start in 2003 (no data) whose end lands in 2004
    # (known) gives a final result.
    cal = BusinessCalendar.from_file(None)
    result = cal.add_calendar_days(d("2003-12-25"), 12)  # 2004-01-06, a Tuesday
    assert result.due == d("2004-01-06")
    assert result.provisional is False


def test_each_helper_call_into_an_unknown_year_counts_once() -> None:
    cal = BusinessCalendar.from_file(None)
    before = provisional_count()
    assert cal.is_working_day(d("2027-01-01")) is True  # a Friday; no data, so a weekday
    info = cal.describe(d("2027-01-02"))
    assert (info.working, info.name, info.provisional) == (False, "weekend", True)
    assert cal.next_working_day(d("2027-01-01")) == d("2027-01-04")
    assert cal.working_days_between(d("2026-12-31"), d("2027-01-08")) == 6
    assert provisional_count() == before + 4


def test_years_before_the_package_data_are_provisional_too() -> None:
    cal = BusinessCalendar.from_file(None)
    result = cal.add_working_days(d("2003-06-02"), 5)  # Mon -> next Mon
    assert result.due == d("2003-06-09")
    assert result.provisional_years == (2003,)


def test_2027_declared_complete_in_override_is_final(tmp_path: Path) -> None:
    cal = BusinessCalendar.from_file(write(tmp_path, TEST_2027))
    assert cal.is_known_year(2027)
    before = provisional_count()
    # Dec 29-31 (1-3); Jan 1 off (A); Jan 2-3 weekend; Jan 4 off (B); Jan 5-8 (4-7);
    # Jan 9-10 weekend; Jan 11-13 (8-10).
    result = cal.add_working_days(d("2026-12-28"), 10)
    assert result.due == d("2027-01-13")
    assert result.provisional is False
    assert result.skipped == (
        NonWorkingDay(d("2027-01-01"), "Test holiday A"),
        NonWorkingDay(d("2027-01-02"), "weekend"),
        NonWorkingDay(d("2027-01-03"), "weekend"),
        NonWorkingDay(d("2027-01-04"), "Test holiday B"),
        NonWorkingDay(d("2027-01-09"), "weekend"),
        NonWorkingDay(d("2027-01-10"), "weekend"),
    )
    # calendar days: Dec 22 + 10 = Jan 1 (A), over the weekend and Jan 4 (B) to Tue Jan 5
    calendar = cal.add_calendar_days(d("2026-12-22"), 10)
    assert calendar.due == d("2027-01-05")
    assert calendar.provisional is False
    # the make-up Saturday counts
    info = cal.describe(d("2027-01-16"))
    assert (info.working, info.name, info.provisional) == (True, "Test make-up day", False)
    assert cal.working_days_between(d("2027-01-15"), d("2027-01-18")) == 2
    assert provisional_count() == before


def test_override_entries_in_an_incomplete_year_apply_but_stay_provisional(
    tmp_path: Path,
) -> None:
    cal = BusinessCalendar.from_file(
        write(tmp_path, TEST_2027.replace("complete_years: [2027]", "complete_years: []"))
    )
    assert not cal.is_known_year(2027)
    before = provisional_count()
    result = cal.add_working_days(d("2026-12-28"), 10)
    assert result.due == d("2027-01-13")
    assert result.provisional_years == (2027,)
    assert provisional_count() == before + 1


# -- local adjustments in a known year -------------------------------------------------------


LOCAL_2026 = """\
holidays:
  - {date: 2026-03-20, name: "Local day off (test)"}
  - 2026-02-28
working_days:
  - {date: 2026-03-21, name: "Local make-up day (test)"}
"""


def test_local_holiday_in_2026_is_honoured(tmp_path: Path) -> None:
    plain = BusinessCalendar.from_file(None)
    local = BusinessCalendar.from_file(write(tmp_path, LOCAL_2026))
    # Without the override: Thu Mar 19 (1), Fri Mar 20 (2), Mon Mar 23 (3).
    assert plain.add_working_days(d("2026-03-18"), 3).due == d("2026-03-23")
    # With it: Thu Mar 19 (1), Fri Mar 20 off, Sat Mar 21 local make-up (2), Mon Mar 23 (3).
    result = local.add_working_days(d("2026-03-18"), 3)
    assert result.due == d("2026-03-23")
    assert result.skipped == (
        NonWorkingDay(d("2026-03-20"), "Local day off (test)"),
        NonWorkingDay(d("2026-03-22"), "weekend"),
    )
    assert result.provisional is False
    # Calendar days ending on the local day off move over it.
    calendar = local.add_calendar_days(d("2026-03-10"), 10)
    assert calendar.raw_end == d("2026-03-20")
    assert calendar.due == d("2026-03-21")
    assert plain.add_calendar_days(d("2026-03-10"), 10).due == d("2026-03-20")


def test_override_wins_over_the_package(tmp_path: Path) -> None:
    local = BusinessCalendar.from_file(write(tmp_path, LOCAL_2026))
    # 2026-02-28 is an official make-up Saturday; the local file gives it off (unnamed).
    info = local.describe(d("2026-02-28"))
    assert (info.working, info.name, info.provisional) == (
        False,
        "holiday (calendar override)",
        False,
    )
    # Fri Feb 27 (1), Sat Feb 28 now off, Sun Mar 1 off, Mon Mar 2 (2)
    assert local.add_working_days(d("2026-02-26"), 2).due == d("2026-03-02")


def test_empty_override_file_changes_nothing(tmp_path: Path) -> None:
    cal = BusinessCalendar.from_file(write(tmp_path, "# nothing yet\n"))
    assert cal.add_calendar_days(d("2026-02-01"), 15).due == d("2026-02-24")
    assert not cal.is_known_year(2027)


def test_shipped_example_file_loads_and_declares_nothing_complete() -> None:
    example = resources.files("huiyin_shared.calendar") / "example-override.yaml"
    with resources.as_file(example) as path:
        cal = BusinessCalendar.from_file(path)
    assert cal.override.complete_years == ()
    assert not cal.is_known_year(2027)
    info = cal.describe(d("2027-03-15"))
    assert info.working is False
    assert info.provisional is True
    assert info.name is not None
    assert "example" in info.name.lower()


# -- bad files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("holidays: [2027-02-30]\n", ["line 1", "2027-02-30"]),
        ("holidays:\n  - date: '2027-13-01'\n", ["holidays.0.date", "2027-13-01"]),
        ("holidays:\n  - 20270101\n", ["holidays.0.date", "20270101"]),
        ("holidays:\n  - 2027-01-01 10:00:00\n", ["holidays.0.date", "date-time"]),
        ("working_days:\n  - {date: 2027-01-02, nmae: x}\n", ["working_days.0.nmae"]),
        ("holiday:\n  - 2027-01-01\n", ["holiday"]),
        ("holidays: [2027-01-01]\nworking_days: [2027-01-01]\n", ["2027-01-01", "more than once"]),
        ("holidays: [2027-01-01, 2027-01-01]\n", ["more than once"]),
        ("complete_years: [twenty27]\n", ["complete_years.0"]),
        ("complete_years: [27]\n", ["27", "plausible"]),
        ("- 2027-01-01\n", ["top level"]),
        ("holidays: [2027-01-01\n", ["not valid YAML"]),
    ],
)
def test_bad_override_file_gives_a_clear_error(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = write(tmp_path, text, name="bad-override.yaml")
    with pytest.raises(CalendarOverrideError) as caught:
        BusinessCalendar.from_file(path)
    message = str(caught.value)
    assert "bad-override.yaml" in message
    for fragment in fragments:
        assert fragment in message


def test_missing_override_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarOverrideError, match="cannot read"):
        BusinessCalendar.from_file(tmp_path / "missing.yaml")


def test_override_error_is_a_value_error() -> None:
    assert issubclass(CalendarOverrideError, ValueError)
