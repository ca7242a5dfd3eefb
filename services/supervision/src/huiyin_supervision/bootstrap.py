"""The composition root: the one place the supervision service is wired together."""

from __future__ import annotations

from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.clock import Clock
from huiyin_shared.platform import Platform
from huiyin_shared.runtime import ServiceApp
from huiyin_supervision import __version__
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.config import SupervisionSettings, screening_rules
from huiyin_supervision.db import messaging
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.entrypoints.api import build_router
from huiyin_supervision.entrypoints.cases_api import build_cases_router
from huiyin_supervision.entrypoints.consumers import build_handlers
from huiyin_supervision.entrypoints.oversight_api import build_oversight_router
from huiyin_supervision.sweeper import ScreeningSchedule, Sweeper
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork


def bootstrap(
    settings: SupervisionSettings | None = None,
    *,
    consumers: bool = True,
    clock: Clock | None = None,
    calendar: BusinessCalendar | None = None,
    sweeper: bool = True,
) -> ServiceApp:
    settings = settings or SupervisionSettings()
    platform = Platform(settings, tables=messaging, clock=clock)
    office = OfficeCalendar(
        calendar=calendar or BusinessCalendar.from_file(settings.calendar_override_file),
        timezone=settings.zone(),
    )

    uow = platform.unit_of_work_factory(SupervisionUnitOfWork)
    ctx = CaseContext(
        office=office,
        timers=settings.timer_config(),
        commitment_offices=settings.commitment_offices,
    )

    if consumers:
        platform.add_consumer(
            "supervision.petitions",
            build_handlers(office=office, clock=platform.clock, cases=ctx),
            uow,
        )
    if sweeper:
        sweeps = Sweeper(
            uow,
            ctx,
            platform.clock,
            interval=settings.sweep_interval_seconds,
            batch=settings.sweep_batch_size,
            calendar_file=settings.calendar_override_file,
            screening=ScreeningSchedule(
                owner_id=settings.screening_owner_id,
                due_working_days=settings.screening_due_working_days,
                rules=screening_rules(settings),
            ),
        )
        # Every replica sweeps, relay or not: the row locks share the due timers out.
        platform.add_background("supervision-sweeper", sweeps.run, with_relay=False)
    return ServiceApp(
        platform=platform,
        title="Huiyin supervision",
        version=__version__,
        description=(
            "Time-limit clocks on petitions and cases, explained on the business calendar "
            "(电子督办), and a public due-date calculator."
        ),
        routers=[
            build_router(uow, office=office, clock=platform.clock),
            build_cases_router(uow, ctx=ctx, clock=platform.clock),
            build_oversight_router(
                uow, ctx=ctx, clock=platform.clock, rules=screening_rules(settings)
            ),
        ],
    )
