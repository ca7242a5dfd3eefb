"""Routing requests, the decisions taken on them and the returns (bounces)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_routing.db import routing_bounces, routing_decisions, routing_requests
from huiyin_routing.domain.requests import BounceRecord, RequestStatus, RoutingRequest
from huiyin_shared.contracts.events.common import PetitionFacts
from huiyin_shared.db.writes import defer_insert, defer_update

# Built once: every petition's events run these.
_REQUEST = select(routing_requests).where(
    routing_requests.c.petition_id == bindparam("petition_id")
)
_REQUEST_FOR_UPDATE = _REQUEST.with_for_update()
_LAST_SEQUENCE = select(func.max(routing_decisions.c.sequence)).where(
    routing_decisions.c.petition_id == bindparam("petition_id")
)
_DECISIONS = (
    select(routing_decisions)
    .where(routing_decisions.c.petition_id == bindparam("petition_id"))
    .order_by(routing_decisions.c.sequence)
)


class RoutingRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, request: RoutingRequest) -> None:
        """Queue the request's row with the transaction's other pending writes."""
        defer_insert(self._session, routing_requests, _to_row(request))

    async def get(
        self, *, petition_id: uuid.UUID, for_update: bool = False
    ) -> RoutingRequest | None:
        # Returns of one petition may be consumed concurrently: decide one at a time.
        query = _REQUEST_FOR_UPDATE if for_update else _REQUEST
        row = (await self._session.execute(query, {"petition_id": petition_id})).one_or_none()
        return None if row is None else _to_request(row._mapping)

    async def save(self, request: RoutingRequest) -> None:
        """Update the request's row with the transaction's other pending writes."""
        row = _to_row(request)
        del row["petition_id"]
        await defer_update(
            self._session,
            routing_requests,
            where={"petition_id": request.petition_id},
            values=row,
        )

    async def list(
        self,
        *,
        statuses: Iterable[RequestStatus],
        limit: int,
        offset: int,
        decidable_only: bool = False,
    ) -> list[RoutingRequest]:
        """Requests in these statuses, oldest first; ``decidable_only`` leaves out requests
        queued before the facts were kept (schema 0001), which no rule can decide."""
        query = select(routing_requests).where(
            routing_requests.c.status.in_([s.value for s in statuses])
        )
        if decidable_only:
            query = query.where(routing_requests.c.facts.is_not(None))
        rows = await self._session.execute(
            query.order_by(routing_requests.c.accepted_at, routing_requests.c.petition_id)
            .limit(limit)
            .offset(offset)
        )
        return [_to_request(row._mapping) for row in rows]

    async def open_route_units(self) -> dict[str, int]:
        """Units that routed petitions are open with, and how many each (orphan check)."""
        rows = await self._session.execute(
            select(
                routing_requests.c.lead_unit_id, routing_requests.c.participating_unit_ids
            ).where(routing_requests.c.status == RequestStatus.ROUTED.value)
        )
        counts: dict[str, int] = {}
        for lead, participants in rows:
            for unit_id in [lead, *(participants or [])]:
                if unit_id is not None:
                    counts[unit_id] = counts.get(unit_id, 0) + 1
        return counts


def _to_row(request: RoutingRequest) -> dict[str, Any]:
    return {
        "petition_id": request.petition_id,
        "registration_number": request.registration_number,
        "office_id": request.office_id,
        "division_code": request.division_code,
        "kind": request.kind,
        "subject_category": request.subject_category,
        "urgent": request.urgent,
        "received_at": request.received_at,
        "accepted_at": request.accepted_at,
        "status": request.status.value,
        "facts": None if request.facts is None else request.facts.model_dump(mode="json"),
        "lead_unit_id": request.lead_unit_id,
        "participating_unit_ids": list(request.participating_unit_ids),
        "bounce_count": request.bounce_count,
        "decided_at": request.decided_at,
    }


def _to_request(row: Mapping[Any, Any]) -> RoutingRequest:
    values = dict(row)
    values["status"] = RequestStatus(values["status"])
    values["facts"] = None if values["facts"] is None else PetitionFacts(**values["facts"])
    values["participating_unit_ids"] = tuple(values["participating_unit_ids"] or ())
    return RoutingRequest(**values)


@dataclass(frozen=True)
class StoredDecision:
    decision_id: uuid.UUID
    petition_id: uuid.UUID
    sequence: int
    outcome: str
    mode: str | None
    lead_unit_id: str | None
    participating_unit_ids: list[str]
    deadline_class: str | None
    authority: str | None
    registry_version: int | None
    decided_at: datetime
    decided_by: str | None
    manual_reason: str | None
    explanation: dict[str, Any]


class DecisionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._last_sequence: dict[uuid.UUID, int] = {}

    def add(self, decision: StoredDecision) -> None:
        """Queue the decision's row with the transaction's other pending writes."""
        defer_insert(self._session, routing_decisions, dict(decision.__dict__))
        self._last_sequence[decision.petition_id] = decision.sequence

    def none_yet(self, petition_id: uuid.UUID) -> None:
        """The petition has no decision yet (its request is new in this transaction): its
        first decision's sequence needs no read. A wrong claim still fails, on the unique
        (petition, sequence) key."""
        self._last_sequence[petition_id] = 0

    async def next_sequence(self, petition_id: uuid.UUID) -> int:
        last = self._last_sequence.get(petition_id)
        if last is None:
            current = await self._session.scalar(_LAST_SEQUENCE, {"petition_id": petition_id})
            last = int(current or 0)
        return last + 1

    async def list_for(self, petition_id: uuid.UUID) -> list[StoredDecision]:
        rows = await self._session.execute(_DECISIONS, {"petition_id": petition_id})
        return [StoredDecision(**dict(row._mapping)) for row in rows]


class BounceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, bounce: BounceRecord) -> None:
        await self._session.execute(insert(routing_bounces), dict(bounce.__dict__))

    async def list_for(self, petition_id: uuid.UUID) -> list[BounceRecord]:
        rows = await self._session.execute(
            select(routing_bounces)
            .where(routing_bounces.c.petition_id == petition_id)
            .order_by(routing_bounces.c.returned_at, routing_bounces.c.id)
        )
        return [
            BounceRecord(**{k: v for k, v in row._mapping.items() if k != "id"}) for row in rows
        ]
