"""The staff API's own bodies: registration with urgency, decisions, identity reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from huiyin_intake.domain.decisions import Accept, DecisionCommand, NotAccept, ReferOut
from huiyin_intake.domain.identity import Gender, Identity
from huiyin_intake.domain.petitions import PetitionStatus
from huiyin_intake.entrypoints.schemas import PersonIn, PetitionIn, _Strict
from huiyin_intake.repository import PetitionFilter
from huiyin_shared.contracts.events.common import (
    Channel,
    NotAcceptedReason,
    PetitionKind,
    ShortText,
    StaffId,
)


class SearchQuery(_Strict):
    """Staff search filters (all optional, combined) and the page wanted."""

    status: PetitionStatus | None = None
    channel: Channel | None = None
    kind: PetitionKind | None = None
    office_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    division_code: str | None = Field(
        default=None, pattern=r"^[0-9]{2,12}$", description="A prefix of the division code."
    )
    urgent: bool | None = None
    collective: bool | None = None
    received_from: AwareDatetime | None = None
    received_to: AwareDatetime | None = None
    q: str | None = Field(default=None, min_length=1, max_length=100, description="Summary text.")
    registration_number: str | None = Field(default=None, min_length=1, max_length=64)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000)

    def criteria(self) -> PetitionFilter:
        return PetitionFilter(
            status=self.status,
            channel=self.channel,
            kind=self.kind,
            office_id=self.office_id,
            division_code=self.division_code,
            urgent=self.urgent,
            collective=self.collective,
            received_from=self.received_from,
            received_to=self.received_to,
            text=self.q,
            registration_number=self.registration_number,
        )


class StaffRegistrationIn(PetitionIn):
    """A letter, visit or call registered by a clerk, for the office the clerk acts for."""

    urgent: bool = Field(default=False, description="Major or urgent: reported at once.")
    urgent_reported_to: StaffId | None = Field(
        default=None, description="The leader it is reported to; required when urgent."
    )

    def staff_problems(self) -> list[dict[str, str]]:
        if self.urgent and self.urgent_reported_to is None:
            return [
                {
                    "field": "body.urgent_reported_to",
                    "message": "an urgent petition is reported to a leader at once: name them",
                    "type": "urgent_unreported",
                }
            ]
        if not self.urgent and self.urgent_reported_to is not None:
            return [
                {
                    "field": "body.urgent_reported_to",
                    "message": "only an urgent petition is reported",
                    "type": "report_without_urgency",
                }
            ]
        return []


class AcceptIn(_Strict):
    decision: Literal["accept"]

    def to_command(self, decided_by: str) -> DecisionCommand:
        return Accept(decided_by=decided_by)


class NotAcceptIn(_Strict):
    decision: Literal["not_accept"]
    reason: NotAcceptedReason
    proper_channel: ShortText = Field(description="Where the petitioner should go instead.")

    def to_command(self, decided_by: str) -> DecisionCommand:
        return NotAccept(
            decided_by=decided_by, reason=self.reason, proper_channel=self.proper_channel
        )


class ReferOutIn(_Strict):
    decision: Literal["refer_out"]
    authority: ShortText = Field(description="The competent authority the petitioner is told.")
    reason: ShortText

    def to_command(self, decided_by: str) -> DecisionCommand:
        return ReferOut(decided_by=decided_by, authority=self.authority, reason=self.reason)


DecisionIn = Annotated[AcceptIn | NotAcceptIn | ReferOutIn, Field(discriminator="decision")]


class UrgentReportIn(_Strict):
    reported_to: StaffId = Field(description="The leader the petition is reported to.")


class IdentityReadIn(_Strict):
    reason: ShortText = Field(description="Why the identity is needed; kept with the record.")


class IdentityOut(_Strict):
    name: str
    id_number: str | None
    phone: str | None
    address: str | None
    work_unit: str | None
    position: str | None
    gender: Gender | None
    email: str | None
    co_petitioners: list[PersonIn]
    representatives: list[PersonIn]

    @classmethod
    def of(cls, identity: Identity) -> IdentityOut:
        def persons(items: tuple[object, ...]) -> list[PersonIn]:
            return [PersonIn.model_validate(p, from_attributes=True) for p in items]

        return cls(
            name=identity.name,
            id_number=identity.id_number,
            phone=identity.phone,
            address=identity.address,
            work_unit=identity.work_unit,
            position=identity.position,
            gender=identity.gender,
            email=identity.email,
            co_petitioners=persons(identity.co_petitioners),
            representatives=persons(identity.representatives),
        )


class IdentityReadOut(BaseModel):
    """One attempt to read an identity, as recorded (never the identity itself)."""

    read_id: uuid.UUID
    reader_id: str
    reader_role: str
    reader_unit_id: str
    reason: str
    read_at: datetime
    allowed: bool
