"""Intake's staff HTTP API: parse, call a use case or repository read, shape the answer.

No ``from __future__ import annotations`` here: FastAPI must evaluate the ``UoW`` alias,
which is local to :func:`build_router`, when it builds the dependency graph.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from huiyin_intake import service
from huiyin_intake.domain.errors import PetitionNotFound
from huiyin_intake.domain.petitions import PetitionStatus
from huiyin_intake.entrypoints.schemas import (
    DecisionIn,
    PetitionOut,
    RegisteredOut,
    RegistrationIn,
)
from huiyin_intake.service import IntakeContext
from huiyin_intake.unit_of_work import IntakeUnitOfWork


def build_router(uow_factory: Callable[[], IntakeUnitOfWork], context: IntakeContext) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["petitions"])

    async def unit_of_work() -> AsyncIterator[IntakeUnitOfWork]:
        async with uow_factory() as uow:
            yield uow

    UoW = Annotated[IntakeUnitOfWork, Depends(unit_of_work)]  # noqa: N806

    @router.post("/petitions", status_code=201, response_model=RegisteredOut)
    async def register_petition(
        body: RegistrationIn, uow: UoW, response: Response
    ) -> RegisteredOut:
        """Register and number a petition; announces ``petition.registered``."""
        petition = await service.register_petition(uow, context, body.to_registration())
        await uow.commit()
        response.headers["Location"] = f"{router.prefix}/petitions/{petition.petition_id}"
        return RegisteredOut(
            petition_id=petition.petition_id,
            registration_number=petition.registration_number,
            status=petition.status,
        )

    @router.post("/petitions/{petition_id}/decision", response_model=PetitionOut)
    async def decide(
        petition_id: uuid.UUID, body: Annotated[DecisionIn, Body()], uow: UoW
    ) -> PetitionOut:
        """Accept or decline a registered petition (once); announces the decision."""
        petition = await service.decide_acceptance(
            uow, context, petition_id=petition_id, command=body.to_command()
        )
        await uow.commit()
        return PetitionOut.of(petition)

    @router.get("/petitions/{petition_id}", response_model=PetitionOut)
    async def get_petition(petition_id: uuid.UUID, uow: UoW) -> PetitionOut:
        petition = await uow.petitions.get(petition_id=petition_id)
        if petition is None:
            raise PetitionNotFound(f"no petition {petition_id}")
        return PetitionOut.of(petition)

    @router.get("/petitions", response_model=list[PetitionOut])
    async def list_petitions(
        uow: UoW,
        status: PetitionStatus | None = None,
        office_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[PetitionOut]:
        """Petitions, newest registration first, optionally by status and office."""
        petitions = await uow.petitions.list_newest(
            status=status, office_id=office_id, limit=limit, offset=offset
        )
        return [PetitionOut.of(p) for p in petitions]

    return router
