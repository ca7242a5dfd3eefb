"""The shapes the HTTP API answers with."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field

from huiyin_shared.calendar import CountingMode
from huiyin_supervision.domain.clocks import ClockStatus, PetitionClock
from huiyin_supervision.domain.explanation import DayOff, Explanation


class DayOffOut(BaseModel):
    date: dt.date
    name: str = Field(examples=["National Day"])

    @classmethod
    def of(cls, day: DayOff) -> DayOffOut:
        return cls(date=day.day, name=day.name)


class RuleOut(BaseModel):
    clock: str = Field(examples=["acceptance_notice"])
    description: str
    source: str = Field(examples=["002 五.1; 003"], description="Source document and article.")


class ExplanationOut(BaseModel):
    """How the due date was computed; the start day is never counted."""

    start: dt.date
    days: int
    counting_mode: CountingMode
    raw_end: dt.date | None = Field(
        description="Calendar-days mode: start + days, before any move to a working day."
    )
    due: dt.date
    skipped_days: list[DayOffOut] = Field(
        description="Working-days mode: the non-working days that were not counted."
    )
    shifted_over: list[DayOffOut] = Field(
        description="Calendar-days mode: the non-working days the due date was moved over."
    )
    shifted: bool
    provisional: bool = Field(
        description="True when a year without official holiday data was consulted."
    )
    provisional_years: list[int]
    rule: RuleOut | None = Field(
        description="The policy line, for a clock; none for the calculator."
    )
    start_basis: str | None = Field(description="How the start date was derived, for a clock.")
    text: str = Field(description="The whole explanation in one paragraph.")

    @classmethod
    def of(cls, explanation: Explanation) -> ExplanationOut:
        rule = explanation.rule
        return cls(
            start=explanation.start,
            days=explanation.days,
            counting_mode=explanation.counting_mode,
            raw_end=explanation.raw_end,
            due=explanation.due,
            skipped_days=[DayOffOut.of(day) for day in explanation.skipped_days],
            shifted_over=[DayOffOut.of(day) for day in explanation.shifted_over],
            shifted=explanation.shifted,
            provisional=explanation.provisional,
            provisional_years=list(explanation.provisional_years),
            rule=None
            if rule is None
            else RuleOut(clock=rule.clock, description=rule.description, source=rule.source),
            start_basis=explanation.start_basis,
            text=explanation.text,
        )


class DueDateOut(BaseModel):
    due_date: dt.date
    explanation: ExplanationOut


class ClockOut(BaseModel):
    petition_id: uuid.UUID
    clock: str = Field(examples=["acceptance_notice"])
    office_id: str
    registration_number: str
    received_at: dt.datetime
    start_date: dt.date = Field(description="The received date in the office's time zone.")
    due_date: dt.date
    status: ClockStatus = Field(description="As of today in the office's time zone.")
    met_at: dt.datetime | None
    met_event: str | None = Field(description="The event that met the clock.")
    met_on_time: bool | None = Field(description="Met by the due date; null while not met.")
    opened_at: dt.datetime
    explanation: ExplanationOut

    @classmethod
    def of(cls, clock: PetitionClock, *, status: ClockStatus, met_on_time: bool | None) -> ClockOut:
        return cls(
            petition_id=clock.petition_id,
            clock=clock.clock.value,
            office_id=clock.office_id,
            registration_number=clock.registration_number,
            received_at=clock.received_at,
            start_date=clock.start_date,
            due_date=clock.due_date,
            status=status,
            met_at=clock.met_at,
            met_event=None if clock.stop is None else clock.stop.met_event,
            met_on_time=met_on_time,
            opened_at=clock.opened_at,
            explanation=ExplanationOut.of(clock.explanation),
        )
