"""Routing use cases: decide on acceptance, re-route on return, hand over to a leader,
apply a leader's decision, explain."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

import structlog

from huiyin_routing.domain.decision import Decision
from huiyin_routing.domain.manual import manual_decision
from huiyin_routing.domain.registry import RegistrySnapshot
from huiyin_routing.domain.requests import (
    BounceRecord,
    RequestStatus,
    RoutingRequest,
    needs_leader,
)
from huiyin_routing.repository import StoredDecision
from huiyin_routing.service import outcomes
from huiyin_routing.service.outcomes import RoutingRules
from huiyin_routing.service.registry import NoRegistry, RegistryCache
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.contracts.events.common import DeadlineClass, PetitionFacts, RoutingMode
from huiyin_shared.contracts.events.routing import CaseReturnedByUnit
from huiyin_shared.errors import Conflict, NotFound

log = structlog.get_logger(__name__)


class PetitionNotQueued(NotFound):
    slug = "routing-request-not-found"
    title = "No routing request for this petition"


async def on_accepted(
    uow: RoutingUnitOfWork,
    cache: RegistryCache,
    rules: RoutingRules,
    *,
    petition_id: uuid.UUID,
    facts: PetitionFacts,
    now: datetime,
) -> RoutingRequest:
    """An accepted petition enters the routing queue once and is decided if a registry is
    loaded (otherwise it waits for the next registry import)."""
    existing = await uow.requests.get(petition_id=petition_id)
    if existing is not None:
        return existing
    bounces = await uow.bounces.list_for(petition_id)  # returns that overtook the acceptance
    snapshot = await cache.current(uow)
    request = replace(RoutingRequest.from_accepted(petition_id, facts), bounce_count=len(bounces))
    # Read nothing from here on: the new request, its decision and event go out as one write.
    uow.requests.add(request)
    uow.decisions.none_yet(petition_id)
    if snapshot is None:
        log.warning("routing.no_registry", petition_id=str(petition_id))
        return request
    return await outcomes.decide_and_apply(
        uow, snapshot, rules=rules, request=request, bounces=bounces, now=now
    )


async def route_waiting(
    uow: RoutingUnitOfWork, snapshot: RegistrySnapshot, rules: RoutingRules, *, now: datetime
) -> int:
    """Decide every request that arrived before any registry was loaded."""
    decided = 0
    while batch := await uow.requests.list(
        statuses=[RequestStatus.PENDING], limit=200, offset=0, decidable_only=True
    ):
        for request in batch:
            bounces = await uow.bounces.list_for(request.petition_id)
            await outcomes.decide_and_apply(
                uow, snapshot, rules=rules, request=request, bounces=bounces, now=now
            )
            decided += 1
    return decided


async def on_returned(
    uow: RoutingUnitOfWork,
    cache: RegistryCache,
    rules: RoutingRules,
    *,
    event: CaseReturnedByUnit,
    now: datetime,
) -> None:
    """A unit returned the case: route again without it, or — past the threshold, or with
    no competent unit left — hand the decision to a leader with the bounce chain."""
    bounce = BounceRecord(
        petition_id=event.petition_id,
        case_id=event.case_id,
        unit_id=event.unit.unit_id,
        unit_name=event.unit.unit_name,
        division_code=event.unit.division_code,
        reason=event.reason,
        returned_at=event.returned_at,
        returned_by=event.returned_by,
    )
    request = await uow.requests.get(petition_id=event.petition_id, for_update=True)
    known = await uow.bounces.list_for(event.petition_id)
    if any(_same_return(bounce, other) for other in known):
        # The same return published twice under two event ids: it counts once.
        log.info("routing.return_duplicate", petition_id=str(event.petition_id))
        return
    await uow.bounces.add(bounce)
    if request is None:
        log.info("routing.return_before_acceptance", petition_id=str(event.petition_id))
        return
    bounces = [*known, bounce]
    request = replace(request, bounce_count=len(bounces))
    if (
        request.status is not RequestStatus.ROUTED
        or request.lead_unit_id != event.unit.unit_id
        or request.facts is None
    ):
        # A stale return (the case already moved on): it counts, but decides nothing.
        log.info("routing.return_recorded_only", petition_id=str(event.petition_id))
        await uow.requests.save(request)
        return
    snapshot = await cache.current(uow)
    if snapshot is None:
        await uow.requests.save(replace(request, status=RequestStatus.PENDING))
        return
    if needs_leader(len(bounces), rules.bounce_threshold):
        await outcomes.to_leader(
            uow,
            snapshot,
            request=request,
            bounces=bounces,
            now=now,
            why=f"returned {len(bounces)} times, past the threshold of {rules.bounce_threshold} "
            "(推诿 watch, §5.6): a leader decides",
        )
        return
    await outcomes.decide_and_apply(
        uow, snapshot, rules=rules, request=request, bounces=bounces, now=now
    )


def _same_return(one: BounceRecord, other: BounceRecord) -> bool:
    return (one.case_id, one.unit_id, one.returned_at) == (
        other.case_id,
        other.unit_id,
        other.returned_at,
    )


async def decide_by_hand(
    uow: RoutingUnitOfWork,
    cache: RegistryCache,
    *,
    petition_id: uuid.UUID,
    mode: RoutingMode,
    lead_unit_id: str | None,
    participating_unit_ids: tuple[str, ...],
    deadline_class: DeadlineClass | None,
    authority: str | None,
    decided_by: str,
    reason: str,
    now: datetime,
) -> RoutingRequest:
    """A leader's decision on a petition that awaits one (or waits for lack of a unit)."""
    request = await uow.requests.get(petition_id=petition_id, for_update=True)
    if request is None or request.facts is None:
        raise PetitionNotQueued(f"no routing request for petition {petition_id}")
    if request.status in (RequestStatus.ROUTED, RequestStatus.REFERRED_OUT):
        raise Conflict(
            f"the petition is already {request.status.value}; a unit returns it to be re-routed"
        )
    snapshot = await cache.current(uow)
    if snapshot is None:
        raise NoRegistry("no registry is loaded: import a registry file first")
    decision = manual_decision(
        request.facts,
        snapshot,
        mode=mode,
        lead_unit_id=lead_unit_id,
        participating_unit_ids=participating_unit_ids,
        deadline_class=deadline_class,
        authority=authority,
        decided_by=decided_by,
        reason=reason,
    )
    bounces = await uow.bounces.list_for(petition_id)
    return await outcomes.apply(
        uow, request, decision, bounces, now, decided_by=decided_by, manual_reason=reason
    )


async def explain(
    uow: RoutingUnitOfWork, petition_id: uuid.UUID
) -> tuple[RoutingRequest, list[StoredDecision], list[BounceRecord]]:
    request = await uow.requests.get(petition_id=petition_id)
    if request is None:
        raise PetitionNotQueued(f"no routing request for petition {petition_id}")
    return (
        request,
        await uow.decisions.list_for(petition_id),
        await uow.bounces.list_for(petition_id),
    )


async def preview(
    uow: RoutingUnitOfWork, cache: RegistryCache, rules: RoutingRules, facts: PetitionFacts
) -> Decision:
    """What the rules would decide for these facts now; nothing is recorded."""
    snapshot = await cache.current(uow)
    if snapshot is None:
        raise NoRegistry("no registry is loaded: import a registry file first")
    return outcomes.timed_decide(facts, snapshot, rules, {})
