"""Integration-event handlers: routing's and supervision's events → tracking milestones.

Each handler turns one event into one public milestone (with a key unique to the fact, so a
redelivery adds nothing) and, where the event names both, remembers which petition a case
belongs to (so milestones of a case that arrived first join their petition later).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from huiyin_intake.domain.tracking import Milestone, MilestoneKind
from huiyin_intake.service.tracking import project
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events import case, routing
from huiyin_shared.messaging.consumer import Handler

OWN_PRODUCER = "intake"


async def on_routed(
    event: routing.PetitionRouted | routing.PetitionRerouted, _e: Envelope, uow: IntakeUnitOfWork
) -> None:
    project(
        uow,
        Milestone(
            key=f"routed:{event.decision_id}",
            kind=MilestoneKind.TRANSFERRED,
            occurred_at=event.routed_at,
            petition_id=event.petition_id,
            details={"unit_name": event.lead_unit.unit_name, "mode": event.mode.value},
        ),
    )


async def on_referred_out(
    event: routing.PetitionReferredOut, envelope: Envelope, uow: IntakeUnitOfWork
) -> None:
    if envelope.producer == OWN_PRODUCER:
        return  # intake's own referral: projected when it was decided
    project(
        uow,
        Milestone(
            key=f"referred_out:{event.decision_id}",
            kind=MilestoneKind.REFERRED_OUT,
            occurred_at=event.referred_at,
            petition_id=event.petition_id,
            details={"proper_channel": event.authority, "referral_reason": event.reason},
        ),
    )


async def on_case_opened(event: case.CaseOpened, _e: Envelope, uow: IntakeUnitOfWork) -> None:
    uow.timeline.link_case(case_id=event.case_id, petition_id=event.petition_id)


class _OfACase(Protocol):
    @property
    def case_id(self) -> uuid.UUID: ...


def _case_milestone(
    key: str, kind: MilestoneKind, event: _OfACase, at: datetime, **details: Any
) -> Milestone:
    return Milestone(key=key, kind=kind, occurred_at=at, case_id=event.case_id, details=details)


async def on_deadline_set(
    event: case.CaseDeadlineSet, envelope: Envelope, uow: IntakeUnitOfWork
) -> None:
    if event.clock.value != "resolve":
        return  # only the reply date is the petitioner's business
    project(
        uow,
        _case_milestone(
            f"reply_due:{event.case_id}:{event.due_date}",
            MilestoneKind.REPLY_DUE,
            event,
            envelope.occurred_at,
            due_date=event.due_date.isoformat(),
        ),
    )


async def on_accepted_by_unit(
    event: case.CaseAcceptedByUnit, _e: Envelope, uow: IntakeUnitOfWork
) -> None:
    project(
        uow,
        _case_milestone(
            f"unit_accepted:{event.case_id}",
            MilestoneKind.UNIT_ACCEPTED,
            event,
            event.accepted_at,
            unit_name=event.unit.unit_name,
        ),
    )


async def on_extended(event: case.CaseExtended, _e: Envelope, uow: IntakeUnitOfWork) -> None:
    project(
        uow,
        _case_milestone(
            f"extended:{event.case_id}:{event.clock.value}:{event.new_due_date}",
            MilestoneKind.EXTENDED,
            event,
            event.approved_at,
            reason=event.reason_public,
            new_due_date=event.new_due_date.isoformat(),
        ),
    )


async def on_paused(event: case.CasePaused, _e: Envelope, uow: IntakeUnitOfWork) -> None:
    project(
        uow,
        _case_milestone(
            f"paused:{event.case_id}:{event.paused_at.isoformat()}",
            MilestoneKind.PAUSED,
            event,
            event.paused_at,
            reason=event.reason.value,
        ),
    )


async def on_resumed(event: case.CaseResumed, _e: Envelope, uow: IntakeUnitOfWork) -> None:
    project(
        uow,
        _case_milestone(
            f"resumed:{event.case_id}:{event.resumed_at.isoformat()}",
            MilestoneKind.RESUMED,
            event,
            event.resumed_at,
        ),
    )


async def on_closed(event: case.CaseClosed, _e: Envelope, uow: IntakeUnitOfWork) -> None:
    project(
        uow,
        _case_milestone(
            f"closed:{event.case_id}",
            MilestoneKind.CLOSED,
            event,
            event.closed_at,
            result_summary=event.result_summary_public,
        ),
        case_of=(event.case_id, event.petition_id),
    )


async def on_review_opened(
    event: case.CaseReviewOpened, _e: Envelope, uow: IntakeUnitOfWork
) -> None:
    project(
        uow,
        _case_milestone(
            f"review_opened:{event.case_id}",
            MilestoneKind.REVIEW_OPENED,
            event,
            event.opened_at,
            tier=event.tier.value,
            unit_name=event.unit.unit_name,
        ),
        case_of=(event.case_id, event.petition_id),
    )


async def on_final(event: case.CaseFinal, _e: Envelope, uow: IntakeUnitOfWork) -> None:
    project(
        uow,
        _case_milestone(
            f"final:{event.petition_id}",
            MilestoneKind.FINAL,
            event,
            event.final_at,
            basis=event.basis.value,
        ),
        case_of=(event.case_id, event.petition_id),
    )


HANDLERS: dict[str, Handler] = {
    "petition.routed": on_routed,
    "petition.rerouted": on_routed,
    "petition.referred_out": on_referred_out,
    "case.opened": on_case_opened,
    "case.deadline_set": on_deadline_set,
    "case.accepted_by_unit": on_accepted_by_unit,
    "case.extended": on_extended,
    "case.paused": on_paused,
    "case.resumed": on_resumed,
    "case.closed": on_closed,
    "case.review_opened": on_review_opened,
    "case.final": on_final,
}
