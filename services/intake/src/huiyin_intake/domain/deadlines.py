"""Which due dates intake sets, counted on the shared business calendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from huiyin_shared.calendar import BusinessCalendar, CountingMode, DueDate

ACCEPTANCE_NOTICE_DAYS = 15
"""The petitioner is told in writing within 15 days of receipt whether the petition is
accepted (002 五.1; 003 限时办结 5; domain §6.1: calendar days)."""


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The office's local date of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no local date")
    return instant.astimezone(zone).date()


def acceptance_notice_due(
    received_at: datetime, *, zone: ZoneInfo, calendar: BusinessCalendar
) -> DueDate:
    """15 calendar days from the local date of receipt (the start day not counted); a due day
    that is not a working day moves to the next working day."""
    return calendar.due_date(
        local_date(received_at, zone), ACCEPTANCE_NOTICE_DAYS, CountingMode.CALENDAR_DAYS
    )
