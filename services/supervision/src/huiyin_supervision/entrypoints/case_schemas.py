"""Request and answer shapes of the case API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from huiyin_shared.contracts.events.case import ResultDefect, SupervisionGround
from huiyin_supervision.case_repository import Case, CaseClock
from huiyin_supervision.domain.lifecycle import CaseStatus
from huiyin_supervision.domain.notification import NotifyChannel
from huiyin_supervision.entrypoints.schemas import ExplanationOut


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=500)


class NoteIn(_In):
    note: str = Field(min_length=1, max_length=4000)


class ExtensionIn(_In):
    days: int = Field(description="At most 30 (002 五.3); checked as a rule, not a schema.")
    reason: str = Field(min_length=1, max_length=500)


class ExtensionDecisionIn(_In):
    approve: bool
    reason: str = Field(
        min_length=1, max_length=500, description="Approved: the reason told to the petitioner."
    )


class ResultIn(_In):
    handling_opinion: str = Field(
        min_length=1, max_length=4000, description="The handling opinion (处理意见书)."
    )


class ChecklistIn(_In):
    """The result review of §6.3 (000 交办案件 四; 001 复查要求): every item must hold."""

    material_complete: bool
    questions_answered: bool
    facts_clear: bool
    evidence_sufficient: bool
    characterisation_correct: bool
    rules_applied_correctly: bool
    handling_appropriate: bool
    procedure_complete: bool

    def defects(self) -> list[ResultDefect]:
        pairs = {
            ResultDefect.MATERIAL_INCOMPLETE: self.material_complete,
            ResultDefect.QUESTIONS_UNANSWERED: self.questions_answered,
            ResultDefect.FACTS_UNCLEAR: self.facts_clear,
            ResultDefect.EVIDENCE_INSUFFICIENT: self.evidence_sufficient,
            ResultDefect.CHARACTERISATION_WRONG: self.characterisation_correct,
            ResultDefect.RULES_MISAPPLIED: self.rules_applied_correctly,
            ResultDefect.HANDLING_INAPPROPRIATE: self.handling_appropriate,
            ResultDefect.PROCEDURE_INCOMPLETE: self.procedure_complete,
        }
        return [defect for defect, ok in pairs.items() if not ok]


class ReviewIn(_In):
    checklist: ChecklistIn
    comment: str | None = Field(default=None, min_length=1, max_length=500)


class CloseIn(_In):
    public_summary: str = Field(
        min_length=1, max_length=4000, description="The result as told to the petitioner."
    )


class PetitionerToldIn(_In):
    channel: NotifyChannel = Field(
        description="written_reply (real-name), representatives_meeting (collective), "
        "published_result (anonymous); phone is refused for a result."
    )
    told_at: dt.datetime = Field(description="When the petitioner was told (with its offset).")
    note: str | None = Field(default=None, min_length=1, max_length=1000)

    @field_validator("told_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("told_at needs a time zone offset")
        return value


class PetitionerToldOut(BaseModel):
    due_date: dt.date
    on_time: bool


class NoticeIn(_In):
    ground: SupervisionGround
    days: int = Field(ge=1, le=60, description="New deadline in working days from today.")


class AnswerIn(_In):
    answer: str = Field(min_length=1, max_length=4000)


class OwnershipIn(_In):
    leader_id: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")


class ClockOut(BaseModel):
    clock: str
    state: str
    due_date: dt.date
    provisional: bool
    extension_pending_days: int | None
    extension_granted_days: int
    reminders_sent: int
    next_fire_at: dt.datetime | None
    overdue_at: dt.datetime | None
    met_at: dt.datetime | None
    explanation: ExplanationOut

    @classmethod
    def of(cls, clock: CaseClock) -> ClockOut:
        return cls(
            clock=clock.clock.value,
            state=clock.state,
            due_date=clock.due_date,
            provisional=clock.provisional,
            extension_pending_days=clock.extension_pending_days,
            extension_granted_days=clock.extension_granted_days,
            reminders_sent=clock.reminders_sent,
            next_fire_at=clock.next_fire_at,
            overdue_at=clock.overdue_at,
            met_at=clock.met_at,
            explanation=ExplanationOut.of(clock.explanation),
        )


class CaseOut(BaseModel):
    case_id: uuid.UUID
    petition_id: uuid.UUID
    registration_number: str
    unit_id: str
    unit_name: str
    role: str
    mode: str
    deadline_class: str
    kind: str
    status: CaseStatus
    handler_id: str | None
    owner_leader_id: str | None
    escalation_level: str
    review_tier: str | None
    original_case_id: uuid.UUID | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None

    @classmethod
    def of(cls, case: Case) -> CaseOut:
        return cls(
            case_id=case.case_id,
            petition_id=case.petition_id,
            registration_number=case.registration_number,
            unit_id=case.unit.unit_id,
            unit_name=case.unit.unit_name,
            role=case.role,
            mode=case.mode,
            deadline_class=case.deadline_class,
            kind=case.kind,
            status=case.status,
            handler_id=case.handler_id,
            owner_leader_id=case.owner_leader_id,
            escalation_level=case.escalation_level,
            review_tier=case.review_tier,
            original_case_id=case.original_case_id,
            opened_at=case.opened_at,
            closed_at=case.closed_at,
        )


class HistoryOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    detail: dict[str, Any]


class NoticeOut(BaseModel):
    notice_number: str
    ground: str
    new_due_date: dt.date
    issued_at: dt.datetime
    issued_by: str
    answer: str | None
    answered_at: dt.datetime | None


class CaseDetailOut(CaseOut):
    clocks: list[ClockOut]
    history: list[HistoryOut]
    notices: list[NoticeOut]


class NoticeIssuedOut(BaseModel):
    notice_number: str
    new_due_date: dt.date


class SweepOut(BaseModel):
    timers_fired: int


class DueOut(BaseModel):
    due_date: dt.date
