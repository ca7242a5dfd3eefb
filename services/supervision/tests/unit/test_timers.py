"""The timer schedule: reminders in working hours on working days, overdue, escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from huiyin_shared.contracts.events.case import EscalationLevel
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.domain.timers import TimerConfig, TimerKind, plan, schedule

SH = ZoneInfo("Asia/Shanghai")
CONFIG = TimerConfig()


def at(day: date, hour: int = 9, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, 0, second), tzinfo=SH)


def test_the_schedule_around_national_day_2026(office: OfficeCalendar) -> None:
    # Due Friday 9 Oct 2026: three working days before is 30 Sep (1-7 Oct are holidays).
    moments = schedule(
        office, start=date(2026, 8, 10), due=date(2026, 10, 9), periodic=True, config=CONFIG
    )
    kinds = [(m.kind, m.at) for m in moments]
    assert (TimerKind.REMINDER_BEFORE, at(date(2026, 9, 29))) in kinds
    assert (TimerKind.REMINDER_DUE_DAY, at(date(2026, 10, 9))) in kinds
    # The day after is Saturday 10 Oct, a make-up working day: overdue is noticed then.
    assert (TimerKind.OVERDUE, at(date(2026, 10, 10))) in kinds
    # Monthly reminder on 10 Sep (a working Thursday).
    assert (TimerKind.REMINDER_PERIODIC, at(date(2026, 9, 10))) in kinds
    levels = [m.level for m in moments if m.kind is TimerKind.ESCALATE]
    assert levels == [
        EscalationLevel.UNIT_HEAD,
        EscalationLevel.LEADER_IN_CHARGE,
        EscalationLevel.LEADER_OWNERSHIP,
        EscalationLevel.SUPERIOR_BODY,
    ]


@settings(max_examples=200, deadline=None)
@given(
    due=st.dates(min_value=date(2025, 1, 10), max_value=date(2026, 12, 1)),
    length=st.integers(5, 120),
    periodic=st.booleans(),
)
def test_every_moment_is_in_working_hours_on_a_working_day(
    due: date, length: int, periodic: bool
) -> None:
    from huiyin_shared.calendar import BusinessCalendar

    office = OfficeCalendar(calendar=BusinessCalendar(), timezone=SH)
    start = date.fromordinal(due.toordinal() - length)
    for moment in schedule(office, start=start, due=due, periodic=periodic, config=CONFIG):
        local = moment.at.astimezone(SH)
        assert office.calendar.is_working_day(local.date())
        assert CONFIG.work_starts <= local.time() < CONFIG.work_ends


def test_after_an_outage_only_state_changes_and_no_stale_reminder(office: OfficeCalendar) -> None:
    moments = schedule(
        office, start=date(2026, 3, 2), due=date(2026, 5, 6), periodic=False, config=CONFIG
    )
    now = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)
    firing = plan(moments, after=None, now=now)
    kinds = [m.kind for m in firing.fire]
    assert TimerKind.OVERDUE in kinds
    assert not any(kind.is_reminder for kind in kinds)
    assert firing.next_at is not None
    assert firing.next_at > now
    # Nothing fires twice: planning again from the last firing finds nothing new now.
    assert plan(moments, after=now, now=now).fire == ()


def test_a_single_reminder_fires_on_time(office: OfficeCalendar) -> None:
    moments = schedule(
        office, start=date(2026, 3, 2), due=date(2026, 5, 6), periodic=False, config=CONFIG
    )
    first = moments[0]
    assert first.kind is TimerKind.REMINDER_BEFORE
    firing = plan(moments, after=None, now=first.at)
    assert [m.kind for m in firing.fire] == [TimerKind.REMINDER_BEFORE]
    assert firing.next_at == moments[1].at
