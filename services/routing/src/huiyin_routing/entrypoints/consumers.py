"""Integration-event handlers: event → use case, nothing more."""

from __future__ import annotations

from huiyin_routing import service
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events.petition import PetitionAccepted
from huiyin_shared.messaging.consumer import Handler


async def on_petition_accepted(
    event: PetitionAccepted, _envelope: Envelope, uow: RoutingUnitOfWork
) -> None:
    await service.queue_for_routing(uow, petition_id=event.petition_id, facts=event.petition)


HANDLERS: dict[str, Handler] = {
    "petition.accepted": on_petition_accepted,
}
