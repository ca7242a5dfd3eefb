"""Routing use cases: decide on acceptance, re-route on return, hand over to a leader,
apply a leader's decision, explain."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

import structlog

from huiyin_routing.domain.decision import Decision, Outcome, RoutingPolicy, decide
from huiyin_routing.domain.manual import deciding_leader, manual_decision
from huiyin_routing.domain.registry import RegistrySnapshot
from huiyin_routing.domain.requests import (
    BounceRecord,
    RequestStatus,
    RoutingRequest,
    exclusions_from,
    needs_leader,
)
from huiyin_routing.metrics import DECISION_DURATION, DECISIONS, MANUAL_DECISIONS_REQUIRED
from huiyin_routing.repository import StoredDecision
from huiyin_routing.service.events import (
    manual_required_event,
    referred_out_event,
    routed_event,
)
from huiyin_routing.service.registry import NoRegistry, RegistryCache
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.contracts.events.common import DeadlineClass, PetitionFacts, RoutingMode
from huiyin_shared.contracts.events.routing import CaseReturnedByUnit
from huiyin_shared.errors import Conflict, NotFound

log = structlog.get_logger(__name__)

AWAITING_LEADER = "awaiting_leader"
"""Outcome recorded when the decision passes to a leader."""


@dataclass(frozen=True)
class RoutingRules:
    """The configured parts of routing: the decision policy and the bounce threshold."""

    policy: RoutingPolicy
    bounce_threshold: int = 2


class PetitionNotQueued(NotFound):
    slug = "routing-request-not-found"
    title = "No routing request for this petition"


def timed_decide(
    facts: PetitionFacts,
    snapshot: RegistrySnapshot,
    rules: RoutingRules,
    excluded: dict[str, str],
) -> Decision:
    started = time.perf_counter()
    decision = decide(facts, snapshot, excluded=excluded, policy=rules.policy)
    DECISION_DURATION.observe(time.perf_counter() - started)
    return decision


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
    request = replace(RoutingRequest.from_accepted(petition_id, facts), bounce_count=len(bounces))
    await uow.requests.add(request)
    snapshot = await cache.current(uow)
    if snapshot is None:
        log.warning("routing.no_registry", petition_id=str(petition_id))
        return request
    return await _decide_and_apply(
        uow, snapshot, rules=rules, request=request, bounces=bounces, now=now
    )


async def route_waiting(
    uow: RoutingUnitOfWork, snapshot: RegistrySnapshot, rules: RoutingRules, *, now: datetime
) -> int:
    """Decide every request that arrived before any registry was loaded."""
    decided = 0
    while batch := await uow.requests.list(statuses=[RequestStatus.PENDING], limit=200, offset=0):
        for request in batch:
            bounces = await uow.bounces.list_for(request.petition_id)
            await _decide_and_apply(
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
    if request.status is not RequestStatus.ROUTED or request.lead_unit_id != event.unit.unit_id:
        # A stale return (the case already moved on): it counts, but decides nothing.
        log.info("routing.return_recorded_only", petition_id=str(event.petition_id))
        await uow.requests.save(request)
        return
    snapshot = await cache.current(uow)
    if snapshot is None:
        await uow.requests.save(replace(request, status=RequestStatus.PENDING))
        return
    if needs_leader(len(bounces), rules.bounce_threshold):
        await _to_leader(
            uow,
            snapshot,
            request=request,
            bounces=bounces,
            now=now,
            why=f"returned {len(bounces)} times, past the threshold of {rules.bounce_threshold} "
            "(推诿 watch, §5.6): a leader decides",
        )
        return
    await _decide_and_apply(uow, snapshot, rules=rules, request=request, bounces=bounces, now=now)


def _same_return(one: BounceRecord, other: BounceRecord) -> bool:
    return (one.case_id, one.unit_id, one.returned_at) == (
        other.case_id,
        other.unit_id,
        other.returned_at,
    )


async def _decide_and_apply(
    uow: RoutingUnitOfWork,
    snapshot: RegistrySnapshot,
    *,
    rules: RoutingRules,
    request: RoutingRequest,
    bounces: list[BounceRecord],
    now: datetime,
) -> RoutingRequest:
    assert request.facts is not None
    decision = timed_decide(request.facts, snapshot, rules, exclusions_from(bounces))
    if decision.outcome is Outcome.NO_COMPETENT_UNIT and bounces:
        return await _to_leader(
            uow,
            snapshot,
            request=request,
            bounces=bounces,
            now=now,
            why="no competent unit is left after the returns",
        )
    return await _apply(uow, request, decision, bounces, now, decided_by=None, manual_reason=None)


async def _apply(
    uow: RoutingUnitOfWork,
    request: RoutingRequest,
    decision: Decision,
    bounces: list[BounceRecord],
    now: datetime,
    *,
    decided_by: str | None,
    manual_reason: str | None,
) -> RoutingRequest:
    assert request.facts is not None
    decision_id = uuid.uuid4()
    await _store(
        uow,
        request,
        decision_id=decision_id,
        decision=decision,
        now=now,
        decided_by=decided_by,
        manual_reason=manual_reason,
    )
    subject = f"petition:{request.petition_id}"
    if decision.outcome is Outcome.ROUTE:
        assert decision.lead is not None
        assert decision.mode is not None
        event = routed_event(
            petition_id=request.petition_id,
            decision_id=decision_id,
            decision=decision,
            facts=request.facts,
            at=now,
            decided_by=decided_by,
            bounces=bounces,
        )
        await uow.publish(event, subject=subject)
        updated = replace(
            request,
            status=RequestStatus.ROUTED,
            lead_unit_id=decision.lead.unit_id,
            participating_unit_ids=tuple(u.unit_id for u in decision.participants),
            decided_at=now,
        )
        DECISIONS.labels(mode=decision.mode.value).inc()
    elif decision.outcome is Outcome.REFER_OUT:
        await uow.publish(
            referred_out_event(
                petition_id=request.petition_id,
                decision_id=decision_id,
                decision=decision,
                at=now,
                decided_by=decided_by,
            ),
            subject=subject,
        )
        updated = replace(
            request,
            status=RequestStatus.REFERRED_OUT,
            lead_unit_id=None,
            participating_unit_ids=(),
            decided_at=now,
        )
        DECISIONS.labels(mode=RoutingMode.REFER_OUT.value).inc()
    else:
        updated = replace(
            request, status=RequestStatus.UNROUTABLE, lead_unit_id=None, decided_at=now
        )
        DECISIONS.labels(mode="unroutable").inc()
        log.warning("routing.unroutable", petition_id=str(request.petition_id))
    await uow.requests.save(updated)
    return updated


async def _store(
    uow: RoutingUnitOfWork,
    request: RoutingRequest,
    *,
    decision_id: uuid.UUID,
    decision: Decision,
    now: datetime,
    decided_by: str | None,
    manual_reason: str | None,
    outcome: str | None = None,
) -> None:
    await uow.decisions.add(
        StoredDecision(
            decision_id=decision_id,
            petition_id=request.petition_id,
            sequence=await uow.decisions.next_sequence(request.petition_id),
            outcome=outcome or decision.outcome.value,
            mode=None if decision.mode is None else decision.mode.value,
            lead_unit_id=None if decision.lead is None else decision.lead.unit_id,
            participating_unit_ids=[u.unit_id for u in decision.participants],
            deadline_class=None
            if decision.deadline_class is None
            else decision.deadline_class.value,
            authority=decision.authority,
            registry_version=decision.registry_version,
            decided_at=now,
            decided_by=decided_by,
            manual_reason=manual_reason,
            explanation=decision.explanation(),
        )
    )


async def _to_leader(
    uow: RoutingUnitOfWork,
    snapshot: RegistrySnapshot,
    *,
    request: RoutingRequest,
    bounces: list[BounceRecord],
    now: datetime,
    why: str,
) -> RoutingRequest:
    assert request.facts is not None
    division = bounces[-1].division_code if bounces else request.division_code
    leader = deciding_leader(request.facts, snapshot, division)
    rules = (why, f"leader: {leader}" if leader else "leader: none found in the registry")
    decision = Decision(
        outcome=Outcome.NO_COMPETENT_UNIT, registry_version=snapshot.version, rules=rules
    )
    await _store(
        uow,
        request,
        decision_id=uuid.uuid4(),
        decision=decision,
        now=now,
        decided_by=None,
        manual_reason=None,
        outcome=AWAITING_LEADER,
    )
    if leader is not None:
        await uow.publish(
            manual_required_event(
                petition_id=request.petition_id, bounces=bounces, leader_id=leader, at=now
            ),
            subject=f"petition:{request.petition_id}",
        )
        MANUAL_DECISIONS_REQUIRED.inc()
    else:
        log.error("routing.no_leader_for_manual_decision", petition_id=str(request.petition_id))
    updated = replace(
        request,
        status=RequestStatus.AWAITING_MANUAL,
        lead_unit_id=None,
        participating_unit_ids=(),
        decided_at=now,
    )
    await uow.requests.save(updated)
    return updated


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
    return await _apply(
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
    return timed_decide(facts, snapshot, rules, {})
