"""Integration-event handlers: event → use case, nothing more."""

from __future__ import annotations

from huiyin_routing.service import routing
from huiyin_routing.service.outcomes import RoutingRules
from huiyin_routing.service.registry import RegistryCache
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events.petition import PetitionAccepted
from huiyin_shared.contracts.events.routing import CaseReturnedByUnit
from huiyin_shared.messaging.consumer import Handler


def build_handlers(cache: RegistryCache, rules: RoutingRules, clock: Clock) -> dict[str, Handler]:
    async def on_petition_accepted(
        event: PetitionAccepted, _envelope: Envelope, uow: RoutingUnitOfWork
    ) -> None:
        await routing.on_accepted(
            uow,
            cache,
            rules,
            petition_id=event.petition_id,
            facts=event.petition,
            now=clock.now(),
        )

    async def on_case_returned(
        event: CaseReturnedByUnit, _envelope: Envelope, uow: RoutingUnitOfWork
    ) -> None:
        await routing.on_returned(uow, cache, rules, event=event, now=clock.now())

    return {
        "petition.accepted": on_petition_accepted,
        "case.returned_by_unit": on_case_returned,
    }
