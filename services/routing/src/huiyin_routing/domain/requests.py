"""A routing request: an accepted petition waiting for its routing decision."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from huiyin_shared.contracts.events.common import PetitionFacts


class RequestStatus(StrEnum):
    PENDING = "pending"


@dataclass(frozen=True)
class RoutingRequest:
    petition_id: uuid.UUID
    registration_number: str
    office_id: str
    division_code: str
    kind: str
    subject_category: str
    urgent: bool
    received_at: datetime
    accepted_at: datetime
    status: RequestStatus = RequestStatus.PENDING

    @classmethod
    def from_accepted(cls, petition_id: uuid.UUID, facts: PetitionFacts) -> RoutingRequest:
        return cls(
            petition_id=petition_id,
            registration_number=facts.registration_number,
            office_id=facts.office_id,
            division_code=facts.division_code,
            kind=facts.kind.value,
            subject_category=facts.subject_category,
            urgent=facts.urgent,
            received_at=facts.received_at,
            accepted_at=facts.accepted_at,
        )
