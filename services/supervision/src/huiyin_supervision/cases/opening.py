"""Cases opened from routing decisions and review requests; feedback and finality."""

from __future__ import annotations

import uuid
from datetime import datetime

from huiyin_shared.contracts.events.case import (
    CaseFinal,
    CaseOpened,
    CaseReviewOpened,
    EscalationLevel,
    FinalBasis,
)
from huiyin_shared.contracts.events.common import (
    CaseRole,
    DeadlineClass,
    ReviewTier,
    RoutingMode,
    UnitRef,
)
from huiyin_shared.contracts.events.petition import (
    PetitionFeedbackReceived,
    PetitionRegistered,
    PetitionReviewRequested,
)
from huiyin_shared.contracts.events.routing import PetitionRerouted, PetitionRouted
from huiyin_shared.errors import Conflict
from huiyin_supervision.case_repository import Case
from huiyin_supervision.cases.clocks import open_clock
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.cases.notifying import start_notify_clock
from huiyin_supervision.domain.deadlines import (
    REVIEW_POLICIES,
    resolve_policy,
    spec_for,
    starts_at_acceptance,
)
from huiyin_supervision.domain.lifecycle import Action, CaseStatus, check
from huiyin_supervision.domain.notification import Occasion
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

_CASE_NAMESPACE = uuid.UUID("6f1d2a4e-1c55-4d0b-9a77-3f2f6b1e9c10")


def case_id_for(decision_id: uuid.UUID, unit_id: str) -> uuid.UUID:
    """Deterministic, so a redelivered routing decision finds the case it opened."""
    return uuid.uuid5(_CASE_NAMESPACE, f"{decision_id}:{unit_id}")


async def open_cases(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    event: PetitionRouted | PetitionRerouted,
    *,
    now: datetime,
) -> list[uuid.UUID]:
    """One case per handling assignment: the lead unit and each participating unit.

    Each gets its resolve clock (none for a transfer, which owes no result report; the lead
    of a transfer owes the petitioner word of it instead); a redelivered decision opens
    nothing twice.
    """
    opened = []
    assignments = [(event.lead_unit, CaseRole.LEAD)] + [
        (unit, CaseRole.PARTICIPATING) for unit in event.participating_units
    ]
    for unit, role in assignments:
        case_id = case_id_for(event.decision_id, unit.unit_id)
        inserted = await uow.cases.add_case(
            _case_row(event, case_id=case_id, unit=unit, role=role, now=now)
        )
        if not inserted:
            continue
        opened.append(case_id)
        await uow.publish(
            CaseOpened(
                case_id=case_id,
                petition_id=event.petition_id,
                decision_id=event.decision_id,
                unit=unit,
                role=role,
                mode=event.mode,
                opened_at=now,
            ),
            subject=f"case:{case_id}",
        )
        uow.cases.record(
            case_id, at=now, actor="system", action="opened", detail={"role": role.value}
        )
        if event.mode is RoutingMode.TRANSFER:
            # A transfer owes no result report, but the petitioner is told of it (003 督办制度(六)).
            await start_notify_clock(
                uow,
                ctx,
                case_id,
                role=role.value,
                occasion=Occasion.TRANSFER,
                at=event.routed_at,
                now=now,
            )
        policy = resolve_policy(ctx.policy_of(event.petition.office_id), event.deadline_class)
        if policy is None:
            continue
        if starts_at_acceptance(event.deadline_class):
            at, what = event.petition.accepted_at, "Petition accepted"
        else:
            at, what = event.routed_at, "Assigned by the routing decision"
        spec = spec_for(
            policy, start=ctx.office.local_date(at), start_basis=ctx.local_start_basis(what, at)
        )
        await open_clock(
            uow,
            ctx,
            case_id=case_id,
            spec=spec,
            periodic=event.mode is RoutingMode.ASSIGN,
            now=now,
        )
    return opened


def _case_row(
    event: PetitionRouted | PetitionRerouted,
    *,
    case_id: uuid.UUID,
    unit: UnitRef,
    role: CaseRole,
    now: datetime,
) -> dict[str, object]:
    facts = event.petition
    return {
        "case_id": case_id,
        "petition_id": event.petition_id,
        "decision_id": event.decision_id,
        "office_id": facts.office_id,
        "registration_number": facts.registration_number,
        "unit_id": unit.unit_id,
        "unit_name": unit.unit_name,
        "division_code": unit.division_code,
        "role": role.value,
        "mode": event.mode.value,
        "deadline_class": event.deadline_class.value,
        "kind": facts.kind.value,
        "subject_category": facts.subject_category,
        "collective": facts.collective,
        "anonymous": facts.anonymous,
        "status": CaseStatus.ASSIGNED.value,
        "escalation_level": EscalationLevel.HANDLER.value,
        "escalation": None
        if event.escalation is None or role is not CaseRole.LEAD
        else event.escalation.model_dump(mode="json"),
        "opened_at": now,
    }


def remember_petition(uow: SupervisionUnitOfWork, event: PetitionRegistered) -> None:
    """Keep what screening needs: the pseudonymous petitioner, topic, size, time."""
    uow.cases.remember_petition(
        {
            "petition_id": event.petition_id,
            "office_id": event.office_id,
            "petitioner_ref": event.petitioner_ref,
            "subject_category": event.subject_category,
            "collective": event.collective,
            "people_count": event.people_count,
            "received_at": event.received_at,
        }
    )


class NoClosedCase(Conflict):
    slug = "no-closed-case"
    title = "No closed case to act on"


async def _closed_lead(
    uow: SupervisionUnitOfWork, petition_id: uuid.UUID, tier: str | None
) -> Case:
    """The petition's latest closed lead case at the given review tier (None: the original)."""
    candidates = [
        case
        for case in await uow.cases.for_petition(petition_id)
        if case.role == CaseRole.LEAD.value and case.review_tier == tier
    ]
    closed = [case for case in candidates if case.status is CaseStatus.CLOSED]
    if not closed:
        # Also reached when the closure has not been committed yet: the consumer retries.
        raise NoClosedCase(
            f"petition {petition_id} has no closed case at tier {tier or 'original'}"
        )
    return closed[-1]


async def record_feedback(
    uow: SupervisionUnitOfWork, event: PetitionFeedbackReceived, *, now: datetime
) -> None:
    """A satisfied petitioner makes the matter final; a dissatisfied one may ask for review."""
    case = None
    if event.case_id is not None:
        case = await uow.cases.get(event.case_id, lock=True)
    if case is None:
        case = await _closed_lead_any_tier(uow, event.petition_id)
    if case.status is not CaseStatus.CLOSED or case.feedback_satisfied is not None:
        return  # already final, under review, or rated: a redelivery changes nothing
    check(Action.RECORD_FEEDBACK, case.status)
    await uow.cases.update_case(case.case_id, feedback_satisfied=event.satisfied)
    uow.cases.record(
        case.case_id,
        at=event.received_at,
        actor="petitioner",
        action="feedback",
        detail={"satisfied": event.satisfied},
    )
    if event.satisfied:
        await make_final(uow, case, basis=FinalBasis.SATISFIED, at=now)


async def _closed_lead_any_tier(uow: SupervisionUnitOfWork, petition_id: uuid.UUID) -> Case:
    for tier in (ReviewTier.RE_REVIEW.value, ReviewTier.REVIEW.value, None):
        try:
            return await _closed_lead(uow, petition_id, tier)
        except NoClosedCase:
            continue
    raise NoClosedCase(f"petition {petition_id} has no closed case to rate")


async def make_final(
    uow: SupervisionUnitOfWork, case: Case, *, basis: FinalBasis, at: datetime
) -> None:
    check(Action.MAKE_FINAL, case.status)
    await uow.cases.update_case(case.case_id, status=CaseStatus.FINAL.value)
    uow.cases.record(
        case.case_id, at=at, actor="system", action="final", detail={"basis": basis.value}
    )
    await uow.publish(
        CaseFinal(case_id=case.case_id, petition_id=case.petition_id, basis=basis, final_at=at),
        subject=f"case:{case.case_id}",
    )


async def open_review(
    uow: SupervisionUnitOfWork, ctx: CaseContext, event: PetitionReviewRequested, *, now: datetime
) -> uuid.UUID | None:
    """Review (复查) of the closed original, or re-review (复核) of the closed review.

    The review is conducted by the body above the lead unit when routing named one, else by
    the office that registered the petition.
    """
    previous_tier = None if event.tier is ReviewTier.REVIEW else ReviewTier.REVIEW.value
    review_id = uuid.uuid5(_CASE_NAMESPACE, f"{event.petition_id}:{event.tier.value}")
    if await uow.cases.get(review_id) is not None:
        return None
    original = await _closed_lead(uow, event.petition_id, previous_tier)
    check(Action.OPEN_REVIEW, original.status)
    superior = original.escalation.superior_unit if original.escalation else None
    body = superior or UnitRef(
        unit_id=original.office_id,
        unit_name=f"Petition office {original.office_id}",
        division_code=original.unit.division_code,
    )
    await uow.cases.update_case(original.case_id, status=CaseStatus.UNDER_REVIEW.value)
    await uow.cases.add_case(
        {
            "case_id": review_id,
            "petition_id": original.petition_id,
            "decision_id": review_id,
            "office_id": original.office_id,
            "registration_number": original.registration_number,
            "unit_id": body.unit_id,
            "unit_name": body.unit_name,
            "division_code": body.division_code,
            "role": CaseRole.LEAD.value,
            "mode": RoutingMode.HANDLE_DIRECTLY.value,
            "deadline_class": DeadlineClass.GENERAL.value,
            "kind": original.kind,
            "subject_category": original.subject_category,
            "collective": original.collective,
            "anonymous": original.anonymous,
            "status": CaseStatus.ASSIGNED.value,
            "escalation_level": EscalationLevel.HANDLER.value,
            "escalation": None
            if original.escalation is None
            else original.escalation.model_dump(mode="json"),
            "review_tier": event.tier.value,
            "original_case_id": original.case_id,
            "opened_at": now,
        }
    )
    await uow.publish(
        CaseReviewOpened(
            case_id=review_id,
            original_case_id=original.case_id,
            petition_id=original.petition_id,
            tier=event.tier,
            unit=body,
            opened_at=now,
        ),
        subject=f"case:{review_id}",
    )
    uow.cases.record(
        review_id, at=now, actor="system", action="review_opened", detail={"tier": event.tier}
    )
    policy = REVIEW_POLICIES[event.tier]
    spec = spec_for(
        policy,
        start=ctx.office.local_date(event.requested_at),
        start_basis=ctx.local_start_basis("Review requested", event.requested_at),
    )
    await open_clock(uow, ctx, case_id=review_id, spec=spec, periodic=False, now=now)
    return review_id
