"""Routing's use cases. They take a unit of work and never commit."""

from __future__ import annotations

import uuid

from huiyin_routing.domain.requests import RoutingRequest
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.contracts.events.common import PetitionFacts


async def queue_for_routing(
    uow: RoutingUnitOfWork, *, petition_id: uuid.UUID, facts: PetitionFacts
) -> RoutingRequest:
    """An accepted petition enters the routing queue, once."""
    existing = await uow.requests.get(petition_id=petition_id)
    if existing is not None:
        return existing
    request = RoutingRequest.from_accepted(petition_id, facts)
    await uow.requests.add(request)
    return request
