"""The composition root: the one place the accountability service is wired together."""

from __future__ import annotations

from huiyin_accountability import __version__
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.db import messaging
from huiyin_accountability.entrypoints.api import build_router
from huiyin_accountability.entrypoints.consumers import LEDGER_CONSUMER, ledger_handlers
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.platform import Platform
from huiyin_shared.runtime import ServiceApp


def bootstrap(
    settings: AccountabilitySettings | None = None,
    *,
    consumers: bool = True,
    clock: Clock | None = None,
) -> ServiceApp:
    settings = settings or AccountabilitySettings()
    platform = Platform(settings, tables=messaging, clock=clock)

    uow = platform.unit_of_work_factory(AccountabilityUnitOfWork)

    if consumers:
        platform.add_consumer(LEDGER_CONSUMER, ledger_handlers(platform.clock), uow)
    return ServiceApp(
        platform=platform,
        title="Huiyin accountability",
        version=__version__,
        description="The power-operation record (权力运行记录): every event, hash-chained.",
        routers=[build_router(uow, verify_page_size=settings.ledger_verify_page_size)],
    )
