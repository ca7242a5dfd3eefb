"""What intake tells the world: the shared contracts, built from the domain's petitions.

The contracts carry a pseudonymous petitioner reference at most, never an identity.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from huiyin_intake.domain.decisions import DecisionOutcome
from huiyin_intake.domain.petitions import Petition
from huiyin_shared.contracts.events.common import PetitionFacts
from huiyin_shared.contracts.events.petition import (
    PetitionAccepted,
    PetitionNotAccepted,
    PetitionRegistered,
    PetitionRepeatLinked,
    PetitionUrgentReported,
)
from huiyin_shared.contracts.events.routing import PetitionReferredOut


def subject(petition_id: uuid.UUID) -> str:
    return f"petition:{petition_id}"


def registered(petition: Petition) -> PetitionRegistered:
    details = petition.details
    return PetitionRegistered(
        petition_id=petition.petition_id,
        registration_number=petition.registration_number,
        office_id=details.office_id,
        channel=details.channel,
        kind=details.kind,
        received_at=details.received_at,
        registered_at=petition.registered_at,
        registered_by=details.registered_by,
        petitioner_ref=petition.petitioner_ref,
        anonymous=details.anonymous,
        people_count=details.people_count,
        collective=details.collective,
        accused_unit_ids=list(details.accused_unit_ids),
        division_code=details.division_code,
        subject_category=details.subject_category,
        summary=petition.summary_for_events,
        urgent=details.urgent,
    )


def accepted(petition: Petition) -> PetitionAccepted:
    decision = petition.decision
    if decision is None or decision.outcome is not DecisionOutcome.ACCEPT:
        raise ValueError(f"petition {petition.petition_id} has not been accepted")
    details = petition.details
    return PetitionAccepted(
        petition_id=petition.petition_id,
        accepted_by=decision.decided_by,
        acceptance_notice_due=decision.acceptance_notice_due,
        petition=PetitionFacts(
            registration_number=petition.registration_number,
            office_id=details.office_id,
            channel=details.channel,
            kind=details.kind,
            subject_category=details.subject_category,
            division_code=details.division_code,
            received_at=details.received_at,
            accepted_at=decision.decided_at,
            anonymous=details.anonymous,
            collective=details.collective,
            urgent=details.urgent,
            accused_unit_ids=list(details.accused_unit_ids),
            summary=petition.summary_for_events,
        ),
    )


def not_accepted(petition: Petition) -> PetitionNotAccepted:
    decision = petition.decision
    if decision is None or decision.reason is None or decision.proper_channel is None:
        raise ValueError(f"petition {petition.petition_id} has not been declined")
    return PetitionNotAccepted(
        petition_id=petition.petition_id,
        reason=decision.reason,
        proper_channel=decision.proper_channel,
        decided_at=decision.decided_at,
        decided_by=decision.decided_by,
    )


def referred_out(petition: Petition, *, decision_id: uuid.UUID) -> PetitionReferredOut:
    decision = petition.decision
    if decision is None or decision.proper_channel is None or decision.referral_reason is None:
        raise ValueError(f"petition {petition.petition_id} has not been referred out")
    return PetitionReferredOut(
        petition_id=petition.petition_id,
        decision_id=decision_id,
        authority=decision.proper_channel,
        reason=decision.referral_reason,
        referred_at=decision.decided_at,
        decided_by=decision.decided_by,
    )


def repeat_linked(
    petition: Petition, *, repeat_count: int, linked_at: datetime
) -> PetitionRepeatLinked:
    if petition.original_petition_id is None:
        raise ValueError(f"petition {petition.petition_id} is not linked")
    return PetitionRepeatLinked(
        petition_id=petition.petition_id,
        original_petition_id=petition.original_petition_id,
        repeat_count=repeat_count,
        linked_at=linked_at,
    )


def urgent_reported(
    petition: Petition, *, reported_to: str, reported_by: str
) -> PetitionUrgentReported:
    if petition.urgent_reported_at is None:
        raise ValueError(f"petition {petition.petition_id} has not been reported")
    return PetitionUrgentReported(
        petition_id=petition.petition_id,
        reported_at=petition.urgent_reported_at,
        reported_to=reported_to,
        reported_by=reported_by,
    )
