"""The composition root: the one place the routing service is wired together."""

from __future__ import annotations

from huiyin_routing import __version__
from huiyin_routing.config import RoutingSettings
from huiyin_routing.db import messaging
from huiyin_routing.entrypoints import api_registry, api_requests
from huiyin_routing.entrypoints.consumers import build_handlers
from huiyin_routing.service.registry import RegistryCache
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.platform import Platform
from huiyin_shared.runtime import ServiceApp


def bootstrap(
    settings: RoutingSettings | None = None, *, consumers: bool = True, clock: Clock | None = None
) -> ServiceApp:
    settings = settings or RoutingSettings()
    platform = Platform(settings, tables=messaging, clock=clock)
    uow = platform.unit_of_work_factory(RoutingUnitOfWork)
    cache = RegistryCache()
    rules = settings.routing_rules()

    if consumers:
        platform.add_consumer(
            "routing.petitions", build_handlers(cache, rules, platform.clock), uow
        )
    return ServiceApp(
        platform=platform,
        title="Huiyin routing",
        version=__version__,
        description=(
            "Jurisdiction registry and explainable routing decisions "
            "(属地管理、分级负责; 谁主管、谁负责)."
        ),
        routers=[
            api_requests.build_router(uow, cache, rules),
            api_registry.build_router(uow, cache, rules),
        ],
    )
