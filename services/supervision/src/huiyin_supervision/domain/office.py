"""The office's calendar: how instants become local dates and how periods are counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from huiyin_shared.calendar import BusinessCalendar, CountingMode, DueDate


@dataclass
class OfficeCalendar:
    """The business calendar and the office's time zone; no I/O after construction.

    ``calendar`` is replaced (never mutated) when the override file changes, so every
    reader sees either the old calendar or the new one, whole.
    """

    calendar: BusinessCalendar
    timezone: ZoneInfo
    # Timer schedules ask about the same few hundred days again and again; the calendar
    # package answers each in tens of microseconds, this in one dict lookup.
    _working: dict[date, bool] = field(default_factory=dict, repr=False, compare=False)

    def replace_calendar(self, calendar: BusinessCalendar) -> None:
        """Use a new calendar from now on (the override file changed)."""
        self._working = {}
        self.calendar = calendar

    def is_working_day(self, day: date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._working[day] = self.calendar.is_working_day(day)
        return working

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        current = day + timedelta(days=1)
        while not self.is_working_day(current):
            current += timedelta(days=1)
        return current

    def local_date(self, instant: datetime) -> date:
        """The office's date at ``instant`` (which must be timezone-aware)."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("a naive datetime has no date in the office's time zone")
        return instant.astimezone(self.timezone).date()

    def due_date(self, start: date, days: int, mode: CountingMode) -> DueDate:
        return self.calendar.due_date(start, days, mode)
