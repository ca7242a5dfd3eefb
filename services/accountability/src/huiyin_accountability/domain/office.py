"""The office's calendar: instants become local dates; periods count on the business calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from huiyin_shared.calendar import BusinessCalendar


@dataclass(frozen=True)
class Office:
    calendar: BusinessCalendar
    zone: ZoneInfo

    def local_date(self, instant: datetime) -> date:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("a naive datetime has no date in the office's time zone")
        return instant.astimezone(self.zone).date()
