"""The business calendar: China's working days, make-up days (调休) and due dates.

Official data comes from the maintained ``chinese_calendar`` package (holidays and make-up
working days from the State Council notices, 2004-2026 in version 1.11.0). An optional
override file adds next year's notice before the package is updated, and local adjustments.

Which days are working days
---------------------------
For each day, the first rule that applies decides:

1. an entry in the override file (``holidays`` → non-working, ``working_days`` → working);
2. ``chinese_calendar``'s data, when it covers the year (holidays are non-working, make-up
   working days are working, other days follow Monday-Friday);
3. the weekend rule: Saturday and Sunday are non-working, Monday-Friday are working.

A year is *known* when ``chinese_calendar`` has data for it or the override file lists it in
``complete_years``. Nothing is guessed silently: a result that consulted a day in an unknown
year is **provisional** (``DueDate.provisional``, ``DueDate.provisional_years``,
``DayInfo.provisional``) and each such computation increments the Prometheus counter
``huiyin_calendar_provisional_computations_total``.

Counting periods (the start day is never counted)
-------------------------------------------------
* ``CountingMode.CALENDAR_DAYS``: due = start + N days; if that day is a non-working day the
  due date moves to the next working day.
* ``CountingMode.WORKING_DAYS``: due = the N-th working day after the start; weekends and
  holidays are skipped, make-up working days count.

Override file format (YAML)
---------------------------
All three keys are optional; unknown keys are rejected::

    # Years for which this file holds the complete official data (every holiday and every
    # make-up working day of the State Council notice). Results in these years are final.
    complete_years: [2027]

    # Non-working days. Each item is a date, or a mapping with a date and an optional name.
    holidays:
      - 2027-01-01
      - {date: 2027-03-15, name: "Local day off: county office relocation"}

    # Working days, such as make-up days (调休上班) on a weekend.
    working_days:
      - date: 2027-02-06
        name: Spring Festival make-up working day

Dates are ISO ``YYYY-MM-DD`` (unquoted YAML dates or strings). A date may appear only once
across both lists. The file is read with ``yaml.safe_load`` at construction
(:meth:`BusinessCalendar.from_file`) and validated; any problem raises
:class:`CalendarOverrideError` naming the file and the offending entry. The override applies
in every year, known or not, so it also carries local adjustments to official years.
``example-override.yaml`` next to this module shows the layout.
"""

from huiyin_shared.calendar.business import (
    BusinessCalendar,
    CountingMode,
    DayInfo,
    DueDate,
    NonWorkingDay,
    package_has_year,
)
from huiyin_shared.calendar.override import (
    CalendarOverride,
    CalendarOverrideError,
    OverrideDay,
    load_override,
    parse_override,
)

__all__ = [
    "BusinessCalendar",
    "CalendarOverride",
    "CalendarOverrideError",
    "CountingMode",
    "DayInfo",
    "DueDate",
    "NonWorkingDay",
    "OverrideDay",
    "load_override",
    "package_has_year",
    "parse_override",
]
