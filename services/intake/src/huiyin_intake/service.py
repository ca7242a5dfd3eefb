"""Intake's use cases. They take a unit of work and never commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import structlog

from huiyin_intake import integration_events
from huiyin_intake.domain.decisions import DecisionCommand, DecisionOutcome, make_decision
from huiyin_intake.domain.errors import PetitionNotFound
from huiyin_intake.domain.numbering import format_registration_number, registration_year
from huiyin_intake.domain.petitioners import new_petitioner_ref
from huiyin_intake.domain.petitions import Petition, Registration
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.clock import Clock
from huiyin_shared.contracts.catalogue import EventData

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class IntakeContext:
    """What the use cases need besides a unit of work; built once by the bootstrap."""

    clock: Clock
    zone: ZoneInfo
    calendar: BusinessCalendar


async def register_petition(
    uow: IntakeUnitOfWork, context: IntakeContext, registration: Registration
) -> Petition:
    """Register and number a petition, and announce it (``petition.registered``)."""
    now = context.clock.now()
    year = registration_year(now, context.zone)
    sequence = await uow.counters.next_value(office_id=registration.office_id, year=year)
    petition = Petition.register(
        registration,
        petition_id=uuid.uuid4(),
        registration_number=format_registration_number(registration.office_id, year, sequence),
        registered_at=now,
        petitioner_ref=None if registration.anonymous else new_petitioner_ref(),
    )
    await uow.petitions.add(petition)
    await uow.publish(
        integration_events.registered(petition),
        subject=integration_events.subject(petition.petition_id),
    )
    log.info(
        "petition.registered",
        petition_id=str(petition.petition_id),
        registration_number=petition.registration_number,
    )
    return petition


async def decide_acceptance(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    *,
    petition_id: uuid.UUID,
    command: DecisionCommand,
) -> Petition:
    """Accept or decline a registered petition, and announce the decision."""
    petition = await uow.petitions.get(petition_id=petition_id, for_update=True)
    if petition is None:
        raise PetitionNotFound(f"no petition {petition_id}")
    decision = make_decision(
        command,
        received_at=petition.details.received_at,
        decided_at=context.clock.now(),
        zone=context.zone,
        calendar=context.calendar,
    )
    decided = petition.decide(decision)
    await uow.petitions.save_decision(decided)
    event: EventData
    if decision.outcome is DecisionOutcome.ACCEPT:
        event = integration_events.accepted(decided)
    else:
        event = integration_events.not_accepted(decided)
    await uow.publish(event, subject=integration_events.subject(petition_id))
    log.info("petition.decided", petition_id=str(petition_id), outcome=decision.outcome.value)
    return decided
