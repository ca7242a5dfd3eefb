"""Every query of the routing service."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_routing.db import routing_requests
from huiyin_routing.domain.requests import RequestStatus, RoutingRequest


class RoutingRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: RoutingRequest) -> None:
        await self._session.execute(insert(routing_requests).values(**asdict(request)))

    async def get(self, *, petition_id: uuid.UUID) -> RoutingRequest | None:
        row = (
            await self._session.execute(
                select(routing_requests).where(routing_requests.c.petition_id == petition_id)
            )
        ).one_or_none()
        return None if row is None else _to_request(row._mapping)

    async def list_pending(self, *, limit: int, offset: int) -> list[RoutingRequest]:
        rows = await self._session.execute(
            select(routing_requests)
            .where(routing_requests.c.status == RequestStatus.PENDING.value)
            .order_by(routing_requests.c.accepted_at, routing_requests.c.petition_id)
            .limit(limit)
            .offset(offset)
        )
        return [_to_request(row._mapping) for row in rows]


def _to_request(row: object) -> RoutingRequest:
    values = dict(row)  # type: ignore[call-overload]
    values["status"] = RequestStatus(values["status"])
    return RoutingRequest(**values)
