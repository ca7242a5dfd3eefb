"""A petition in intake: registered, then accepted or not accepted (domain §3, §4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from huiyin_intake.domain.decisions import Decision, DecisionOutcome
from huiyin_intake.domain.errors import PetitionAlreadyDecided, ReceivedInFuture
from huiyin_shared.contracts.events.common import Channel, PetitionKind

COLLECTIVE_PEOPLE_COUNT = 5
"""Five or more people make a collective visit or joint petition (000 处理集体访)."""


class PetitionStatus(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"


_STATUS_AFTER: dict[DecisionOutcome, PetitionStatus] = {
    DecisionOutcome.ACCEPT: PetitionStatus.ACCEPTED,
    DecisionOutcome.NOT_ACCEPT: PetitionStatus.NOT_ACCEPTED,
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
    registered_by: str | None = None

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

    @classmethod
    def register(
        cls,
        details: Registration,
        *,
        petition_id: uuid.UUID,
        registration_number: str,
        registered_at: datetime,
        petitioner_ref: str | None,
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
        )

    def decide(self, decision: Decision) -> Petition:
        """Accept or decline: only a registered petition, and only once."""
        if self.status is not PetitionStatus.REGISTERED:
            raise PetitionAlreadyDecided(
                f"petition {self.registration_number} is already {self.status.value}"
            )
        return replace(self, status=_STATUS_AFTER[decision.outcome], decision=decision)
