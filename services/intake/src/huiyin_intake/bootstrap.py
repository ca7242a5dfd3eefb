"""The composition root: the one place the intake service is wired together."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from huiyin_intake import __version__
from huiyin_intake.config import IntakeSettings
from huiyin_intake.db import messaging
from huiyin_intake.entrypoints.api import build_router
from huiyin_intake.service import IntakeContext
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.clock import Clock
from huiyin_shared.platform import Platform
from huiyin_shared.runtime import ServiceApp


def bootstrap(
    settings: IntakeSettings | None = None, *, consumers: bool = True, clock: Clock | None = None
) -> ServiceApp:
    """Wire the service. Intake consumes no events yet, so ``consumers`` changes nothing;
    it is kept so every service's bootstrap has the same signature."""
    settings = settings or IntakeSettings()
    platform = Platform(settings, tables=messaging, clock=clock)
    context = IntakeContext(
        clock=platform.clock,
        zone=ZoneInfo(settings.timezone),
        calendar=BusinessCalendar.from_file(settings.calendar_override_file),
    )

    uow = platform.unit_of_work_factory(IntakeUnitOfWork)

    return ServiceApp(
        platform=platform,
        title="Huiyin intake",
        version=__version__,
        description="Registration, numbering and acceptance of petitions (登记、编号、受理).",
        routers=[build_router(uow, context)],
    )
