"""Accountability's events: a matter is triggered, investigated, decided, served, appealed.

Subjects of accountability are staff and units, referred to by their registry ids; the
evidence is the ids of the events that triggered the rule.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AwareDatetime, Field, model_validator

from huiyin_shared.contracts.catalogue import EventData, event
from huiyin_shared.contracts.events.common import (
    ContractModel,
    RuleSource,
    Service,
    ShortText,
    StaffId,
    UnitId,
)

SubjectId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="A staff id or a unit id, as subject_kind says.",
    ),
]


class MatterSource(StrEnum):
    """Where an accountability matter came from (003 问责程序 5)."""

    SYSTEM_TRIGGER = "system_trigger"
    SUPERIOR_INSTRUCTION = "superior_instruction"
    REPORT_FROM_BELOW = "report_from_below"
    DEPUTY_PROPOSAL = "deputy_proposal"
    SUPERVISORY_OR_JUDICIAL_BODY = "supervisory_or_judicial_body"
    CITIZEN_COMPLAINT = "citizen_complaint"
    INSPECTION = "inspection"
    MEDIA = "media"


class Severity(StrEnum):
    """The three tiers of circumstances (情节)."""

    MINOR = "minor"
    SERIOUS = "serious"
    VERY_SERIOUS = "very_serious"


class SanctionCode(StrEnum):
    """The sanctions of 003 问责方式 3, grouped by tier in :data:`SANCTION_SEVERITY`."""

    ADMONISHMENT_TALK = "admonishment_talk"
    NO_HONOURS_THIS_YEAR = "no_honours_this_year"
    WRITTEN_SELF_CRITICISM = "written_self_criticism"
    PUBLIC_APOLOGY = "public_apology"
    CIRCULATED_CRITICISM = "circulated_criticism"
    REASSIGNMENT = "reassignment"
    SUSPENSION_FOR_REVIEW = "suspension_for_review"
    ADVISED_TO_RESIGN = "advised_to_resign"
    ORDERED_TO_RESIGN = "ordered_to_resign"
    DISMISSAL_PROPOSED = "dismissal_proposed"


SANCTION_SEVERITY: dict[SanctionCode, Severity] = {
    SanctionCode.ADMONISHMENT_TALK: Severity.MINOR,
    SanctionCode.NO_HONOURS_THIS_YEAR: Severity.MINOR,
    SanctionCode.WRITTEN_SELF_CRITICISM: Severity.MINOR,
    SanctionCode.PUBLIC_APOLOGY: Severity.SERIOUS,
    SanctionCode.CIRCULATED_CRITICISM: Severity.SERIOUS,
    SanctionCode.REASSIGNMENT: Severity.SERIOUS,
    SanctionCode.SUSPENSION_FOR_REVIEW: Severity.SERIOUS,
    SanctionCode.ADVISED_TO_RESIGN: Severity.VERY_SERIOUS,
    SanctionCode.ORDERED_TO_RESIGN: Severity.VERY_SERIOUS,
    SanctionCode.DISMISSAL_PROPOSED: Severity.VERY_SERIOUS,
}
"""The tier each sanction belongs to in the sanctions table (domain §7.4)."""


class SubjectKind(StrEnum):
    """Accountability reaches staff members and, for circulated criticism, units."""

    STAFF = "staff"
    UNIT = "unit"


class DecisionOutcome(StrEnum):
    """What the committee decided for one subject."""

    SANCTIONED = "sanctioned"
    EXEMPTED = "exempted"
    """Responsible, but exempted for lighter circumstances."""
    NOT_RESPONSIBLE = "not_responsible"


class AppealOutcome(StrEnum):
    """How an appeal ended; a wrong decision is corrected."""

    UPHELD = "upheld"
    AMENDED = "amended"
    REVOKED = "revoked"


class AccountabilityStep(StrEnum):
    """The time-limited steps of the accountability procedure (003 问责程序)."""

    INVESTIGATION = "investigation"
    SERVICE = "service"
    APPEAL_DECISION = "appeal_decision"


class SubjectDecision(ContractModel):
    """The decision for one subject: several people can answer for one case (domain §7.2)."""

    subject_kind: SubjectKind
    subject_id: SubjectId
    outcome: DecisionOutcome
    severity: Severity | None = None
    sanction_codes: list[SanctionCode] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _sanctions_match_outcome(self) -> Self:
        sanctioned = self.outcome is DecisionOutcome.SANCTIONED
        if sanctioned and (self.severity is None or not self.sanction_codes):
            raise ValueError("a sanction decision names its severity and sanctions")
        if not sanctioned and (self.severity is not None or self.sanction_codes):
            raise ValueError("only a sanction decision carries severity and sanctions")
        return self


@event("accountability.matter_opened", 1)
class AccountabilityMatterOpened(EventData):
    """A possible violation was found and awaits the preliminary check."""

    matter_id: uuid.UUID
    source: MatterSource
    rule_id: str | None = Field(
        default=None, max_length=64, description="The trigger rule, for system triggers."
    )
    rule_source: RuleSource | None = None
    subject_unit_ids: list[UnitId] = Field(default_factory=list, max_length=50)
    subject_staff_ids: list[StaffId] = Field(default_factory=list, max_length=50)
    petition_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    evidence_event_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    opened_at: AwareDatetime

    @model_validator(mode="after")
    def _trigger_has_rule_and_evidence(self) -> Self:
        if self.source is MatterSource.SYSTEM_TRIGGER and not (
            self.rule_id and self.rule_source and self.evidence_event_ids
        ):
            raise ValueError("a system trigger names its rule, the rule's source and evidence")
        if not (self.subject_unit_ids or self.subject_staff_ids):
            raise ValueError("a matter names at least one subject")
        return self


@event("accountability.matter_dismissed", 1)
class AccountabilityMatterDismissed(EventData):
    """The preliminary check found no case to answer."""

    matter_id: uuid.UUID
    reason: ShortText
    dismissed_by: StaffId
    dismissed_at: AwareDatetime


@event("accountability.case_opened", 1)
class AccountabilityCaseOpened(EventData):
    """An accountability case was opened and an investigation team formed."""

    accountability_case_id: uuid.UUID
    matter_id: uuid.UUID
    opened_at: AwareDatetime
    investigation_due: date = Field(description="10 working days, extendable once by 10.")


@event("accountability.decided", 1)
class AccountabilityDecided(EventData):
    """The committee decided; the decision must be served within 10 working days."""

    accountability_case_id: uuid.UUID
    decisions: list[SubjectDecision] = Field(min_length=1, max_length=50)
    decided_at: AwareDatetime
    service_due: date


@event("accountability.served", 1)
class AccountabilityServed(EventData):
    """The decision was served on its subjects, with their rights (appeal in 15 working days)."""

    accountability_case_id: uuid.UUID
    served_at: AwareDatetime
    appeal_due: date


@event("accountability.appealed", 1)
class AccountabilityAppealed(EventData):
    """A subject appealed; the decision is not suspended meanwhile."""

    accountability_case_id: uuid.UUID
    subject_kind: SubjectKind
    subject_id: SubjectId
    appealed_at: AwareDatetime
    decision_due: date = Field(description="30 working days from the appeal.")


@event("accountability.appeal_decided", 1)
class AccountabilityAppealDecided(EventData):
    """The appeal was decided; an amended decision replaces the original for that subject."""

    accountability_case_id: uuid.UUID
    subject_kind: SubjectKind
    subject_id: SubjectId
    outcome: AppealOutcome
    amended_decision: SubjectDecision | None = None
    decided_at: AwareDatetime

    @model_validator(mode="after")
    def _amendment_given(self) -> Self:
        if (self.outcome is AppealOutcome.AMENDED) != (self.amended_decision is not None):
            raise ValueError("exactly an amended outcome carries the amended decision")
        return self


@event("accountability.step_overdue", 1)
class AccountabilityStepOverdue(EventData):
    """A step of the accountability procedure passed its time limit."""

    accountability_case_id: uuid.UUID
    step: AccountabilityStep
    due_date: date
    detected_at: AwareDatetime


class AssessmentGrade(StrEnum):
    """The four grades of the annual assessment (004 考核制度 三)."""

    EXCELLENT = "excellent"
    QUALIFIED = "qualified"
    BASICALLY_QUALIFIED = "basically_qualified"
    UNQUALIFIED = "unqualified"


class StaffGrade(ContractModel):
    staff_id: StaffId
    items_met: int = Field(ge=0, le=10)
    grade: AssessmentGrade
    complete: bool = Field(description="False while an entered item is still missing.")


class UnitResult(ContractModel):
    unit_id: UnitId
    target_met: bool
    vetoed: bool = Field(description="一票否决: no honours this year; the head is adjusted.")


@event("assessment.published", 1)
class AssessmentPublished(EventData):
    """The year's assessment results were published (grades per staff, vetoes per unit)."""

    year: int = Field(ge=2000, le=2200)
    staff: list[StaffGrade] = Field(default_factory=list, max_length=10_000)
    units: list[UnitResult] = Field(default_factory=list, max_length=10_000)
    published_by: StaffId
    published_at: AwareDatetime


_TYPES = (
    "accountability.matter_opened",
    "accountability.matter_dismissed",
    "accountability.case_opened",
    "accountability.decided",
    "accountability.served",
    "accountability.appealed",
    "accountability.appeal_decided",
    "accountability.step_overdue",
    "assessment.published",
)

PRODUCERS: dict[str, tuple[Service, ...]] = dict.fromkeys(_TYPES, (Service.ACCOUNTABILITY,))
"""Who publishes each of this module's types."""

CONSUMERS: dict[str, tuple[Service, ...]] = dict.fromkeys(_TYPES, ())
"""No service consumes these yet: they are published for audit and for future readers."""
