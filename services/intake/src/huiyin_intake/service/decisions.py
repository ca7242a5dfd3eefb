"""The acceptance decision and the urgent report, each announced through the outbox."""

from __future__ import annotations

import uuid

import structlog

from huiyin_intake import integration_events
from huiyin_intake.domain.decisions import DecisionCommand, DecisionOutcome, make_decision
from huiyin_intake.domain.errors import PetitionNotFound
from huiyin_intake.domain.petitions import Petition
from huiyin_intake.service.context import IntakeContext
from huiyin_intake.service.registration import decision_milestone
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.contracts.catalogue import EventData

log = structlog.get_logger(__name__)


async def _locked(uow: IntakeUnitOfWork, petition_id: uuid.UUID) -> Petition:
    petition = await uow.petitions.get(petition_id=petition_id, for_update=True)
    if petition is None:
        raise PetitionNotFound(f"no petition {petition_id}")
    return petition


async def decide_acceptance(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    *,
    petition_id: uuid.UUID,
    command: DecisionCommand,
) -> Petition:
    """Accept, decline or refer out a registered petition, and announce the decision."""
    petition = await _locked(uow, petition_id)
    decision = make_decision(
        command,
        received_at=petition.details.received_at,
        decided_at=context.clock.now(),
        zone=context.zone,
        calendar=context.calendar,
    )
    decided = petition.decide(decision)
    await uow.petitions.save(decided)
    event: EventData
    if decision.outcome is DecisionOutcome.ACCEPT:
        event = integration_events.accepted(decided)
    elif decision.outcome is DecisionOutcome.NOT_ACCEPT:
        event = integration_events.not_accepted(decided)
    else:
        event = integration_events.referred_out(decided, decision_id=uuid.uuid4())
    await uow.publish(event, subject=integration_events.subject(petition_id))
    uow.timeline.add(decision_milestone(decided))
    log.info("petition.decided", petition_id=str(petition_id), outcome=decision.outcome.value)
    return decided


async def report_urgent(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    *,
    petition_id: uuid.UUID,
    reported_to: str,
    reported_by: str,
) -> Petition:
    """Flag a petition major or urgent and report it to a leader at once (§4.7). Each
    report is announced, so a repeated report to another leader is on the record too."""
    petition = (await _locked(uow, petition_id)).report_urgent(context.clock.now())
    await uow.petitions.save(petition)
    event = integration_events.urgent_reported(
        petition, reported_to=reported_to, reported_by=reported_by
    )
    await uow.publish(event, subject=integration_events.subject(petition_id))
    return petition
