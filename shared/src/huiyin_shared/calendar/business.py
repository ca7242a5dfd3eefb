"""Working days and due dates: :class:`BusinessCalendar` and its result types.

See :mod:`huiyin_shared.calendar` for the rules and the override file format.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

import chinese_calendar

from huiyin_shared.calendar.override import CalendarOverride, load_override
from huiyin_shared.metrics import PROVISIONAL_DEADLINES

WEEKEND = "weekend"
OVERRIDE_HOLIDAY = "holiday (calendar override)"
OVERRIDE_WORKING_DAY = "working day (calendar override)"
_ONE_DAY = timedelta(days=1)


class CountingMode(StrEnum):
    """How a period of N days is counted from its start date."""

    CALENDAR_DAYS = "calendar_days"
    """Due = start + N days; a non-working due day moves to the next working day."""

    WORKING_DAYS = "working_days"
    """Due = the N-th working day after the start."""


@dataclass(frozen=True, slots=True)
class NonWorkingDay:
    """A day off and why: a holiday's English name, ``"weekend"``, or the override's name."""

    day: date
    name: str

    def __str__(self) -> str:
        return f"{self.day.isoformat()} ({self.name})"


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar knows about one day.

    ``name`` is set for every non-working day, for make-up working days (for example
    ``"make-up working day (Spring Festival)"``) and for working days the override names;
    it is None for an ordinary weekday. ``provisional`` is True when the day's year has no
    official data (weekends-only fallback plus override entries).
    """

    day: date
    working: bool
    name: str | None
    provisional: bool


@dataclass(frozen=True, slots=True)
class DueDate:
    """A computed due date that explains itself.

    ``raw_end`` is ``start + days`` before any shift (calendar-day mode only; None in
    working-day mode). ``skipped`` lists, in working-day mode, the non-working days between the
    start and the due date that were not counted; in calendar-day mode, the non-working days
    from ``raw_end`` up to (not including) ``due`` that the due date was moved over.
    ``provisional_years`` are the years consulted that have no official data; ``provisional``
    is True exactly when there are any.
    """

    start: date
    days: int
    mode: CountingMode
    due: date
    raw_end: date | None
    skipped: tuple[NonWorkingDay, ...]
    provisional_years: tuple[int, ...]

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    def explain(self) -> str:
        """A one-paragraph English explanation, for logs and audit trails."""
        skipped = ", ".join(str(item) for item in self.skipped)
        if self.mode is CountingMode.CALENDAR_DAYS:
            assert self.raw_end is not None
            text = (
                f"{self.days} calendar days after {self.start.isoformat()} "
                f"(start day not counted) end on {self.raw_end.isoformat()}"
            )
            if self.skipped:
                text += (
                    f", a non-working day; moved over {skipped} "
                    f"to the next working day, {self.due.isoformat()}."
                )
            else:
                text += ", a working day: due that day."
        else:
            text = (
                f"{self.days} working days after {self.start.isoformat()} "
                f"(start day not counted) end on {self.due.isoformat()}"
            )
            text += f"; non-working days skipped: {skipped}." if self.skipped else "."
        if self.provisional:
            years = ", ".join(str(year) for year in self.provisional_years)
            text += (
                f" PROVISIONAL: no official holiday data for {years}; "
                "only weekends and calendar override entries were treated as non-working."
            )
        return text


@lru_cache(maxsize=256)
def package_has_year(year: int) -> bool:
    """Whether the installed ``chinese_calendar`` has official data for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _check_date(value: date, what: str = "day") -> None:
    # datetime is a date subclass; taking its date silently would use whatever zone it is in.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(
            f"{what} must be a datetime.date in the office's time zone, got {type(value).__name__}"
        )


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


class BusinessCalendar:
    """China's working days (with 调休 make-up days) plus an optional override file.

    Precedence for a day: an override entry, then ``chinese_calendar``'s official data, then
    (for years without official data) the weekend rule. Instances are immutable and do no I/O
    after construction.
    """

    def __init__(self, override: CalendarOverride | None = None) -> None:
        self._override = override if override is not None else CalendarOverride()
        self._complete_years = frozenset(self._override.complete_years)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str] | None) -> BusinessCalendar:
        """A calendar with the override file at ``path`` applied, or none when ``path`` is None.

        Raises :class:`~huiyin_shared.calendar.CalendarOverrideError` when the file cannot be
        read or is invalid.
        """
        return cls(load_override(path) if path is not None else None)

    @property
    def override(self) -> CalendarOverride:
        return self._override

    # -- single days -------------------------------------------------------------------------

    def is_known_year(self, year: int) -> bool:
        """Official data exists: ``chinese_calendar`` covers it or the override declares it
        complete. Results touching other years are provisional."""
        return year in self._complete_years or package_has_year(year)

    def describe(self, day: date) -> DayInfo:
        """Whether ``day`` is a working day, its name, and whether that is provisional.

        Counts one provisional computation when the year has no official data.
        """
        _check_date(day)
        info = self._info(day)
        if info.provisional:
            PROVISIONAL_DEADLINES.inc()
        return info

    def is_working_day(self, day: date) -> bool:
        """True for working days, including make-up working days.

        In a year without official data this is the weekends-only fallback (plus override
        entries) and counts one provisional computation; use :meth:`describe` to see the flag.
        """
        return self.describe(day).working

    def next_working_day(self, day: date, *, inclusive: bool = False) -> date:
        """The first working day after ``day`` (or on it, when ``inclusive``)."""
        _check_date(day)
        seen: list[DayInfo] = []
        current = day if inclusive else day + _ONE_DAY
        while True:
            info = self._info(current)
            seen.append(info)
            if info.working:
                break
            current += _ONE_DAY
        self._count_provisional(seen)
        return current

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with ``a < d <= b`` (the start day is not counted).

        So ``working_days_between(start, due_date(start, n, WORKING_DAYS).due) == n``.
        Negative when ``b < a``: ``working_days_between(a, b) == -working_days_between(b, a)``.
        """
        _check_date(a, "a")
        _check_date(b, "b")
        if b < a:
            return -self.working_days_between(b, a)
        infos = [self._info(day) for day in _days(a + _ONE_DAY, b)]
        self._count_provisional(infos)
        return sum(1 for info in infos if info.working)

    # -- periods -----------------------------------------------------------------------------

    def due_date(self, start: date, days: int, mode: CountingMode) -> DueDate:
        """The due date of a period of ``days`` days starting on ``start`` (not counted).

        Calendar days: ``start + days``, moved to the next working day if that is a
        non-working day. Working days: the ``days``-th working day after ``start``.
        ``days`` must be at least 1. Counts one provisional computation if the result is
        provisional.
        """
        _check_date(start, "start")
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(f"days must be a positive integer, got {days!r}")
        mode = CountingMode(mode)
        if mode is CountingMode.CALENDAR_DAYS:
            result = self._calendar_days(start, days)
        else:
            result = self._working_days(start, days)
        if result.provisional:
            PROVISIONAL_DEADLINES.inc()
        return result

    def add_calendar_days(self, start: date, days: int) -> DueDate:
        return self.due_date(start, days, CountingMode.CALENDAR_DAYS)

    def add_working_days(self, start: date, days: int) -> DueDate:
        return self.due_date(start, days, CountingMode.WORKING_DAYS)

    # -- internals (no metrics) --------------------------------------------------------------

    def _calendar_days(self, start: date, days: int) -> DueDate:
        raw_end = start + timedelta(days=days)
        seen: list[DayInfo] = []
        current = raw_end
        while True:
            info = self._info(current)
            seen.append(info)
            if info.working:
                break
            current += _ONE_DAY
        return DueDate(
            start=start,
            days=days,
            mode=CountingMode.CALENDAR_DAYS,
            due=current,
            raw_end=raw_end,
            skipped=_non_working(seen),
            provisional_years=_provisional_years(seen),
        )

    def _working_days(self, start: date, days: int) -> DueDate:
        seen: list[DayInfo] = []
        counted = 0
        current = start
        while counted < days:
            current += _ONE_DAY
            info = self._info(current)
            seen.append(info)
            if info.working:
                counted += 1
        return DueDate(
            start=start,
            days=days,
            mode=CountingMode.WORKING_DAYS,
            due=current,
            raw_end=None,
            skipped=_non_working(seen),
            provisional_years=_provisional_years(seen),
        )

    def _info(self, day: date) -> DayInfo:
        known = self.is_known_year(day.year)
        entry = self._override.lookup(day)
        if entry is not None:
            working, name = entry
            default = OVERRIDE_WORKING_DAY if working else OVERRIDE_HOLIDAY
            return DayInfo(day, working, name or default, provisional=not known)
        if package_has_year(day.year):
            holiday: bool
            official_name: str | None
            holiday, official_name = chinese_calendar.get_holiday_detail(day)
            if holiday:
                return DayInfo(day, False, official_name or WEEKEND, provisional=False)
            if official_name is not None:
                name = f"make-up working day ({official_name})"
                return DayInfo(day, True, name, provisional=False)
            return DayInfo(day, True, None, provisional=False)
        weekend = day.weekday() >= 5
        return DayInfo(day, not weekend, WEEKEND if weekend else None, provisional=not known)

    @staticmethod
    def _count_provisional(infos: Iterable[DayInfo]) -> None:
        if any(info.provisional for info in infos):
            PROVISIONAL_DEADLINES.inc()


def _non_working(infos: Iterable[DayInfo]) -> tuple[NonWorkingDay, ...]:
    return tuple(
        NonWorkingDay(info.day, info.name or WEEKEND) for info in infos if not info.working
    )


def _provisional_years(infos: Iterable[DayInfo]) -> tuple[int, ...]:
    return tuple(sorted({info.day.year for info in infos if info.provisional}))
