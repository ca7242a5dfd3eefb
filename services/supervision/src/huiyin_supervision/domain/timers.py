"""When a running clock's timer fires, and what for (reminders, overdue, escalation).

For a clock with its due date the schedule is a short list of moments: a reminder some
working days before the due date, one on it, monthly reminders for assigned cases, the
overdue notice the working day after, and the escalation steps after that. Every moment is
moved into working hours on a working day, since that is when a unit can act on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from huiyin_shared.contracts.events.case import EscalationLevel
from huiyin_supervision.domain.deadlines import add_months
from huiyin_supervision.domain.office import OfficeCalendar


class TimerKind(StrEnum):
    REMINDER_BEFORE = "reminder_before"
    REMINDER_DUE_DAY = "reminder_due_day"
    REMINDER_PERIODIC = "reminder_periodic"
    OVERDUE = "overdue"
    ESCALATE = "escalate"

    @property
    def is_reminder(self) -> bool:
        return self in (
            TimerKind.REMINDER_BEFORE,
            TimerKind.REMINDER_DUE_DAY,
            TimerKind.REMINDER_PERIODIC,
        )


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """``working_days`` after the due date, responsibility moves to ``level``."""

    working_days: int
    level: EscalationLevel


DEFAULT_LADDER: tuple[EscalationStep, ...] = (
    EscalationStep(1, EscalationLevel.UNIT_HEAD),
    EscalationStep(5, EscalationLevel.LEADER_IN_CHARGE),
    EscalationStep(10, EscalationLevel.LEADER_OWNERSHIP),
    EscalationStep(20, EscalationLevel.SUPERIOR_BODY),
)


@dataclass(frozen=True, slots=True)
class TimerConfig:
    reminder_working_days_before: int = 3
    work_starts: time = time(9, 0)
    work_ends: time = time(17, 30)
    ladder: tuple[EscalationStep, ...] = DEFAULT_LADDER


@dataclass(frozen=True, slots=True, order=True)
class Moment:
    at: datetime
    kind: TimerKind
    level: EscalationLevel | None = None


def working_instant(office: OfficeCalendar, at: datetime, config: TimerConfig) -> datetime:
    """``at`` if it is in working hours on a working day, else the next start of work."""
    local = at.astimezone(office.timezone)
    day = local.date()
    if office.is_working_day(day):
        if local.time() < config.work_starts:
            return _start_of_work(office, day, config)
        if local.time() < config.work_ends:
            return at
    return _start_of_work(office, office.next_working_day(day), config)


def _start_of_work(office: OfficeCalendar, day: date, config: TimerConfig) -> datetime:
    return datetime.combine(day, config.work_starts, tzinfo=office.timezone)


def _working_day_before(office: OfficeCalendar, day: date, n: int) -> date:
    current = day
    while n > 0:
        current -= timedelta(days=1)
        if office.is_working_day(current):
            n -= 1
    return current


def _working_days_after(office: OfficeCalendar, day: date, counts: set[int]) -> dict[int, date]:
    """The n-th working day after ``day`` for every n in ``counts``, in one walk."""
    found: dict[int, date] = {}
    current, n = day, 0
    while len(found) < len(counts):
        current = office.next_working_day(current)
        n += 1
        if n in counts:
            found[n] = current
    return found


def schedule(
    office: OfficeCalendar,
    *,
    start: date,
    due: date,
    periodic: bool,
    config: TimerConfig,
) -> list[Moment]:
    """Every moment of a running clock's schedule, in order."""
    moments: list[Moment] = []
    if config.reminder_working_days_before > 0:
        before = _working_day_before(office, due, config.reminder_working_days_before)
        if before > start:
            moments.append(
                Moment(_start_of_work(office, before, config), TimerKind.REMINDER_BEFORE)
            )
    if periodic:
        month = 1
        while (day := add_months(start, month)) < due:
            at = working_instant(office, _start_of_work(office, day, config), config)
            moments.append(Moment(at, TimerKind.REMINDER_PERIODIC))
            month += 1
    due_at = working_instant(office, _start_of_work(office, due, config), config)
    moments.append(Moment(due_at, TimerKind.REMINDER_DUE_DAY))
    overdue_day = office.next_working_day(due)
    moments.append(Moment(_start_of_work(office, overdue_day, config), TimerKind.OVERDUE))
    steps = _working_days_after(office, due, {max(1, s.working_days) for s in config.ladder})
    for step in config.ladder:
        day = steps[max(1, step.working_days)]
        # Escalations follow the overdue notice at the same start of work, a second later.
        at = _start_of_work(office, day, config) + timedelta(seconds=1)
        moments.append(Moment(at, TimerKind.ESCALATE, step.level))
    return sorted(moments)


@dataclass(frozen=True, slots=True)
class Firing:
    """What a sweep does now for one clock, and when its timer next fires."""

    fire: tuple[Moment, ...]
    next_at: datetime | None


def plan(moments: Sequence[Moment], *, after: datetime | None, now: datetime) -> Firing:
    """The moments in ``(after, now]`` to act on, and the next one after ``now``.

    After an outage several moments may have passed at once: overdue notices and escalations
    are all acted on (each changes the case), but of the reminders only the latest, and none
    once the case is overdue — a late "three days left" would only mislead.
    """
    passed = [m for m in moments if (after is None or m.at > after) and m.at <= now]
    upcoming = [m for m in moments if m.at > now]
    changes = tuple(m for m in passed if not m.kind.is_reminder)
    reminders = [m for m in passed if m.kind.is_reminder]
    overdue_now = any(m.kind is TimerKind.OVERDUE for m in passed)
    fire = changes if overdue_now or not reminders else (reminders[-1], *changes)
    return Firing(fire=tuple(sorted(fire)), next_at=upcoming[0].at if upcoming else None)
