from __future__ import annotations

import uuid
from datetime import UTC, datetime

from huiyin_routing.domain.requests import RequestStatus, RoutingRequest
from huiyin_shared.contracts.events.common import Channel, PetitionFacts, PetitionKind


def test_an_accepted_petition_becomes_a_pending_request_with_its_routing_facts() -> None:
    received = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    facts = PetitionFacts(
        registration_number="office-1-2026-000007",
        office_id="office-1",
        channel=Channel.VISIT,
        kind=PetitionKind.ACCUSATION,
        subject_category="land.requisition",
        division_code="370102001",
        received_at=received,
        accepted_at=received,
        anonymous=True,
        collective=True,
        urgent=True,
        accused_unit_ids=["unit-9"],
        summary="征地补偿未落实",
    )
    petition_id = uuid.uuid4()
    request = RoutingRequest.from_accepted(petition_id, facts)
    assert request.petition_id == petition_id
    assert request.status is RequestStatus.PENDING
    assert (request.division_code, request.kind, request.subject_category) == (
        "370102001",
        "accusation",
        "land.requisition",
    )
    assert request.urgent is True
