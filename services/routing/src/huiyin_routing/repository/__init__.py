"""Every query of the routing service, one module per aggregate."""

from huiyin_routing.repository.registry import (
    RegistryChange,
    RegistryRepository,
    RegistryVersionRow,
)
from huiyin_routing.repository.requests import (
    BounceRepository,
    DecisionRepository,
    RoutingRequestRepository,
    StoredDecision,
)

__all__ = [
    "BounceRepository",
    "DecisionRepository",
    "RegistryChange",
    "RegistryRepository",
    "RegistryVersionRow",
    "RoutingRequestRepository",
    "StoredDecision",
]
