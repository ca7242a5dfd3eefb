"""The office's calendar: how instants become local dates and how periods are counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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

    def local_date(self, instant: datetime) -> date:
        """The office's date at ``instant`` (which must be timezone-aware)."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("a naive datetime has no date in the office's time zone")
        return instant.astimezone(self.timezone).date()

    def due_date(self, start: date, days: int, mode: CountingMode) -> DueDate:
        return self.calendar.due_date(start, days, mode)
