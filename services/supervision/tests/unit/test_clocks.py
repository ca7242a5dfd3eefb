from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from huiyin_supervision.domain.clocks import (
    ClockStatus,
    ClockStop,
    PetitionClock,
    clock_status,
    met_on_time,
    open_clock,
    status_of,
)
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.domain.policies import ClockKind, policy_for

OPENED_AT = datetime(2026, 9, 22, 2, 0, tzinfo=UTC)


def acceptance_clock(office: OfficeCalendar, received_at: datetime) -> PetitionClock:
    return open_clock(
        policy_for(ClockKind.ACCEPTANCE_NOTICE),
        office=office,
        petition_id=uuid.uuid4(),
        office_id="office-370102",
        registration_number="XF-370102-2026-000001",
        received_at=received_at,
        opened_at=OPENED_AT,
    )


def test_the_clock_starts_on_the_received_date_in_the_office_time_zone(
    office: OfficeCalendar,
) -> None:
    # 17:00 UTC on the 21st is 01:00 on the 22nd in Beijing.
    clock = acceptance_clock(office, datetime(2026, 9, 21, 17, 0, tzinfo=UTC))
    assert clock.start_date == date(2026, 9, 22)
    assert clock.due_date == date(2026, 10, 8)
    assert clock.explanation.due == clock.due_date
    assert clock.explanation.rule is not None
    assert clock.explanation.start_basis == (
        "Received at 2026-09-21T17:00:00+00:00, which is 2026-09-22 in Asia/Shanghai."
    )
    assert clock.stop is None


def test_one_minute_across_local_midnight_changes_the_due_date(office: OfficeCalendar) -> None:
    before = acceptance_clock(office, datetime(2026, 3, 1, 15, 59, tzinfo=UTC))  # Sun 23:59
    after = acceptance_clock(office, datetime(2026, 3, 1, 16, 0, tzinfo=UTC))  # Mon 00:00
    assert (before.start_date, before.due_date) == (date(2026, 3, 1), date(2026, 3, 16))
    assert (after.start_date, after.due_date) == (date(2026, 3, 2), date(2026, 3, 17))


def test_a_naive_received_time_is_refused(office: OfficeCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        acceptance_clock(office, datetime(2026, 3, 1, 16, 0))


@pytest.mark.parametrize(
    ("today", "met_at", "expected"),
    [
        (date(2026, 10, 7), None, ClockStatus.RUNNING),
        (date(2026, 10, 8), None, ClockStatus.RUNNING),  # the due day itself is in time
        (date(2026, 10, 9), None, ClockStatus.OVERDUE),
        (date(2026, 10, 9), datetime(2026, 9, 30, tzinfo=UTC), ClockStatus.MET),
        (date(2026, 12, 1), datetime(2026, 11, 1, tzinfo=UTC), ClockStatus.MET),  # met late
    ],
)
def test_status(today: date, met_at: datetime | None, expected: ClockStatus) -> None:
    assert clock_status(due_date=date(2026, 10, 8), met_at=met_at, today=today) is expected


def test_overdue_starts_at_local_midnight_after_the_due_day(office: OfficeCalendar) -> None:
    clock = acceptance_clock(office, datetime(2026, 9, 21, 17, 0, tzinfo=UTC))  # due 10-08
    last_minute = datetime(2026, 10, 8, 15, 59, tzinfo=UTC)  # 23:59 in Beijing
    next_day = datetime(2026, 10, 8, 16, 0, tzinfo=UTC)  # 00:00 on the 9th in Beijing
    assert status_of(clock, now=last_minute, office=office) is ClockStatus.RUNNING
    assert status_of(clock, now=next_day, office=office) is ClockStatus.OVERDUE


def test_met_on_time_is_judged_on_the_local_date(office: OfficeCalendar) -> None:
    clock = acceptance_clock(office, datetime(2026, 9, 21, 17, 0, tzinfo=UTC))  # due 10-08
    assert met_on_time(clock, office=office) is None
    on_time = ClockStop(datetime(2026, 10, 8, 15, 59, tzinfo=UTC), "petition.accepted")
    late = ClockStop(datetime(2026, 10, 8, 16, 0, tzinfo=UTC), "petition.accepted")
    assert met_on_time(_with_stop(clock, on_time), office=office) is True
    assert met_on_time(_with_stop(clock, late), office=office) is False


def _with_stop(clock: PetitionClock, stop: ClockStop) -> PetitionClock:
    return replace(clock, stop=stop)
