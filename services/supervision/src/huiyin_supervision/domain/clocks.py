"""A petition's clock: opened on a policy, met by a decision, overdue after its due date."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from huiyin_supervision.domain.explanation import Explanation, explain
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.domain.policies import ClockKind, ClockPolicy


class ClockStatus(StrEnum):
    RUNNING = "running"
    MET = "met"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class ClockStop:
    """What stopped a clock: the decision's time and the event that carried it."""

    met_at: datetime
    met_event: str


@dataclass(frozen=True, slots=True)
class PetitionClock:
    petition_id: uuid.UUID
    clock: ClockKind
    office_id: str
    registration_number: str
    received_at: datetime
    start_date: date
    due_date: date
    explanation: Explanation
    opened_at: datetime
    stop: ClockStop | None = None

    @property
    def met_at(self) -> datetime | None:
        return None if self.stop is None else self.stop.met_at


def clock_status(*, due_date: date, met_at: datetime | None, today: date) -> ClockStatus:
    """Met once stopped; overdue from the day after the due date (the due day still counts)."""
    if met_at is not None:
        return ClockStatus.MET
    return ClockStatus.OVERDUE if today > due_date else ClockStatus.RUNNING


def status_of(clock: PetitionClock, *, now: datetime, office: OfficeCalendar) -> ClockStatus:
    """The clock's status at ``now``, judged on the office's local date."""
    return clock_status(due_date=clock.due_date, met_at=clock.met_at, today=office.local_date(now))


def met_on_time(clock: PetitionClock, *, office: OfficeCalendar) -> bool | None:
    """Whether the clock was met by its due date (local); None while it is not met."""
    if clock.met_at is None:
        return None
    return office.local_date(clock.met_at) <= clock.due_date


def open_clock(
    policy: ClockPolicy,
    *,
    office: OfficeCalendar,
    petition_id: uuid.UUID,
    office_id: str,
    registration_number: str,
    received_at: datetime,
    opened_at: datetime,
) -> PetitionClock:
    """A new clock starting on the local date of ``received_at``, due per ``policy``."""
    start = office.local_date(received_at)
    basis = (
        f"Received at {received_at.astimezone(UTC).isoformat()}, "
        f"which is {start.isoformat()} in {office.timezone.key}."
    )
    result = office.due_date(start, policy.days, policy.counting_mode)
    return PetitionClock(
        petition_id=petition_id,
        clock=policy.clock,
        office_id=office_id,
        registration_number=registration_number,
        received_at=received_at,
        start_date=start,
        due_date=result.due,
        explanation=explain(result, policy=policy, start_basis=basis),
        opened_at=opened_at,
    )
