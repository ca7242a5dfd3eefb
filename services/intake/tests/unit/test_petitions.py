from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from huiyin_intake.domain.decisions import (
    Accept,
    Decision,
    DecisionCommand,
    DecisionOutcome,
    NotAccept,
    ReferOut,
    make_decision,
)
from huiyin_intake.domain.errors import PetitionAlreadyDecided, ReceivedInFuture
from huiyin_intake.domain.petitions import Petition, PetitionStatus, Registration
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.contracts.events.common import NotAcceptedReason

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACCEPT = Accept(decided_by="clerk-2")
DECLINE = NotAccept(
    decided_by="clerk-2",
    reason=NotAcceptedReason.STATUTORY_REMEDY_REQUIRED,
    proper_channel="向劳动人事争议仲裁委员会申请仲裁",
)
REF = "pr_" + "a" * 22

MakeRegistration = Callable[..., Registration]
MakePetition = Callable[..., Petition]


def decide(command: DecisionCommand, *, received_at: datetime, decided_at: datetime) -> Decision:
    return make_decision(
        command,
        received_at=received_at,
        decided_at=decided_at,
        zone=SHANGHAI,
        calendar=BusinessCalendar(),
    )


# --- registration -----------------------------------------------------------------------------


def test_registered_petition_starts_registered_without_decision(
    make_petition: MakePetition,
) -> None:
    registered = make_petition()
    assert registered.status is PetitionStatus.REGISTERED
    assert registered.decision is None


def test_letter_received_days_before_registration_is_registered(
    make_registration: MakeRegistration, registered_at: datetime
) -> None:
    received = registered_at - timedelta(days=4)
    registered = Petition.register(
        make_registration(received_at=received),
        petition_id=uuid.uuid4(),
        registration_number="XF-2026-000001",
        registered_at=registered_at,
        petitioner_ref=REF,
    )
    assert registered.details.received_at == received


def test_received_after_registration_is_refused_naming_the_field(
    make_registration: MakeRegistration, registered_at: datetime
) -> None:
    with pytest.raises(ReceivedInFuture) as refused:
        Petition.register(
            make_registration(received_at=registered_at + timedelta(seconds=1)),
            petition_id=uuid.uuid4(),
            registration_number="XF-2026-000001",
            registered_at=registered_at,
            petitioner_ref=REF,
        )
    assert refused.value.status == 422
    assert refused.value.errors[0]["field"] == "received_at"


@pytest.mark.parametrize(("anonymous", "ref"), [(True, REF), (False, None)])
def test_exactly_real_name_petitions_have_a_petitioner_ref(
    make_registration: MakeRegistration, registered_at: datetime, anonymous: bool, ref: str | None
) -> None:
    with pytest.raises(ValueError, match="petitioner_ref"):
        Petition.register(
            make_registration(anonymous=anonymous),
            petition_id=uuid.uuid4(),
            registration_number="XF-2026-000001",
            registered_at=registered_at,
            petitioner_ref=ref,
        )


@pytest.mark.parametrize(("people", "collective"), [(1, False), (4, False), (5, True), (300, True)])
def test_five_or_more_people_make_a_collective_petition(
    make_registration: MakeRegistration, people: int, collective: bool
) -> None:
    assert make_registration(people_count=people).collective is collective


def test_a_petition_has_at_least_one_petitioner_and_an_aware_received_at(
    make_registration: MakeRegistration,
) -> None:
    with pytest.raises(ValueError, match="at least one"):
        make_registration(people_count=0)
    with pytest.raises(ValueError, match="timezone-aware"):
        make_registration(received_at=datetime(2026, 3, 1))


# --- acceptance decision ----------------------------------------------------------------------


def test_accept_sets_status_and_the_acceptance_notice_due_date(
    make_petition: MakePetition, registered_at: datetime
) -> None:
    registered = make_petition()
    decided_at = registered_at + timedelta(hours=3)
    decided = registered.decide(
        decide(ACCEPT, received_at=registered.details.received_at, decided_at=decided_at)
    )
    assert decided.status is PetitionStatus.ACCEPTED
    assert decided.decision is not None
    assert decided.decision.outcome is DecisionOutcome.ACCEPT
    assert (decided.decision.decided_by, decided.decision.decided_at) == ("clerk-2", decided_at)
    # received 2026-03-02 01:30 in Shanghai (17:30 UTC the day before): 15 days → 17 March
    assert decided.decision.acceptance_notice_due == date(2026, 3, 17)
    assert registered.status is PetitionStatus.REGISTERED  # petitions are immutable values


def test_accept_due_date_moves_off_a_non_working_day(registered_at: datetime) -> None:
    received = datetime(2026, 3, 6, 9, tzinfo=SHANGHAI)  # + 15 days = Saturday 21 March
    decision = decide(ACCEPT, received_at=received, decided_at=registered_at)
    assert decision.acceptance_notice_due == date(2026, 3, 23)


def test_not_accept_records_reason_and_proper_channel(
    make_petition: MakePetition, registered_at: datetime
) -> None:
    registered = make_petition()
    decided = registered.decide(
        decide(DECLINE, received_at=registered.details.received_at, decided_at=registered_at)
    )
    assert decided.status is PetitionStatus.NOT_ACCEPTED
    assert decided.decision is not None
    assert decided.decision.reason is NotAcceptedReason.STATUTORY_REMEDY_REQUIRED
    assert decided.decision.proper_channel == "向劳动人事争议仲裁委员会申请仲裁"
    assert decided.decision.acceptance_notice_due == date(2026, 3, 17)  # owed all the same


@pytest.mark.parametrize("first", [ACCEPT, DECLINE], ids=["accepted", "declined"])
@pytest.mark.parametrize("second", [ACCEPT, DECLINE], ids=["accept", "decline"])
def test_a_petition_is_decided_only_once(
    make_petition: MakePetition,
    registered_at: datetime,
    first: DecisionCommand,
    second: DecisionCommand,
) -> None:
    registered = make_petition()
    received = registered.details.received_at
    decided = registered.decide(decide(first, received_at=received, decided_at=registered_at))
    with pytest.raises(PetitionAlreadyDecided) as refused:
        decided.decide(decide(second, received_at=received, decided_at=registered_at))
    assert refused.value.status == 409


def test_decision_records_are_coherent(registered_at: datetime) -> None:
    due = date(2026, 3, 17)
    common: dict[str, Any] = {"decided_by": "c", "decided_at": registered_at}
    with pytest.raises(ValueError, match="six reasons"):
        Decision(
            outcome=DecisionOutcome.NOT_ACCEPT,
            acceptance_notice_due=due,
            proper_channel="向人民法院提起诉讼",
            **common,
        )
    with pytest.raises(ValueError, match="where to go"):
        Decision(
            outcome=DecisionOutcome.NOT_ACCEPT,
            acceptance_notice_due=due,
            reason=NotAcceptedReason.ALREADY_RE_REVIEWED,
            **common,
        )
    with pytest.raises(ValueError, match="six reasons"):
        Decision(
            outcome=DecisionOutcome.ACCEPT,
            acceptance_notice_due=due,
            reason=NotAcceptedReason.ALREADY_RE_REVIEWED,
            proper_channel="向人民法院提起诉讼",
            **common,
        )
    with pytest.raises(ValueError, match="referral reason"):
        Decision(
            outcome=DecisionOutcome.REFER_OUT,
            acceptance_notice_due=due,
            proper_channel="济南市中级人民法院",
            **common,
        )
    referred = make_decision_of(
        ReferOut(decided_by="c", authority="济南市中级人民法院", reason="已起诉"), registered_at
    )
    assert referred.outcome is DecisionOutcome.REFER_OUT
    assert (referred.proper_channel, referred.referral_reason) == ("济南市中级人民法院", "已起诉")
    assert referred.within_window(ZoneInfo("Asia/Shanghai"))
    late = replace(referred, decided_at=registered_at + timedelta(days=30))
    assert not late.within_window(ZoneInfo("Asia/Shanghai"))
    declined = decide(DECLINE, received_at=registered_at, decided_at=registered_at)
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(declined, decided_at=datetime(2026, 3, 2))


def make_decision_of(command: DecisionCommand, at: datetime) -> Decision:
    return decide(command, received_at=at, decided_at=at)
