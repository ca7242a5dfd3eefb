"""Supervision's events: a case at a handling unit, its clocks, and how it ends.

One petition gives one case per unit (lead and participants); review and re-review open
new cases linked to the original. Deadlines are dates in the office's time zone.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from huiyin_shared.contracts.catalogue import EventData, event
from huiyin_shared.contracts.events.common import (
    CaseRole,
    ClockName,
    CountingMode,
    LongText,
    PetitionerRef,
    ReviewTier,
    RoutingMode,
    RuleSource,
    Service,
    ShortText,
    StaffId,
    SubjectCategory,
    UnitId,
    UnitRef,
)


class SupervisionGround(StrEnum):
    """Why a case is put under supervision (督办情形)."""

    OVERDUE_UNEXPLAINED = "overdue_unexplained"
    RESULT_INADEQUATE = "result_inadequate"
    REPEAT_PETITION = "repeat_petition"
    LONG_PENDING = "long_pending"
    LEADER_REQUEST = "leader_request"


class EscalationLevel(StrEnum):
    """The escalation ladder, lowest first."""

    HANDLER = "handler"
    UNIT_HEAD = "unit_head"
    LEADER_IN_CHARGE = "leader_in_charge"
    LEADER_OWNERSHIP = "leader_ownership"
    SUPERIOR_BODY = "superior_body"


_LADDER = list(EscalationLevel)


class PauseReason(StrEnum):
    """What stops a clock; only a hearing does, by the rules so far."""

    HEARING = "hearing"


class ResultDefect(StrEnum):
    """What a result review found missing (审核, 000 交办案件 四; 001 复查要求)."""

    MATERIAL_INCOMPLETE = "material_incomplete"
    QUESTIONS_UNANSWERED = "questions_unanswered"
    FACTS_UNCLEAR = "facts_unclear"
    EVIDENCE_INSUFFICIENT = "evidence_insufficient"
    CHARACTERISATION_WRONG = "characterisation_wrong"
    RULES_MISAPPLIED = "rules_misapplied"
    HANDLING_INAPPROPRIATE = "handling_inappropriate"
    PROCEDURE_INCOMPLETE = "procedure_incomplete"


class FinalBasis(StrEnum):
    """Why a matter became final."""

    SATISFIED = "satisfied"
    NO_REVIEW_REQUESTED = "no_review_requested"
    RE_REVIEW_CONCLUDED = "re_review_concluded"


@event("case.opened", 1)
class CaseOpened(EventData):
    """Supervision opened a case for a unit from a routing decision."""

    case_id: uuid.UUID
    petition_id: uuid.UUID
    decision_id: uuid.UUID = Field(description="The routing decision that caused it.")
    unit: UnitRef
    role: CaseRole
    mode: RoutingMode
    opened_at: AwareDatetime

    @model_validator(mode="after")
    def _handled_here(self) -> Self:
        if self.mode is RoutingMode.REFER_OUT:
            raise ValueError("a petition referred out opens no case")
        return self


@event("case.deadline_set", 1)
class CaseDeadlineSet(EventData):
    """A clock on a case got (or changed) its due date, with the rule that set it."""

    case_id: uuid.UUID
    clock: ClockName
    due_date: date
    counting_mode: CountingMode
    provisional: bool = Field(
        description="True when computed on a calendar not yet confirmed for that year."
    )
    rule_source: RuleSource


@event("case.accepted_by_unit", 1)
class CaseAcceptedByUnit(EventData):
    """The unit acknowledged the assignment and named its handler."""

    case_id: uuid.UUID
    unit: UnitRef
    handler_id: StaffId
    accepted_at: AwareDatetime


@event("case.reminder_sent", 1)
class CaseReminderSent(EventData):
    """A reminder (催办) went to the unit."""

    case_id: uuid.UUID
    unit: UnitRef
    clock: ClockName
    due_date: date
    sequence: int = Field(ge=1, description="1 for the first reminder on this clock.")
    sent_at: AwareDatetime


@event("case.overdue", 1)
class CaseOverdue(EventData):
    """A clock passed its due date; without an explanation this is a supervision ground."""

    case_id: uuid.UUID
    unit: UnitRef
    clock: ClockName
    due_date: date
    explanation_filed: bool
    detected_at: AwareDatetime


@event("case.supervision_notice_issued", 1)
class CaseSupervisionNoticeIssued(EventData):
    """A numbered supervision notice (督办告知书) set the unit a new deadline."""

    notice_number: str = Field(min_length=1, max_length=64)
    case_id: uuid.UUID
    unit: UnitRef
    ground: SupervisionGround
    new_due_date: date
    issued_at: AwareDatetime
    issued_by: StaffId


@event("case.escalated", 1)
class CaseEscalated(EventData):
    """Responsibility moved up the ladder."""

    case_id: uuid.UUID
    from_level: EscalationLevel
    to_level: EscalationLevel
    owner_id: StaffId | None = Field(
        default=None, description="The person now responsible; absent for the superior body."
    )
    reason: ShortText
    escalated_at: AwareDatetime

    @model_validator(mode="after")
    def _goes_up(self) -> Self:
        if _LADDER.index(self.to_level) <= _LADDER.index(self.from_level):
            raise ValueError("escalation goes up the ladder")
        return self


@event("case.extension_requested", 1)
class CaseExtensionRequested(EventData):
    """The unit asked for more time (before expiry, once)."""

    case_id: uuid.UUID
    clock: ClockName
    days: int = Field(ge=1, le=366)
    reason: ShortText
    requested_at: AwareDatetime
    requested_by: StaffId


@event("case.extended", 1)
class CaseExtended(EventData):
    """An extension was approved; its reason is told to the petitioner."""

    case_id: uuid.UUID
    clock: ClockName
    days: int = Field(ge=1, le=366)
    new_due_date: date
    reason_public: ShortText = Field(description="The reason as told to the petitioner.")
    approved_by: StaffId
    approved_at: AwareDatetime


@event("case.extension_refused", 1)
class CaseExtensionRefused(EventData):
    """An extension was refused; the original due date stands."""

    case_id: uuid.UUID
    clock: ClockName
    reason: ShortText
    refused_by: StaffId
    refused_at: AwareDatetime


@event("case.paused", 1)
class CasePaused(EventData):
    """The case's clocks stopped (hearing time does not count)."""

    case_id: uuid.UUID
    reason: PauseReason
    paused_at: AwareDatetime


@event("case.resumed", 1)
class CaseResumed(EventData):
    """The clocks run again; shifted due dates follow as case.deadline_set."""

    case_id: uuid.UUID
    resumed_at: AwareDatetime


@event("case.result_submitted", 1)
class CaseResultSubmitted(EventData):
    """The unit submitted its handling opinion (处理意见书) for review."""

    case_id: uuid.UUID
    petition_id: uuid.UUID
    result_summary: LongText
    submitted_by: StaffId
    submitted_at: AwareDatetime


@event("case.result_approved", 1)
class CaseResultApproved(EventData):
    """The result passed review."""

    case_id: uuid.UUID
    reviewer_id: StaffId
    approved_at: AwareDatetime


@event("case.returned_for_redo", 1)
class CaseReturnedForRedo(EventData):
    """The result failed review and went back to the unit (退回重办)."""

    case_id: uuid.UUID
    defects: list[ResultDefect] = Field(min_length=1)
    comment: ShortText | None = None
    reviewer_id: StaffId
    returned_at: AwareDatetime


@event("case.closed", 1)
class CaseClosed(EventData):
    """The case is closed (办结); the public result is what the petitioner is told."""

    case_id: uuid.UUID
    petition_id: uuid.UUID
    closed_at: AwareDatetime
    result_summary_public: LongText


@event("case.review_opened", 1)
class CaseReviewOpened(EventData):
    """A review or re-review case was opened on a closed case."""

    case_id: uuid.UUID = Field(description="The new review case.")
    original_case_id: uuid.UUID
    petition_id: uuid.UUID
    tier: ReviewTier
    unit: UnitRef = Field(description="The body conducting the review.")
    opened_at: AwareDatetime


@event("case.final", 1)
class CaseFinal(EventData):
    """The matter is final: no further review is possible."""

    case_id: uuid.UUID
    petition_id: uuid.UUID
    basis: FinalBasis
    final_at: AwareDatetime


class ScreeningCategory(StrEnum):
    """What screening looks for (预测排查, 001; 矛盾纠纷排查, 003)."""

    REPEAT_PETITIONER = "repeat_petitioner"
    """The same petitioner twice or more within a month."""
    COLLECTIVE_PETITION = "collective_petition"
    LONG_PENDING = "long_pending"
    """A case open long past its normal time (久拖不决)."""
    HOT_TOPIC = "hot_topic"
    """Many petitions on one subject within the period."""


@event("screening.flagged", 1)
class ScreeningFlagged(EventData):
    """Screening flagged a matter; an owner leader must act on it by the deadline."""

    flag_id: uuid.UUID
    category: ScreeningCategory
    office_id: UnitId
    summary: ShortText = Field(description="Why it was flagged, without identities.")
    petitioner_ref: PetitionerRef | None = Field(
        default=None, description="For a repeat petitioner: the pseudonymous reference."
    )
    subject_category: SubjectCategory | None = None
    petition_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    case_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    owner_id: StaffId = Field(description="The leader who owns the follow-up.")
    due_date: date
    flagged_at: AwareDatetime


_CASE_TYPES = (
    "case.opened",
    "case.deadline_set",
    "case.accepted_by_unit",
    "case.reminder_sent",
    "case.overdue",
    "case.supervision_notice_issued",
    "case.escalated",
    "case.extension_requested",
    "case.extended",
    "case.extension_refused",
    "case.paused",
    "case.resumed",
    "case.result_submitted",
    "case.result_approved",
    "case.returned_for_redo",
    "case.closed",
    "case.review_opened",
    "case.final",
    "screening.flagged",
)

# The petitioner-facing tracking projection in intake follows only what a petitioner sees.
_TRACKED_BY_INTAKE = frozenset(
    {
        "case.opened",
        "case.deadline_set",
        "case.accepted_by_unit",
        "case.extended",
        "case.paused",
        "case.resumed",
        "case.closed",
        "case.review_opened",
        "case.final",
    }
)

PRODUCERS: dict[str, tuple[Service, ...]] = dict.fromkeys(_CASE_TYPES, (Service.SUPERVISION,))
"""Who publishes each of this module's types."""

CONSUMERS: dict[str, tuple[Service, ...]] = {
    t: (Service.INTAKE, Service.ACCOUNTABILITY)
    if t in _TRACKED_BY_INTAKE
    else (Service.ACCOUNTABILITY,)
    for t in _CASE_TYPES
}
"""Who binds a queue to each of this module's types."""
