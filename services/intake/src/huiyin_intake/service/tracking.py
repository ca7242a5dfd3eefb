"""Petitioner tracking by registration number + query code, and what follows closure:
satisfaction evaluation, review and re-review requests."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from huiyin_intake import integration_events
from huiyin_intake.domain.identity import Identity
from huiyin_intake.domain.petitions import Petition
from huiyin_intake.domain.portal import normalise_query_code
from huiyin_intake.domain.redaction import redact
from huiyin_intake.domain.reviews import Lifecycle
from huiyin_intake.domain.tracking import (
    Milestone,
    MilestoneKind,
    PublicStatus,
    ordered,
    public_status,
)
from huiyin_intake.service.context import IntakeContext
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.contracts.events.common import ReviewTier
from huiyin_shared.contracts.events.petition import (
    PetitionFeedbackReceived,
    PetitionReviewRequested,
)
from huiyin_shared.errors import TooManyRequests

_DUMMY_HASH = "0" * 43


@dataclass(frozen=True)
class TrackingView:
    petition: Petition
    status: PublicStatus
    timeline: list[Milestone]


def _window(now: datetime, size: timedelta) -> datetime:
    seconds = int(size.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


async def _limit(
    uow: IntakeUnitOfWork, context: IntakeContext, *, client: str, number: str
) -> None:
    """Shared counters (every replica sees them): attempts per client per minute, and
    failed attempts per registration number per hour (guessing one number's code)."""
    now = context.clock.now()
    minute = _window(now, timedelta(minutes=1))
    hits = await uow.rate_limits.hit(bucket=f"track:client:{client}", window_start=minute)
    if hits > context.tracking_per_client_per_minute:
        raise TooManyRequests("too many tracking attempts; try again later", retry_after=60)
    hour = _window(now, timedelta(hours=1))
    failures = await uow.rate_limits.current(bucket=f"track:number:{number}", window_start=hour)
    if failures >= context.tracking_failures_per_number_per_hour:
        raise TooManyRequests("too many tracking attempts; try again later", retry_after=3600)


async def find_by_code(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    *,
    registration_number: str,
    query_code: str,
    client: str,
) -> Petition | None:
    """The petition if the code matches; None for a wrong code *or* an unknown number —
    the caller answers both alike. Rate-limited; a failure counts against the number."""
    await _limit(uow, context, client=client, number=registration_number)
    found = await uow.petitions.find_by_number(registration_number=registration_number)
    offered = context.keyed.query_code_hash(registration_number, normalise_query_code(query_code))
    stored = found[1] if found is not None else None
    # Compare even when nothing was found, so both failures take the same time.
    matches = hmac.compare_digest(offered, stored or _DUMMY_HASH)
    if found is None or stored is None or not matches:
        hour = _window(context.clock.now(), timedelta(hours=1))
        await uow.rate_limits.hit(bucket=f"track:number:{registration_number}", window_start=hour)
        return None
    return found[0]


async def view(uow: IntakeUnitOfWork, petition: Petition) -> TrackingView:
    # The registration itself is read off the petition: one write less while the office's
    # number is held.
    registered = Milestone(
        key=f"registered:{petition.petition_id}",
        kind=MilestoneKind.REGISTERED,
        occurred_at=petition.registered_at,
        petition_id=petition.petition_id,
        details={"registration_number": petition.registration_number},
    )
    milestones = [registered, *await uow.timeline.of_petition(petition_id=petition.petition_id)]
    return TrackingView(
        petition=petition, status=public_status(milestones), timeline=ordered(milestones)
    )


async def give_feedback(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    *,
    petition: Petition,
    satisfied: bool,
    comment: str | None,
) -> None:
    """Satisfaction evaluation of the latest result (once per result)."""
    lifecycle = Lifecycle.of(await uow.timeline.of_petition(petition_id=petition.petition_id))
    tier = lifecycle.check_feedback()
    now = context.clock.now()
    names: tuple[str, ...] = ()
    stored = await uow.identities.get(petition_id=petition.petition_id)
    if stored is not None:  # decrypted only to keep the names out of the published comment
        plaintext = context.cipher.open(stored.sealed, context=str(petition.petition_id))
        names = Identity.from_json(plaintext).names
    await uow.publish(
        PetitionFeedbackReceived(
            petition_id=petition.petition_id,
            tier=None if tier is None else ReviewTier(tier),
            satisfied=satisfied,
            comment=None if comment is None else redact(comment, names),
            received_at=now,
        ),
        subject=integration_events.subject(petition.petition_id),
    )
    uow.timeline.record(
        Milestone(
            key=f"feedback:{petition.petition_id}:{tier or 'handling'}",
            kind=MilestoneKind.FEEDBACK_RECEIVED,
            occurred_at=now,
            petition_id=petition.petition_id,
            details={"tier": tier, "satisfied": satisfied},
        )
    )


async def request_review(
    uow: IntakeUnitOfWork, context: IntakeContext, *, petition: Petition, tier: ReviewTier
) -> None:
    """Review (复查) after the first result, re-review (复核) after the review's, each within
    the window from the result; never after the matter is final."""
    lifecycle = Lifecycle.of(await uow.timeline.of_petition(petition_id=petition.petition_id))
    now = context.clock.now()
    lifecycle.check_review(tier, now=now, window=context.review_window)
    await uow.publish(
        PetitionReviewRequested(petition_id=petition.petition_id, tier=tier, requested_at=now),
        subject=integration_events.subject(petition.petition_id),
    )
    uow.timeline.record(
        Milestone(
            key=f"review_requested:{petition.petition_id}:{tier.value}",
            kind=MilestoneKind.REVIEW_REQUESTED,
            occurred_at=now,
            petition_id=petition.petition_id,
            details={"tier": tier.value},
        )
    )


def project(
    uow: IntakeUnitOfWork,
    milestone: Milestone,
    *,
    case_of: tuple[uuid.UUID, uuid.UUID] | None = None,
) -> None:
    """Apply one consumed event to the projection: remember which petition a case belongs
    to, and add its milestone once (redeliveries and any arrival order change nothing)."""
    if case_of is not None:
        uow.timeline.link_case(case_id=case_of[0], petition_id=case_of[1])
    uow.timeline.record(milestone)
