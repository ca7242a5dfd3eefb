"""Intake's events: a petition is registered, accepted or not, linked, fed back on.

Intake owns petitioner identities; these contracts carry a pseudonymous
:data:`~huiyin_shared.contracts.events.common.PetitionerRef` at most, never identity.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from huiyin_shared.contracts.catalogue import EventData, event
from huiyin_shared.contracts.events.common import (
    Channel,
    DivisionCode,
    LongText,
    NotAcceptedReason,
    PersonRef,
    PetitionerRef,
    PetitionFacts,
    PetitionKind,
    RegistrationNumber,
    ReviewTier,
    Service,
    ShortText,
    StaffId,
    SubjectCategory,
    UnitId,
)


@event("petition.registered", 1)
class PetitionRegistered(EventData):
    """A petition was registered and numbered (same-day registration is checked from it)."""

    petition_id: uuid.UUID
    registration_number: RegistrationNumber
    office_id: UnitId = Field(description="The registering office.")
    channel: Channel
    kind: PetitionKind
    received_at: AwareDatetime = Field(
        description="When it arrived; for letters, the day received, possibly before entry."
    )
    registered_at: AwareDatetime
    registered_by: StaffId | None = Field(
        default=None, description="The registering clerk; absent for portal submissions."
    )
    petitioner_ref: PetitionerRef | None = Field(
        default=None, description="Absent only when the petitioner is anonymous."
    )
    anonymous: bool
    people_count: int = Field(ge=1, le=100_000)
    collective: bool = Field(description="Collective visit or joint petition (5+ people).")
    accused_unit_ids: list[UnitId] = Field(default_factory=list, max_length=50)
    accused_person_refs: list[PersonRef] = Field(default_factory=list, max_length=50)
    division_code: DivisionCode = Field(description="Where the matter arises (territorial).")
    subject_category: SubjectCategory
    summary: LongText = Field(description="Content summary for handling; no identity.")
    urgent: bool = Field(description="Major or urgent: must be reported to leaders at once.")

    @model_validator(mode="after")
    def _real_name_has_ref(self) -> Self:
        if not self.anonymous and self.petitioner_ref is None:
            raise ValueError("a real-name petition needs a petitioner_ref")
        return self


@event("petition.accepted", 1)
class PetitionAccepted(EventData):
    """The office accepted the petition; it carries what routing and handling need."""

    petition_id: uuid.UUID
    accepted_by: StaffId
    acceptance_notice_due: date = Field(
        description="Written acceptance notice due to the petitioner (15 days from receipt)."
    )
    petition: PetitionFacts


@event("petition.not_accepted", 1)
class PetitionNotAccepted(EventData):
    """The office declined the petition on one of the six grounds and named the proper channel."""

    petition_id: uuid.UUID
    reason: NotAcceptedReason
    proper_channel: ShortText = Field(description="Where the petitioner should go instead.")
    decided_at: AwareDatetime
    decided_by: StaffId


@event("petition.repeat_linked", 1)
class PetitionRepeatLinked(EventData):
    """A repeat petition was linked to the original instead of being opened again."""

    petition_id: uuid.UUID
    original_petition_id: uuid.UUID
    repeat_count: int = Field(
        ge=2, description="How many times the matter has now been submitted (2 = first repeat)."
    )
    linked_at: AwareDatetime

    @model_validator(mode="after")
    def _not_self(self) -> Self:
        if self.petition_id == self.original_petition_id:
            raise ValueError("a petition cannot repeat itself")
        return self


@event("petition.urgent_reported", 1)
class PetitionUrgentReported(EventData):
    """A major or urgent petition was reported to a leader (lateness is a violation)."""

    petition_id: uuid.UUID
    reported_at: AwareDatetime
    reported_to: StaffId = Field(description="The leader it was reported to.")
    reported_by: StaffId


@event("identity.accessed", 1)
class IdentityAccessed(EventData):
    """Someone asked to read a petitioner's identity; every attempt is recorded."""

    petition_id: uuid.UUID
    reader_id: StaffId
    reader_role: str = Field(pattern=r"^[a-z_]{1,64}$", description="Role the reader acted in.")
    reader_unit_id: UnitId
    reason: ShortText
    read_at: AwareDatetime
    allowed: bool = Field(description="False when the read was refused (an attempted leak).")


@event("petition.feedback_received", 1)
class PetitionFeedbackReceived(EventData):
    """The petitioner rated the result (满意度评价)."""

    petition_id: uuid.UUID
    case_id: uuid.UUID | None = None
    tier: ReviewTier | None = Field(
        default=None, description="Which result was rated: absent for the first handling."
    )
    satisfied: bool
    comment: ShortText | None = None
    received_at: AwareDatetime


@event("petition.review_requested", 1)
class PetitionReviewRequested(EventData):
    """A dissatisfied petitioner asked for review or re-review."""

    petition_id: uuid.UUID
    tier: ReviewTier
    requested_at: AwareDatetime


PRODUCERS: dict[str, tuple[Service, ...]] = {
    "petition.registered": (Service.INTAKE,),
    "petition.accepted": (Service.INTAKE,),
    "petition.not_accepted": (Service.INTAKE,),
    "petition.repeat_linked": (Service.INTAKE,),
    "petition.urgent_reported": (Service.INTAKE,),
    "identity.accessed": (Service.INTAKE,),
    "petition.feedback_received": (Service.INTAKE,),
    "petition.review_requested": (Service.INTAKE,),
}
"""Who publishes each of this module's types."""

CONSUMERS: dict[str, tuple[Service, ...]] = {
    "petition.registered": (Service.SUPERVISION, Service.ACCOUNTABILITY),
    "petition.accepted": (Service.ROUTING, Service.SUPERVISION, Service.ACCOUNTABILITY),
    "petition.not_accepted": (Service.SUPERVISION, Service.ACCOUNTABILITY),
    "petition.repeat_linked": (Service.SUPERVISION, Service.ACCOUNTABILITY),
    "petition.urgent_reported": (Service.ACCOUNTABILITY,),
    "identity.accessed": (Service.ACCOUNTABILITY,),
    "petition.feedback_received": (Service.SUPERVISION, Service.ACCOUNTABILITY),
    "petition.review_requested": (Service.SUPERVISION, Service.ACCOUNTABILITY),
}
"""Who binds a queue to each of this module's types."""
