"""The composition root: the one place the accountability service is wired together."""

from __future__ import annotations

from collections.abc import Callable

from huiyin_accountability import __version__
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.db import messaging
from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.triggers import FACT_TYPES, RuleSet
from huiyin_accountability.entrypoints.api import build_routers
from huiyin_accountability.entrypoints.consumers import RECORD_CONSUMER, record_handler
from huiyin_accountability.entrypoints.ledger_consumer import RawEventConsumer
from huiyin_accountability.timers import Timers
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.clock import Clock
from huiyin_shared.messaging.consumer import GroupHandler
from huiyin_shared.platform import Platform
from huiyin_shared.runtime import ServiceApp


def _add_record_consumer(
    platform: Platform,
    handler: GroupHandler,
    uow_factory: Callable[[], AccountabilityUnitOfWork],
    settings: AccountabilitySettings,
) -> None:
    """The raw consumer of every event (ledger and trigger facts) on the platform's broker,
    inbox and topology.

    Built here rather than by the kit: it is the ledger's own kind of consumer (raw bodies,
    batched appends under the chain head's lock) and the only one of its kind.
    """
    platform.consumers.append(
        RawEventConsumer(
            platform.broker,
            name=RECORD_CONSUMER,
            record_handler=handler,
            fact_types=FACT_TYPES,
            **platform.consumer_options(uow_factory)
            | {
                "group_size": settings.ledger_batch_size,
                "group_wait_seconds": settings.ledger_batch_wait_seconds,
            },
        )
    )


def bootstrap(
    settings: AccountabilitySettings | None = None,
    *,
    consumers: bool = True,
    clock: Clock | None = None,
    calendar: BusinessCalendar | None = None,
    timers: bool = True,
) -> ServiceApp:
    settings = settings or AccountabilitySettings()
    platform = Platform(settings, tables=messaging, clock=clock)
    office = Office(
        calendar=calendar or BusinessCalendar.from_file(settings.calendar_override_file),
        zone=settings.zone(),
    )
    rules = RuleSet.load(settings.trigger_rules_file)
    uow = platform.unit_of_work_factory(AccountabilityUnitOfWork)

    if consumers:
        _add_record_consumer(platform, record_handler(rules, platform.clock), uow, settings)
    if timers:
        rounds = Timers(
            uow,
            rules=rules,
            office=office,
            clock=platform.clock,
            interval_seconds=settings.timer_interval_seconds,
            batch_size=settings.timer_batch_size,
            verify_interval_seconds=settings.ledger_verify_interval_seconds,
            verify_page_size=settings.ledger_verify_page_size,
        )
        # Only where the relay runs: API-only replicas (--no-relay) leave them to the workers.
        platform.add_background("accountability-timers", rounds.run)
    return ServiceApp(
        platform=platform,
        title="Huiyin accountability",
        version=__version__,
        description=(
            "Trigger rules over every service's events, accountability matters and cases with "
            "their procedure clocks, sanctions, assessment, and the power-operation record "
            "(权力运行记录): every event, hash-chained."
        ),
        routers=build_routers(
            uow,
            clock=platform.clock,
            office=office,
            rules=rules,
            verify_page_size=settings.ledger_verify_page_size,
        ),
    )
