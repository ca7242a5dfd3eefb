"""Routing's HTTP API: parse, call a use case or repository read, shape the answer.

No ``from __future__ import annotations`` here: FastAPI must evaluate the ``UoW`` alias,
which is local to :func:`build_router`, when it builds the dependency graph.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from huiyin_routing.domain.requests import RoutingRequest
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.errors import NotFound


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
    status: str

    @classmethod
    def of(cls, request: RoutingRequest) -> "RoutingRequestOut":
        return cls.model_validate(request, from_attributes=True)


def build_router(uow_factory: Callable[[], RoutingUnitOfWork]) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["routing"])

    async def unit_of_work() -> AsyncIterator[RoutingUnitOfWork]:
        async with uow_factory() as uow:
            yield uow

    UoW = Annotated[RoutingUnitOfWork, Depends(unit_of_work)]  # noqa: N806

    @router.get("/routing-requests", response_model=list[RoutingRequestOut])
    async def list_pending(
        uow: UoW,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[RoutingRequestOut]:
        """Accepted petitions waiting for a routing decision, oldest first."""
        return [
            RoutingRequestOut.of(r)
            for r in await uow.requests.list_pending(limit=limit, offset=offset)
        ]

    @router.get("/routing-requests/{petition_id}", response_model=RoutingRequestOut)
    async def get_request(petition_id: uuid.UUID, uow: UoW) -> RoutingRequestOut:
        request = await uow.requests.get(petition_id=petition_id)
        if request is None:
            raise NotFound(f"no routing request for petition {petition_id}")
        return RoutingRequestOut.of(request)

    return router
