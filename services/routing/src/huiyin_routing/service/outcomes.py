"""Recording a decision: store it with its explanation, publish its event through the
outbox, update the routing request — or hand the petition to a leader."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

import structlog

from huiyin_routing.domain.decision import Decision, Outcome, RoutingPolicy, decide
from huiyin_routing.domain.manual import deciding_leader
from huiyin_routing.domain.registry import RegistrySnapshot
from huiyin_routing.domain.requests import (
    BounceRecord,
    RequestStatus,
    RoutingRequest,
    exclusions_from,
)
from huiyin_routing.metrics import DECISION_DURATION, DECISIONS, MANUAL_DECISIONS_REQUIRED
from huiyin_routing.repository import StoredDecision
from huiyin_routing.service.events import (
    manual_required_event,
    referred_out_event,
    routed_event,
)
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.contracts.events.common import PetitionFacts, RoutingMode

log = structlog.get_logger(__name__)

AWAITING_LEADER = "awaiting_leader"
"""Outcome recorded when the decision passes to a leader."""


@dataclass(frozen=True)
class RoutingRules:
    """The configured parts of routing: the decision policy and the bounce threshold."""

    policy: RoutingPolicy
    bounce_threshold: int = 2


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


async def decide_and_apply(
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
        return await to_leader(
            uow,
            snapshot,
            request=request,
            bounces=bounces,
            now=now,
            why="no competent unit is left after the returns",
        )
    return await apply(uow, request, decision, bounces, now, decided_by=None, manual_reason=None)


async def apply(
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
    uow.decisions.add(
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


async def to_leader(
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
