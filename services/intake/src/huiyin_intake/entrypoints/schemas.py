"""The staff API's request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from huiyin_intake.domain.decisions import Accept, DecisionCommand, NotAccept
from huiyin_intake.domain.numbering import MAX_OFFICE_ID_LENGTH
from huiyin_intake.domain.petitions import Petition, PetitionStatus, Registration
from huiyin_shared.contracts.events.common import (
    Channel,
    DivisionCode,
    LongText,
    NotAcceptedReason,
    PetitionKind,
    ShortText,
    StaffId,
    SubjectCategory,
    UnitId,
)


class RegistrationIn(BaseModel):
    """A letter, visit or call registered by staff, or a submission from a portal.

    No identity is taken yet: a real-name petition gets a pseudonymous reference only.
    """

    model_config = ConfigDict(extra="forbid")

    office_id: Annotated[UnitId, Field(max_length=MAX_OFFICE_ID_LENGTH)] = Field(
        description="The registering office; its numbers are sequential per year."
    )
    channel: Channel
    kind: PetitionKind
    received_at: AwareDatetime = Field(
        description="When it arrived; for letters the day received, possibly before entry. "
        "Never in the future."
    )
    anonymous: bool
    people_count: int = Field(default=1, ge=1, le=100_000, description="5 or more: collective.")
    accused_unit_ids: list[UnitId] = Field(default_factory=list, max_length=50)
    division_code: DivisionCode
    subject_category: SubjectCategory
    summary: LongText
    urgent: bool = False
    registered_by: StaffId | None = Field(default=None, description="Absent for portals.")

    def to_registration(self) -> Registration:
        return Registration(
            office_id=self.office_id,
            channel=self.channel,
            kind=self.kind,
            received_at=self.received_at,
            anonymous=self.anonymous,
            people_count=self.people_count,
            division_code=self.division_code,
            subject_category=self.subject_category,
            summary=self.summary,
            urgent=self.urgent,
            accused_unit_ids=tuple(self.accused_unit_ids),
            registered_by=self.registered_by,
        )


class RegisteredOut(BaseModel):
    petition_id: uuid.UUID
    registration_number: str
    status: PetitionStatus


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept"]
    decided_by: StaffId

    def to_command(self) -> DecisionCommand:
        return Accept(decided_by=self.decided_by)


class NotAcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["not_accept"]
    reason: NotAcceptedReason
    proper_channel: ShortText = Field(description="Where the petitioner should go instead.")
    decided_by: StaffId

    def to_command(self) -> DecisionCommand:
        return NotAccept(
            decided_by=self.decided_by, reason=self.reason, proper_channel=self.proper_channel
        )


DecisionIn = Annotated[AcceptIn | NotAcceptIn, Field(discriminator="decision")]


class DecisionOut(BaseModel):
    decision: str
    decided_by: str
    decided_at: datetime
    acceptance_notice_due: date | None
    reason: NotAcceptedReason | None
    proper_channel: str | None


class PetitionOut(BaseModel):
    """The staff view of a petition."""

    petition_id: uuid.UUID
    registration_number: str
    office_id: str
    status: PetitionStatus
    channel: Channel
    kind: PetitionKind
    received_at: datetime
    registered_at: datetime
    anonymous: bool
    collective: bool
    urgent: bool
    division_code: str
    subject_category: str
    summary: str
    decision: DecisionOut | None

    @classmethod
    def of(cls, petition: Petition) -> PetitionOut:
        details, decision = petition.details, petition.decision
        return cls(
            petition_id=petition.petition_id,
            registration_number=petition.registration_number,
            office_id=details.office_id,
            status=petition.status,
            channel=details.channel,
            kind=details.kind,
            received_at=details.received_at,
            registered_at=petition.registered_at,
            anonymous=details.anonymous,
            collective=details.collective,
            urgent=details.urgent,
            division_code=details.division_code,
            subject_category=details.subject_category,
            summary=details.summary,
            decision=None
            if decision is None
            else DecisionOut(
                decision=decision.outcome.value,
                decided_by=decision.decided_by,
                decided_at=decision.decided_at,
                acceptance_notice_due=decision.acceptance_notice_due,
                reason=decision.reason,
                proper_channel=decision.proper_channel,
            ),
        )
