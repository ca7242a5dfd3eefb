from __future__ import annotations

from huiyin_routing.repository import (
    BounceRepository,
    DecisionRepository,
    RegistryRepository,
    RoutingRequestRepository,
)
from huiyin_shared.db.uow import UnitOfWork


class RoutingUnitOfWork(UnitOfWork):
    requests: RoutingRequestRepository
    decisions: DecisionRepository
    bounces: BounceRepository
    registry: RegistryRepository

    def _start(self) -> None:
        self.requests = RoutingRequestRepository(self.session)
        self.decisions = DecisionRepository(self.session)
        self.bounces = BounceRepository(self.session)
        self.registry = RegistryRepository(self.session)
