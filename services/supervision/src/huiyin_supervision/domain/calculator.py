"""The public due-date calculator: any start date, any period, either counting mode."""

from __future__ import annotations

from datetime import date

from huiyin_shared.calendar import CountingMode
from huiyin_shared.errors import RuleViolation
from huiyin_supervision.domain.explanation import Explanation, explain
from huiyin_supervision.domain.office import OfficeCalendar

MIN_DAYS = 1
MAX_DAYS = 3650
"""Ten years: longer than any time limit in the rules."""


class DueDateOutOfRange(RuleViolation):
    slug = "due-date-out-of-range"
    title = "Due date cannot be computed"


def calculate_due_date(
    office: OfficeCalendar, *, start: date, days: int, mode: CountingMode
) -> Explanation:
    """The due date of ``days`` days from ``start`` (not counted), explained."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise DueDateOutOfRange(
            f"days must be between {MIN_DAYS} and {MAX_DAYS}",
            errors=[{"field": "query.days", "message": "out of range", "type": "out_of_range"}],
        )
    try:
        result = office.due_date(start, days, mode)
    except OverflowError:
        raise DueDateOutOfRange(
            "the due date falls outside the supported range of dates",
            errors=[{"field": "query.start", "message": "too late", "type": "out_of_range"}],
        ) from None
    return explain(result)
