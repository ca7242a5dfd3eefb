"""Integration-event handlers: event → use case, nothing more."""

from __future__ import annotations

from huiyin_shared.clock import Clock
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events.petition import (
    PetitionAccepted,
    PetitionFeedbackReceived,
    PetitionNotAccepted,
    PetitionRegistered,
    PetitionReviewRequested,
)
from huiyin_shared.contracts.events.routing import PetitionRerouted, PetitionRouted
from huiyin_shared.messaging.consumer import Handler
from huiyin_supervision import service
from huiyin_supervision.cases import opening
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork


def build_handlers(
    *, office: OfficeCalendar, clock: Clock, cases: CaseContext
) -> dict[str, Handler]:
    async def on_petition_registered(
        event: PetitionRegistered, _envelope: Envelope, uow: SupervisionUnitOfWork
    ) -> None:
        await service.open_acceptance_clock(
            uow,
            office=office,
            now=clock.now(),
            petition_id=event.petition_id,
            office_id=event.office_id,
            registration_number=event.registration_number,
            received_at=event.received_at,
        )
        opening.remember_petition(uow, event)

    async def on_petition_accepted(
        event: PetitionAccepted, envelope: Envelope, uow: SupervisionUnitOfWork
    ) -> None:
        await service.record_acceptance_decision(
            uow,
            petition_id=event.petition_id,
            decided_at=event.petition.accepted_at,
            decision_event=envelope.type,
        )

    async def on_petition_not_accepted(
        event: PetitionNotAccepted, envelope: Envelope, uow: SupervisionUnitOfWork
    ) -> None:
        await service.record_acceptance_decision(
            uow,
            petition_id=event.petition_id,
            decided_at=event.decided_at,
            decision_event=envelope.type,
        )

    async def on_routed(
        event: PetitionRouted | PetitionRerouted, _envelope: Envelope, uow: SupervisionUnitOfWork
    ) -> None:
        await opening.open_cases(uow, cases, event, now=clock.now())

    async def on_feedback(
        event: PetitionFeedbackReceived, _envelope: Envelope, uow: SupervisionUnitOfWork
    ) -> None:
        await opening.record_feedback(uow, event, now=clock.now())

    async def on_review_requested(
        event: PetitionReviewRequested, _envelope: Envelope, uow: SupervisionUnitOfWork
    ) -> None:
        await opening.open_review(uow, cases, event, now=clock.now())

    return {
        "petition.routed": on_routed,
        "petition.rerouted": on_routed,
        "petition.feedback_received": on_feedback,
        "petition.review_requested": on_review_requested,
        "petition.registered": on_petition_registered,
        "petition.accepted": on_petition_accepted,
        "petition.not_accepted": on_petition_not_accepted,
    }
