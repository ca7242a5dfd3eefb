"""Request and response bodies shared by the staff and portal APIs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from huiyin_intake.domain.decisions import Decision
from huiyin_intake.domain.errors import InvalidPetition
from huiyin_intake.domain.identity import (
    Gender,
    Identity,
    Person,
    id_number_valid,
    normalise_id_number,
    normalise_phone,
    phone_valid,
)
from huiyin_intake.domain.petitions import (
    COLLECTIVE_PEOPLE_COUNT,
    MAX_REPRESENTATIVES,
    MIN_REPRESENTATIVES,
    Petition,
    PetitionStatus,
    Registration,
)
from huiyin_intake.service.registration import Registered
from huiyin_shared.contracts.events.common import (
    Channel,
    DivisionCode,
    LongText,
    NotAcceptedReason,
    PetitionKind,
    SubjectCategory,
    UnitId,
)

MAX_EVIDENCE_ITEMS = 20
MAX_ACCUSED = 20


def _id_number(value: str) -> str:
    if not id_number_valid(value):
        raise ValueError("not a valid 18-character resident identity number (check digit)")
    return normalise_id_number(value)


def _phone(value: str) -> str:
    if not phone_valid(value):
        raise ValueError("not a mainland mobile (1xxxxxxxxxx) or landline (0xx-xxxxxxxx) number")
    return normalise_phone(value)


IdNumber = Annotated[str, Field(min_length=18, max_length=18), AfterValidator(_id_number)]
Phone = Annotated[str, Field(min_length=7, max_length=20), AfterValidator(_phone)]
PersonName = Annotated[str, Field(min_length=1, max_length=50)]
Text200 = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonIn(_Strict):
    name: PersonName
    phone: Phone | None = None
    id_number: IdNumber | None = None

    def to_person(self) -> Person:
        return Person(name=self.name, phone=self.phone, id_number=self.id_number)


class IdentityIn(_Strict):
    """The petitioner's identity: encrypted at rest, never in events, read only by the
    identity custodian (every read recorded). A real name needs an ID number or a phone."""

    name: PersonName
    id_number: IdNumber | None = None
    phone: Phone | None = None
    address: Text200 | None = None
    work_unit: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    position: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    gender: Gender | None = None
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = (
        None
    )
    co_petitioners: list[PersonIn] = Field(
        default_factory=list,
        max_length=COLLECTIVE_PEOPLE_COUNT - 2,
        description="The other petitioners of a joint petition of 2–4 people.",
    )
    representatives: list[PersonIn] = Field(
        default_factory=list,
        max_length=MAX_REPRESENTATIVES,
        description="A collective petition (5+ people) names 3–5 representatives.",
    )

    def to_identity(self) -> Identity:
        return Identity(
            name=self.name,
            id_number=self.id_number,
            phone=self.phone,
            address=self.address,
            work_unit=self.work_unit,
            position=self.position,
            gender=self.gender,
            email=self.email,
            co_petitioners=tuple(p.to_person() for p in self.co_petitioners),
            representatives=tuple(p.to_person() for p in self.representatives),
        )


class PetitionIn(_Strict):
    """What every registration or submission says about the matter."""

    channel: Channel
    kind: PetitionKind
    received_at: AwareDatetime = Field(
        description="When it arrived; for letters the day received, possibly before entry. "
        "Never in the future."
    )
    anonymous: bool
    identity: IdentityIn | None = Field(
        default=None, description="Required for a real-name petition, absent when anonymous."
    )
    people_count: int = Field(default=1, ge=1, le=100_000, description="5 or more: collective.")
    accused_unit_ids: list[UnitId] = Field(default_factory=list, max_length=MAX_ACCUSED)
    accused_persons: list[PersonName] = Field(
        default_factory=list,
        max_length=MAX_ACCUSED,
        description="Names of accused persons: kept in intake, never in events.",
    )
    division_code: DivisionCode = Field(description="Where the matter arises (6, 9 or 12 digits).")
    address_text: Text200 | None = Field(default=None, description="Where, in words.")
    subject_category: SubjectCategory
    summary: LongText
    requests: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    evidence: list[Text200] = Field(
        default_factory=list,
        max_length=MAX_EVIDENCE_ITEMS,
        description="Attached evidence, one description per item.",
    )

    def problems(self) -> list[dict[str, str]]:
        """Field combinations that do not fit, each naming its field."""
        found: list[dict[str, str]] = []

        def bad(field: str, message: str, kind: str) -> None:
            found.append({"field": f"body.{field}", "message": message, "type": kind})

        identity = self.identity
        if self.anonymous and identity is not None:
            bad("identity", "must be absent for an anonymous petition", "identity_with_anonymous")
        if not self.anonymous and identity is None:
            bad("identity", "required for a real-name petition", "identity_missing")
        if identity is None:
            return found
        if identity.id_number is None and identity.phone is None:
            bad("identity", "a real name needs an ID number or a phone", "identity_unreachable")
        collective = self.people_count >= COLLECTIVE_PEOPLE_COUNT
        size = len(identity.representatives)
        if collective and not MIN_REPRESENTATIVES <= size <= MAX_REPRESENTATIVES:
            bad(
                "identity.representatives",
                f"a collective petition of {self.people_count} people names "
                f"{MIN_REPRESENTATIVES}–{MAX_REPRESENTATIVES} representatives, not {size}",
                "representatives_count",
            )
        if not collective and size:
            bad(
                "identity.representatives",
                f"only a collective petition ({COLLECTIVE_PEOPLE_COUNT}+ people) has representatives",
                "representatives_not_collective",
            )
        if len(identity.co_petitioners) > self.people_count - 1:
            bad(
                "identity.co_petitioners",
                f"more co-petitioners than the {self.people_count} people counted",
                "co_petitioners_count",
            )
        return found

    def check(self, extra: list[dict[str, str]] | None = None) -> None:
        problems = self.problems() + (extra or [])
        if problems:
            raise InvalidPetition("the petition's fields do not fit together", errors=problems)

    def registration(
        self, *, office_id: str, urgent: bool, registered_by: str | None, portal_id: str | None
    ) -> Registration:
        return Registration(
            office_id=office_id,
            channel=self.channel,
            kind=self.kind,
            received_at=self.received_at,
            anonymous=self.anonymous,
            people_count=self.people_count,
            division_code=self.division_code,
            subject_category=self.subject_category,
            summary=self.summary,
            urgent=urgent,
            accused_unit_ids=tuple(self.accused_unit_ids),
            accused_persons=tuple(self.accused_persons),
            address_text=self.address_text,
            requests=self.requests,
            evidence=tuple(self.evidence),
            registered_by=registered_by,
            portal_id=portal_id,
        )

    def to_identity(self) -> Identity | None:
        return None if self.identity is None else self.identity.to_identity()


class RegisteredOut(BaseModel):
    petition_id: uuid.UUID
    registration_number: str
    status: PetitionStatus
    query_code: str = Field(
        description="Give it to the petitioner: it is shown this once and stored only hashed."
    )
    collective: bool
    repeat_of: str | None = Field(
        default=None, description="The original's registration number when this is a repeat."
    )


class DecisionOut(BaseModel):
    decision: str
    decided_by: str
    decided_at: datetime
    acceptance_notice_due: date
    reason: NotAcceptedReason | None
    proper_channel: str | None
    referral_reason: str | None

    @classmethod
    def of(cls, decision: Decision) -> DecisionOut:
        return cls(
            decision=decision.outcome.value,
            decided_by=decision.decided_by,
            decided_at=decision.decided_at,
            acceptance_notice_due=decision.acceptance_notice_due,
            reason=decision.reason,
            proper_channel=decision.proper_channel,
            referral_reason=decision.referral_reason,
        )


class PetitionOut(BaseModel):
    """The staff view of a petition: the matter, never the petitioner's identity."""

    petition_id: uuid.UUID
    registration_number: str
    office_id: str
    status: PetitionStatus
    channel: Channel
    kind: PetitionKind
    received_at: datetime
    registered_at: datetime
    registered_by: str | None
    portal_id: str | None
    anonymous: bool
    people_count: int
    collective: bool
    urgent: bool
    urgent_reported_at: datetime | None
    accused_unit_ids: list[str]
    accused_persons: list[str]
    division_code: str
    address_text: str | None
    subject_category: str
    summary: str
    requests: str | None
    evidence: list[str]
    original_petition_id: uuid.UUID | None
    decision: DecisionOut | None

    @classmethod
    def of(cls, petition: Petition) -> PetitionOut:
        d = petition.details
        return cls(
            petition_id=petition.petition_id,
            registration_number=petition.registration_number,
            office_id=d.office_id,
            status=petition.status,
            channel=d.channel,
            kind=d.kind,
            received_at=d.received_at,
            registered_at=petition.registered_at,
            registered_by=d.registered_by,
            portal_id=d.portal_id,
            anonymous=d.anonymous,
            people_count=d.people_count,
            collective=d.collective,
            urgent=d.urgent,
            urgent_reported_at=petition.urgent_reported_at,
            accused_unit_ids=list(d.accused_unit_ids),
            accused_persons=list(d.accused_persons),
            division_code=d.division_code,
            address_text=d.address_text,
            subject_category=d.subject_category,
            summary=d.summary,
            requests=d.requests,
            evidence=list(d.evidence),
            original_petition_id=petition.original_petition_id,
            decision=None if petition.decision is None else DecisionOut.of(petition.decision),
        )


class PetitionPage(BaseModel):
    items: list[PetitionOut]
    total: int
    limit: int
    offset: int


def registered_out(registered: Registered) -> RegisteredOut:
    petition = registered.petition
    return RegisteredOut(
        petition_id=petition.petition_id,
        registration_number=petition.registration_number,
        status=petition.status,
        query_code=registered.query_code,
        collective=petition.details.collective,
        repeat_of=None if registered.original is None else registered.original.registration_number,
    )
