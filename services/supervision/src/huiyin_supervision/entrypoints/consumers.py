"""Integration-event handlers: event → use case, nothing more."""

from __future__ import annotations

from huiyin_shared.clock import Clock
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events.petition import (
    PetitionAccepted,
    PetitionNotAccepted,
    PetitionRegistered,
)
from huiyin_shared.messaging.consumer import Handler
from huiyin_supervision import service
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork


def build_handlers(*, office: OfficeCalendar, clock: Clock) -> dict[str, Handler]:
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

    return {
        "petition.registered": on_petition_registered,
        "petition.accepted": on_petition_accepted,
        "petition.not_accepted": on_petition_not_accepted,
    }
