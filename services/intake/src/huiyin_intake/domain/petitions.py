"""A petition in intake: registered, then accepted, not accepted, referred out, or linked to
the original as a repeat (domain §3, §4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from huiyin_intake.domain.decisions import Decision, DecisionOutcome
from huiyin_intake.domain.errors import (
    PetitionAlreadyDecided,
    ReceivedInFuture,
)
from huiyin_shared.contracts.events.common import Channel, PetitionKind

COLLECTIVE_PEOPLE_COUNT = 5
"""Five or more people make a collective visit or joint petition (000 处理集体访)."""
MIN_REPRESENTATIVES, MAX_REPRESENTATIVES = 3, 5
"""A collective petition elects 3–5 representatives (000, 审计信访工作制度)."""


class PetitionStatus(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    REFERRED_OUT = "referred_out"
    REPEAT_LINKED = "repeat_linked"


_STATUS_AFTER: dict[DecisionOutcome, PetitionStatus] = {
    DecisionOutcome.ACCEPT: PetitionStatus.ACCEPTED,
    DecisionOutcome.NOT_ACCEPT: PetitionStatus.NOT_ACCEPTED,
    DecisionOutcome.REFER_OUT: PetitionStatus.REFERRED_OUT,
}


@dataclass(frozen=True)
class Registration:
    """What the registering clerk (or a portal) records about a petition; no identity."""

    office_id: str
    channel: Channel
    kind: PetitionKind
    received_at: datetime
    anonymous: bool
    people_count: int
    division_code: str
    subject_category: str
    summary: str
    urgent: bool
    accused_unit_ids: tuple[str, ...] = ()
    accused_persons: tuple[str, ...] = ()
    address_text: str | None = None
    requests: str | None = None
    evidence: tuple[str, ...] = ()
    registered_by: str | None = None
    portal_id: str | None = None

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")
        if self.people_count < 1:
            raise ValueError("a petition has at least one petitioner")

    @property
    def collective(self) -> bool:
        return self.people_count >= COLLECTIVE_PEOPLE_COUNT


@dataclass(frozen=True)
class Petition:
    petition_id: uuid.UUID
    registration_number: str
    registered_at: datetime
    petitioner_ref: str | None
    details: Registration
    status: PetitionStatus = PetitionStatus.REGISTERED
    decision: Decision | None = None
    original_petition_id: uuid.UUID | None = None
    urgent_reported_at: datetime | None = None
    published_summary: str | None = None
    """The summary as events carry it: identity redacted (None: the summary as is)."""

    @property
    def summary_for_events(self) -> str:
        return self.published_summary or self.details.summary

    @classmethod
    def register(
        cls,
        details: Registration,
        *,
        petition_id: uuid.UUID,
        registration_number: str,
        registered_at: datetime,
        petitioner_ref: str | None,
        published_summary: str | None = None,
    ) -> Petition:
        """Register a petition received at or before ``registered_at``.

        A letter may be registered days after it arrived (its received date is kept); a late
        registration is not refused here, it is accountability's to judge (domain §7.1).
        """
        if details.received_at > registered_at:
            raise ReceivedInFuture(
                "received_at is later than the registration time",
                errors=[
                    {
                        "field": "received_at",
                        "message": "must not be in the future",
                        "type": "received_in_future",
                    }
                ],
            )
        if details.anonymous != (petitioner_ref is None):
            raise ValueError(
                "a real-name petition needs a petitioner_ref; an anonymous one has none"
            )
        return cls(
            petition_id=petition_id,
            registration_number=registration_number,
            registered_at=registered_at,
            petitioner_ref=petitioner_ref,
            details=details,
            published_summary=published_summary,
        )

    def decide(self, decision: Decision) -> Petition:
        """Accept, decline or refer out: only a registered petition, and only once."""
        if self.status is not PetitionStatus.REGISTERED:
            raise PetitionAlreadyDecided(
                f"petition {self.registration_number} is already {self.status.value}"
            )
        return replace(self, status=_STATUS_AFTER[decision.outcome], decision=decision)

    def link_to(self, original_petition_id: uuid.UUID) -> Petition:
        """A repeat: linked to the original instead of being opened again (§4.5). One
        already declined (a matter final after re-review) keeps its decision."""
        if original_petition_id == self.petition_id:
            raise ValueError("a petition cannot repeat itself")
        status = (
            PetitionStatus.REPEAT_LINKED
            if self.status is PetitionStatus.REGISTERED
            else self.status
        )
        return replace(self, status=status, original_petition_id=original_petition_id)

    def report_urgent(self, at: datetime) -> Petition:
        return replace(
            self,
            details=replace(self.details, urgent=True),
            urgent_reported_at=at,
        )
