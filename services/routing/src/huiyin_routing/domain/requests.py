"""A routing request: an accepted petition, its routing state and its bounces."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from huiyin_shared.contracts.events.common import PetitionFacts


class RequestStatus(StrEnum):
    PENDING = "pending"
    """Accepted, not decided yet (no registry was loaded when it arrived)."""
    ROUTED = "routed"
    """Sent to a lead unit; open until that unit returns it."""
    REFERRED_OUT = "referred_out"
    UNROUTABLE = "unroutable"
    """No eligible competent unit in the registry: a leader decides by hand."""
    AWAITING_MANUAL = "awaiting_manual"
    """Bounced past the threshold: a leader decides by hand (推诿 watch)."""

    @property
    def awaits_leader(self) -> bool:
        return self in (RequestStatus.UNROUTABLE, RequestStatus.AWAITING_MANUAL)


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
    facts: PetitionFacts | None = None
    lead_unit_id: str | None = None
    participating_unit_ids: tuple[str, ...] = field(default_factory=tuple)
    bounce_count: int = 0
    decided_at: datetime | None = None

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
            facts=facts,
        )


@dataclass(frozen=True)
class BounceRecord:
    """One return of the case by a unit that declared itself not competent."""

    petition_id: uuid.UUID
    case_id: uuid.UUID
    unit_id: str
    unit_name: str
    division_code: str
    reason: str
    returned_at: datetime
    returned_by: str


def needs_leader(bounce_count: int, threshold: int) -> bool:
    """Past the threshold a leader decides: passing cases around is a violation (§5.6)."""
    return bounce_count > threshold


def exclusions_from(bounces: list[BounceRecord]) -> dict[str, str]:
    """Units that returned the case, each with the reason it gave (first return kept)."""
    excluded: dict[str, str] = {}
    for bounce in bounces:
        excluded.setdefault(bounce.unit_id, f"returned the case: {bounce.reason}")
    return excluded
