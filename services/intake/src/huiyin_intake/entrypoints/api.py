"""Intake's staff HTTP API (bearer tokens): parse, call a use case, shape the answer.

No ``from __future__ import annotations`` here: FastAPI must evaluate the ``UoW`` alias,
which is local to :func:`build_router`, when it builds the dependency graph.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from huiyin_intake import metrics, service
from huiyin_intake.domain.errors import IdentityNotHeld, PetitionNotFound
from huiyin_intake.domain.numbering import MAX_OFFICE_ID_LENGTH
from huiyin_intake.entrypoints.schemas import (
    PetitionOut,
    PetitionPage,
    RegisteredOut,
    registered_out,
)
from huiyin_intake.entrypoints.staff_schemas import (
    DecisionIn,
    IdentityOut,
    IdentityReadIn,
    IdentityReadOut,
    SearchQuery,
    StaffRegistrationIn,
    UrgentReportIn,
)
from huiyin_intake.service import IntakeContext
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.errors import Forbidden
from huiyin_shared.http.auth import Staff, StaffRole, current_staff, require_roles

Clerk = Annotated[Staff, Depends(require_roles(StaffRole.CLERK))]
Decider = Annotated[Staff, Depends(require_roles(StaffRole.CLERK, StaffRole.LEADER))]
Reader = Annotated[
    Staff,
    Depends(
        require_roles(
            StaffRole.CLERK,
            StaffRole.LEADER,
            StaffRole.SUPERVISOR,
            StaffRole.DISCIPLINE_OFFICER,
        )
    ),
]
AnyStaff = Annotated[Staff, Depends(current_staff)]
Overseer = Annotated[
    Staff, Depends(require_roles(StaffRole.DISCIPLINE_OFFICER, StaffRole.IDENTITY_CUSTODIAN))
]


def unit_of_work_dependency(
    uow_factory: Callable[[], IntakeUnitOfWork],
) -> Callable[[], AsyncIterator[IntakeUnitOfWork]]:
    async def unit_of_work() -> AsyncIterator[IntakeUnitOfWork]:
        async with uow_factory() as uow:
            yield uow

    return unit_of_work


def build_router(uow_factory: Callable[[], IntakeUnitOfWork], context: IntakeContext) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["staff"])
    UoW = Annotated[IntakeUnitOfWork, Depends(unit_of_work_dependency(uow_factory))]  # noqa: N806

    @router.post("/petitions", status_code=201, response_model=RegisteredOut)
    async def register_petition(
        body: StaffRegistrationIn, uow: UoW, response: Response, staff: Clerk
    ) -> RegisteredOut:
        """Register a letter, visit or call for the office the clerk acts for; announces
        ``petition.registered`` (and ``petition.urgent_reported``, ``petition.repeat_linked``)."""
        office_problem = (
            []
            if len(staff.unit_id) <= MAX_OFFICE_ID_LENGTH
            else [
                {
                    "field": "token.unit",
                    "message": f"an office id has at most {MAX_OFFICE_ID_LENGTH} characters",
                    "type": "office_id_too_long",
                }
            ]
        )
        body.check(body.staff_problems() + office_problem)
        registered = await service.register_petition(
            uow,
            context,
            body.registration(
                office_id=staff.unit_id,
                urgent=body.urgent,
                registered_by=staff.staff_id,
                portal_id=None,
            ),
            identity=body.to_identity(),
            urgent_reported_to=body.urgent_reported_to,
        )
        await uow.commit()
        metrics.count_registration(registered)
        petition = registered.petition
        response.headers["Location"] = f"{router.prefix}/petitions/{petition.petition_id}"
        return registered_out(registered)

    @router.post("/petitions/{petition_id}/decision", response_model=PetitionOut)
    async def decide(
        petition_id: uuid.UUID, body: Annotated[DecisionIn, Body()], uow: UoW, staff: Decider
    ) -> PetitionOut:
        """Accept, not accept (a §4.4 reason and the proper channel) or refer out, once;
        announces the decision."""
        petition = await service.decide_acceptance(
            uow, context, petition_id=petition_id, command=body.to_command(staff.staff_id)
        )
        await uow.commit()
        if petition.decision is not None:
            metrics.DECISIONS.labels(petition.decision.outcome.value).inc()
        return PetitionOut.of(petition)

    @router.post("/petitions/{petition_id}/urgent-reports", response_model=PetitionOut)
    async def report_urgent(
        petition_id: uuid.UUID, body: UrgentReportIn, uow: UoW, staff: Decider
    ) -> PetitionOut:
        """Flag a petition major or urgent and report it to a leader at once."""
        petition = await service.report_urgent(
            uow,
            context,
            petition_id=petition_id,
            reported_to=body.reported_to,
            reported_by=staff.staff_id,
        )
        await uow.commit()
        return PetitionOut.of(petition)

    @router.post("/petitions/{petition_id}/identity-reads", response_model=IdentityOut)
    async def read_identity(
        petition_id: uuid.UUID, body: IdentityReadIn, uow: UoW, staff: AnyStaff
    ) -> IdentityOut:
        """Read the petitioner's identity, stating why. Only the identity custodian may;
        every attempt, allowed or refused, is recorded and announced (``identity.accessed``)."""
        outcome = await service.read_identity(
            uow, context, petition_id=petition_id, reader=staff, reason=body.reason
        )
        await uow.commit()
        metrics.IDENTITY_READS.labels(str(outcome.allowed).lower()).inc()
        if not outcome.allowed:
            raise Forbidden(
                "only the identity custodian may read a petitioner's identity; "
                "this attempt has been recorded"
            )
        if outcome.identity is None:
            raise IdentityNotHeld("the petition is anonymous: no identity is held")
        return IdentityOut.of(outcome.identity)

    @router.get("/petitions/{petition_id}/identity-reads", response_model=list[IdentityReadOut])
    async def identity_reads(
        petition_id: uuid.UUID, uow: UoW, _staff: Overseer
    ) -> list[IdentityReadOut]:
        """Who asked to read the petitioner's identity, when, why, and whether it was shown
        (for the discipline officer and the custodian; leaks are a listed violation)."""
        if await uow.petitions.get(petition_id=petition_id) is None:
            raise PetitionNotFound(f"no petition {petition_id}")
        reads = await uow.identity_reads.of_petition(petition_id=petition_id)
        return [IdentityReadOut.model_validate(r, from_attributes=True) for r in reads]

    @router.get("/petitions/{petition_id}", response_model=PetitionOut)
    async def get_petition(petition_id: uuid.UUID, uow: UoW, _staff: Reader) -> PetitionOut:
        petition = await uow.petitions.get(petition_id=petition_id)
        if petition is None:
            raise PetitionNotFound(f"no petition {petition_id}")
        return PetitionOut.of(petition)

    @router.get("/petitions", response_model=PetitionPage)
    async def search_petitions(
        uow: UoW, _staff: Reader, query: Annotated[SearchQuery, Query()]
    ) -> PetitionPage:
        """Petitions matching every given filter, newest registration first, a page at a time."""
        found, total = await uow.petitions.search(
            query.criteria(), limit=query.limit, offset=query.offset
        )
        return PetitionPage(
            items=[PetitionOut.of(p) for p in found],
            total=total,
            limit=query.limit,
            offset=query.offset,
        )

    return router
