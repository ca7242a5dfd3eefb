"""Routing requests over HTTP: the queue, explanations, a leader's manual decision, and a
dry-run preview of the rules.

No ``from __future__ import annotations`` here: FastAPI must evaluate the ``UoW`` alias,
which is local to :func:`build_router`, when it builds the dependency graph.
"""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from huiyin_routing.domain.requests import BounceRecord, RequestStatus, RoutingRequest
from huiyin_routing.entrypoints.dependencies import now, unit_of_work_dependency
from huiyin_routing.repository import StoredDecision
from huiyin_routing.service import routing
from huiyin_routing.service.outcomes import RoutingRules
from huiyin_routing.service.registry import RegistryCache
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.contracts.events.common import (
    DeadlineClass,
    PetitionFacts,
    RoutingMode,
    UnitId,
)
from huiyin_shared.http.auth import Staff, StaffRole, current_staff, require_roles


class RoutingRequestOut(BaseModel):
    petition_id: uuid.UUID
    registration_number: str
    office_id: str
    division_code: str
    kind: str
    subject_category: str
    urgent: bool
    received_at: datetime
    accepted_at: datetime
    status: RequestStatus
    lead_unit_id: str | None
    participating_unit_ids: list[str]
    bounce_count: int
    decided_at: datetime | None

    @classmethod
    def of(cls, request: RoutingRequest) -> "RoutingRequestOut":
        return cls(
            **{
                name: getattr(request, name)
                for name in cls.model_fields
                if name != "participating_unit_ids"
            },
            participating_unit_ids=list(request.participating_unit_ids),
        )


class DecisionOut(BaseModel):
    decision_id: uuid.UUID
    sequence: int
    outcome: str
    mode: str | None
    lead_unit_id: str | None
    participating_unit_ids: list[str]
    deadline_class: str | None
    authority: str | None
    registry_version: int | None
    decided_at: datetime
    decided_by: str | None = Field(description="Absent when the rules decided on their own.")
    manual_reason: str | None
    explanation: dict[str, Any] = Field(
        description="Rules applied, candidates considered (and why each was rejected), "
        "recusals, escalation contacts."
    )

    @classmethod
    def of(cls, decision: StoredDecision) -> "DecisionOut":
        return cls.model_validate(decision, from_attributes=True)


class BounceOut(BaseModel):
    case_id: uuid.UUID
    unit_id: str
    unit_name: str
    reason: str
    returned_at: datetime
    returned_by: str

    @classmethod
    def of(cls, bounce: BounceRecord) -> "BounceOut":
        return cls.model_validate(bounce, from_attributes=True)


class ExplanationOut(BaseModel):
    request: RoutingRequestOut
    decisions: list[DecisionOut]
    bounces: list[BounceOut]


class ManualDecisionIn(BaseModel):
    mode: RoutingMode
    lead_unit_id: UnitId | None = None
    participating_unit_ids: list[UnitId] = Field(default_factory=list, max_length=20)
    deadline_class: DeadlineClass | None = Field(
        default=None, description="Defaults from the mode and the petition (urgent → important)."
    )
    authority: str | None = Field(
        default=None, max_length=500, description="The competent authority, to refer out."
    )
    reason: str = Field(min_length=1, max_length=500, description="Mandatory: why, on record.")


class PreviewOut(BaseModel):
    outcome: str
    mode: RoutingMode | None
    lead_unit_id: str | None
    participating_unit_ids: list[str]
    deadline_class: DeadlineClass | None
    authority: str | None
    explanation: dict[str, Any]


WAITING = [RequestStatus.PENDING, RequestStatus.UNROUTABLE, RequestStatus.AWAITING_MANUAL]


def _hidden_from_the_accused(request: RoutingRequest, staff: Staff) -> None:
    """A petition is never shown to the person or unit it accuses: to them it does not
    exist (the same answer as for an unknown petition)."""
    if _accuses(request, staff):
        raise routing.PetitionNotQueued(f"no routing request for petition {request.petition_id}")


def _accuses(request: RoutingRequest, staff: Staff) -> bool:
    facts = request.facts
    return facts is not None and (
        staff.unit_id in facts.accused_unit_ids or staff.staff_id in facts.accused_person_refs
    )


def build_router(
    uow_factory: Callable[[], RoutingUnitOfWork], cache: RegistryCache, rules: RoutingRules
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["routing"])
    UoW = Annotated[RoutingUnitOfWork, Depends(unit_of_work_dependency(uow_factory))]  # noqa: N806
    AnyStaff = Annotated[Staff, Depends(current_staff)]  # noqa: N806
    Leader = Annotated[Staff, Depends(require_roles(StaffRole.LEADER))]  # noqa: N806
    Now = Annotated[datetime, Depends(now)]  # noqa: N806

    @router.get("/routing-requests", response_model=list[RoutingRequestOut])
    async def list_requests(
        uow: UoW,
        staff: AnyStaff,
        status: Annotated[list[RequestStatus] | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[RoutingRequestOut]:
        """Routing requests, oldest first; by default those waiting for a decision
        (pending, unroutable, awaiting a leader)."""
        found = await uow.requests.list(statuses=status or WAITING, limit=limit, offset=offset)
        return [RoutingRequestOut.of(r) for r in found if not _accuses(r, staff)]

    @router.get("/routing-requests/{petition_id}", response_model=RoutingRequestOut)
    async def get_request(petition_id: uuid.UUID, uow: UoW, staff: AnyStaff) -> RoutingRequestOut:
        request = await uow.requests.get(petition_id=petition_id)
        if request is None:
            raise routing.PetitionNotQueued(f"no routing request for petition {petition_id}")
        _hidden_from_the_accused(request, staff)
        return RoutingRequestOut.of(request)

    @router.get("/routing-requests/{petition_id}/explanation", response_model=ExplanationOut)
    async def explain(petition_id: uuid.UUID, uow: UoW, staff: AnyStaff) -> ExplanationOut:
        """Every decision on the petition with its reasons, and every return (bounce).
        Staff of an accused unit, and an accused person, are told nothing (§4.8)."""
        request, decisions, bounces = await routing.explain(uow, petition_id)
        _hidden_from_the_accused(request, staff)
        return ExplanationOut(
            request=RoutingRequestOut.of(request),
            decisions=[DecisionOut.of(d) for d in decisions],
            bounces=[BounceOut.of(b) for b in bounces],
        )

    @router.post("/routing-requests/{petition_id}/decision", response_model=RoutingRequestOut)
    async def decide_by_hand(
        petition_id: uuid.UUID, body: ManualDecisionIn, uow: UoW, staff: Leader, at: Now
    ) -> RoutingRequestOut:
        """A leader routes (or refers out) a petition that awaits a manual decision; the
        reason is mandatory and recorded. The rules' exclusions still apply."""
        request = await routing.decide_by_hand(
            uow,
            cache,
            petition_id=petition_id,
            mode=body.mode,
            lead_unit_id=body.lead_unit_id,
            participating_unit_ids=tuple(body.participating_unit_ids),
            deadline_class=body.deadline_class,
            authority=body.authority,
            decided_by=staff.staff_id,
            reason=body.reason,
            now=at,
        )
        await uow.commit()
        return RoutingRequestOut.of(request)

    @router.post("/routing/preview", response_model=PreviewOut)
    async def preview(facts: PetitionFacts, uow: UoW, _staff: AnyStaff) -> PreviewOut:
        """What the rules would decide for these facts against the current registry, with
        the full explanation. Nothing is recorded or published."""
        decision = await routing.preview(uow, cache, rules, facts)
        return PreviewOut(
            outcome=decision.outcome.value,
            mode=decision.mode,
            lead_unit_id=None if decision.lead is None else decision.lead.unit_id,
            participating_unit_ids=[u.unit_id for u in decision.participants],
            deadline_class=decision.deadline_class,
            authority=decision.authority,
            explanation=decision.explanation(),
        )

    return router
