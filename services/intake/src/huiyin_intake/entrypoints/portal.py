"""The portal-facing API (per-portal API keys): submit, track, evaluate, ask for review.

Petitioners have no accounts: a registration number and its query code are their key, and
a wrong code is answered exactly like an unknown number.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from huiyin_intake import metrics
from huiyin_intake.domain.errors import TrackingNotFound
from huiyin_intake.domain.petitions import Petition
from huiyin_intake.domain.portal import PortalScope
from huiyin_intake.domain.tracking import PublicStatus
from huiyin_intake.entrypoints.api import unit_of_work_dependency
from huiyin_intake.entrypoints.schemas import PetitionIn, RegisteredOut, _Strict
from huiyin_intake.repository.portal import PortalKey
from huiyin_intake.service import IntakeContext, tracking
from huiyin_intake.service import portal as portal_service
from huiyin_intake.service.portal import IdempotencyClaim
from huiyin_intake.service.submissions import PortalSubmissions, Submission
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.contracts.events.common import Channel, RegistrationNumber, ReviewTier, ShortText
from huiyin_shared.errors import TooManyRequests

PORTAL_CHANNELS = frozenset(
    {Channel.ONLINE, Channel.EMAIL, Channel.PHONE, Channel.LETTER, Channel.MAILBOX}
)
"""What a portal can pass on; visits, transfers and leader instructions are staff's."""

QueryCode = Annotated[str, Field(min_length=12, max_length=20, pattern=r"^[A-Za-z0-9 -]+$")]


class PortalSubmissionIn(PetitionIn):
    """A petition submitted through a portal (web, WeChat, hotline software)."""

    def portal_problems(self) -> list[dict[str, str]]:
        if self.channel in PORTAL_CHANNELS:
            return []
        return [
            {
                "field": "body.channel",
                "message": "a portal submits online, email, phone, letter or mailbox petitions",
                "type": "channel_not_for_portals",
            }
        ]

    def submission(self, key: PortalKey, idempotency: IdempotencyClaim | None = None) -> Submission:
        """What the portal behind ``key`` submits, for its office."""
        return Submission(
            registration=self.registration(
                office_id=key.office_id, urgent=False, registered_by=None, portal_id=key.portal_id
            ),
            identity=self.to_identity(),
            idempotency=idempotency,
        )


class Credentials(_Strict):
    registration_number: RegistrationNumber
    query_code: QueryCode


class FeedbackIn(Credentials):
    satisfied: bool
    comment: ShortText | None = None


class ReviewRequestIn(Credentials):
    tier: ReviewTier = Field(
        description="review (复查) after the result, re_review (复核) after review."
    )


class MilestoneOut(BaseModel):
    kind: str
    occurred_at: datetime
    details: dict[str, Any]


class TrackingOut(BaseModel):
    registration_number: str
    status: PublicStatus
    received_at: datetime
    timeline: list[MilestoneOut]


class Accepted(BaseModel):
    registration_number: str
    status: Literal["received"] = "received"


def build_portal_router(
    uow_factory: Callable[[], IntakeUnitOfWork],
    reading_uow_factory: Callable[[], IntakeUnitOfWork],
    context: IntakeContext,
    submissions: PortalSubmissions,
) -> APIRouter:
    router = APIRouter(prefix="/v1/portal", tags=["portal"])
    UoW = Annotated[IntakeUnitOfWork, Depends(unit_of_work_dependency(uow_factory))]  # noqa: N806
    # A submission only reads in its request (its writes go in its office's group).
    ReadingUoW = Annotated[  # noqa: N806
        IntakeUnitOfWork, Depends(unit_of_work_dependency(reading_uow_factory))
    ]

    def portal(scope: PortalScope, unit_of_work: Any = UoW) -> Callable[..., Any]:
        async def dependency(
            uow: unit_of_work,
            x_api_key: Annotated[
                str | None, Header(max_length=200, description="The portal's API key.")
            ] = None,
        ) -> PortalKey:
            return await portal_service.authenticate(uow, context, presented=x_api_key, scope=scope)

        return dependency

    async def petition_by_code(
        uow: IntakeUnitOfWork, request: Request, key: PortalKey, body: Credentials
    ) -> Petition:
        client = f"{key.portal_id}:{request.client.host if request.client else 'unknown'}"
        try:
            found = await tracking.find_by_code(
                uow,
                context,
                registration_number=body.registration_number,
                query_code=body.query_code,
                client=client,
            )
        except TooManyRequests:
            metrics.TRACKING_LOOKUPS.labels("rate_limited").inc()
            raise
        if found is None:
            await uow.commit()  # the failed attempt counts against the limits
            metrics.TRACKING_LOOKUPS.labels("not_found").inc()
            raise TrackingNotFound("no petition with this registration number and query code")
        metrics.TRACKING_LOOKUPS.labels("found").inc()
        return found

    @router.post(
        "/petitions",
        status_code=201,
        response_model=RegisteredOut,
        responses={200: {"model": RegisteredOut, "description": "A replayed retry."}},
    )
    async def submit(
        body: PortalSubmissionIn,
        uow: ReadingUoW,
        key: Annotated[PortalKey, Depends(portal(PortalScope.SUBMIT, ReadingUoW))],
        idempotency_key: Annotated[
            str | None,
            Header(
                min_length=1,
                max_length=255,
                pattern=r"^[\x21-\x7e]+$",
                description="A retried POST with the same key returns the first answer.",
            ),
        ] = None,
    ) -> Any:
        """Submit a petition for the portal's office; answers the registration number and the
        query code (shown once)."""
        body.check(body.portal_problems())
        claim = (
            None
            if idempotency_key is None
            else IdempotencyClaim(
                portal_id=key.portal_id,
                key=idempotency_key,
                fingerprint=portal_service.request_fingerprint(body.model_dump(mode="json")),
            )
        )
        submitted = await submissions.submit(uow, body.submission(key, claim))
        if submitted.registered is not None:
            metrics.count_registration(submitted.registered)
        headers = {"Idempotent-Replayed": "true"} if submitted.replayed else {}
        return JSONResponse(submitted.answer, status_code=submitted.status, headers=headers)

    @router.post("/tracking", response_model=TrackingOut)
    async def track(
        body: Credentials,
        request: Request,
        uow: UoW,
        key: Annotated[PortalKey, Depends(portal(PortalScope.TRACK))],
    ) -> TrackingOut:
        """Status and public milestones, by registration number and query code (in the body,
        so neither lands in URLs or access logs). Rate-limited across replicas."""
        petition = await petition_by_code(uow, request, key, body)
        view = await tracking.view(uow, petition)
        await uow.commit()
        return TrackingOut(
            registration_number=petition.registration_number,
            status=view.status,
            received_at=petition.details.received_at,
            timeline=[
                MilestoneOut(kind=m.kind.value, occurred_at=m.occurred_at, details=dict(m.details))
                for m in view.timeline
            ],
        )

    @router.post("/feedback", status_code=202, response_model=Accepted)
    async def feedback(
        body: FeedbackIn,
        request: Request,
        uow: UoW,
        key: Annotated[PortalKey, Depends(portal(PortalScope.FEEDBACK))],
    ) -> Accepted:
        """Satisfaction evaluation of the latest result (after closure, once per result)."""
        petition = await petition_by_code(uow, request, key, body)
        await tracking.give_feedback(
            uow, context, petition=petition, satisfied=body.satisfied, comment=body.comment
        )
        await uow.commit()
        return Accepted(registration_number=petition.registration_number)

    @router.post("/review-requests", status_code=202, response_model=Accepted)
    async def review_request(
        body: ReviewRequestIn,
        request: Request,
        uow: UoW,
        key: Annotated[PortalKey, Depends(portal(PortalScope.FEEDBACK))],
    ) -> Accepted:
        """Ask for review (复查) or re-review (复核) within the window after the result."""
        petition = await petition_by_code(uow, request, key, body)
        await tracking.request_review(uow, context, petition=petition, tier=body.tier)
        await uow.commit()
        return Accepted(registration_number=petition.registration_number)

    return router
