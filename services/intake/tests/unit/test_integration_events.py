"""The contracts intake publishes, built from domain petitions: complete and identity-free."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huiyin_intake import integration_events
from huiyin_intake.domain.decisions import Accept, NotAccept, make_decision
from huiyin_intake.domain.petitions import Petition
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.contracts.events.common import NotAcceptedReason

SHANGHAI = ZoneInfo("Asia/Shanghai")
MakePetition = Callable[..., Petition]
IDENTITY_WORDS = ("name", "phone", "address", "id_number", "gender", "position", "identity")


def test_registered_event_carries_the_registration_and_a_pseudonym_only(
    make_petition: MakePetition,
) -> None:
    registered = make_petition(people_count=6)
    event = integration_events.registered(registered)
    assert event.registration_number == registered.registration_number
    assert event.petitioner_ref == registered.petitioner_ref
    assert event.collective is True
    assert event.accused_unit_ids == ["unit-construction-co"]
    assert not [key for key in event.model_dump() if any(w in key for w in IDENTITY_WORDS)]


def test_anonymous_registered_event_has_no_petitioner_ref(make_petition: MakePetition) -> None:
    assert integration_events.registered(make_petition(anonymous=True)).petitioner_ref is None


def test_accepted_event_carries_facts_and_due_date(
    make_petition: MakePetition, registered_at: datetime
) -> None:
    registered = make_petition()
    decided_at = registered_at + timedelta(hours=1)
    decision = make_decision(
        Accept(decided_by="clerk-2"),
        received_at=registered.details.received_at,
        decided_at=decided_at,
        zone=SHANGHAI,
        calendar=BusinessCalendar(),
    )
    event = integration_events.accepted(registered.decide(decision))
    assert event.accepted_by == "clerk-2"
    assert event.acceptance_notice_due == date(2026, 3, 17)
    assert event.petition.accepted_at == decided_at
    assert event.petition.registration_number == registered.registration_number
    with pytest.raises(ValueError, match="not been declined"):
        integration_events.not_accepted(registered.decide(decision))


def test_not_accepted_event_names_reason_and_channel(
    make_petition: MakePetition, registered_at: datetime
) -> None:
    registered = make_petition()
    decision = make_decision(
        NotAccept(
            decided_by="clerk-2",
            reason=NotAcceptedReason.FOR_LEGISLATURE_OR_JUDICIARY,
            proper_channel="向人民法院提起诉讼",
        ),
        received_at=registered.details.received_at,
        decided_at=registered_at,
        zone=SHANGHAI,
        calendar=BusinessCalendar(),
    )
    event = integration_events.not_accepted(registered.decide(decision))
    assert event.reason is NotAcceptedReason.FOR_LEGISLATURE_OR_JUDICIARY
    assert event.proper_channel == "向人民法院提起诉讼"
    with pytest.raises(ValueError, match="not been accepted"):
        integration_events.accepted(registered)
