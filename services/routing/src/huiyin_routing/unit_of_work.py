from __future__ import annotations

from huiyin_routing.repository import RoutingRequestRepository
from huiyin_shared.db.uow import UnitOfWork


class RoutingUnitOfWork(UnitOfWork):
    requests: RoutingRequestRepository

    def _start(self) -> None:
        self.requests = RoutingRequestRepository(self.session)
