"""The composition root: the one place the intake service is wired together."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from huiyin_intake import __version__
from huiyin_intake.config import IntakeSettings
from huiyin_intake.crypto import IdentityCipher, Keyed
from huiyin_intake.db import messaging
from huiyin_intake.entrypoints.api import build_router
from huiyin_intake.entrypoints.consumers import HANDLERS
from huiyin_intake.entrypoints.open311 import build_open311_router
from huiyin_intake.entrypoints.portal import build_portal_router
from huiyin_intake.entrypoints.schemas import registered_out
from huiyin_intake.housekeeping import Housekeeping
from huiyin_intake.service import IntakeContext, Registered
from huiyin_intake.service.submissions import PortalSubmissions
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.clock import Clock
from huiyin_shared.platform import Platform
from huiyin_shared.runtime import ServiceApp


def build_context(settings: IntakeSettings, clock: Clock) -> IntakeContext:
    return IntakeContext(
        clock=clock,
        zone=settings.zone(),
        calendar=BusinessCalendar.from_file(settings.calendar_override_file),
        cipher=IdentityCipher(
            settings.identity_keys, active_key_id=settings.identity_active_key_id
        ),
        keyed=Keyed(settings.index_key),
        review_window=timedelta(days=settings.review_request_window_days),
        repeat_threshold=settings.repeat_similarity_threshold,
        tracking_per_client_per_minute=settings.tracking_attempts_per_client_per_minute,
        tracking_failures_per_number_per_hour=settings.tracking_attempts_per_number_per_hour,
    )


def bootstrap(
    settings: IntakeSettings | None = None, *, consumers: bool = True, clock: Clock | None = None
) -> ServiceApp:
    settings = settings or IntakeSettings()
    platform = Platform(settings, tables=messaging, clock=clock)
    context = build_context(settings, platform.clock)
    uow = platform.unit_of_work_factory(IntakeUnitOfWork)
    if consumers:
        platform.add_consumer("intake.tracking", HANDLERS, uow)
    housekeeping = Housekeeping(
        uow,
        clock=platform.clock,
        idempotency_retention=timedelta(hours=settings.idempotency_retention_hours),
        interval_seconds=settings.purge_interval_seconds,
    )
    # Only where the relay runs: API-only replicas (--no-relay) leave it to the workers.
    platform.add_background("intake-housekeeping", housekeeping.run)
    reading = platform.unit_of_work_factory(IntakeUnitOfWork, reads_only=True)
    submissions = PortalSubmissions(
        uow,
        context,
        answer_of=_portal_answer,
        max_group=settings.registration_group_max,
        wait_seconds=settings.registration_wait_seconds,
    )
    platform.on_stop(submissions.aclose)

    return ServiceApp(
        platform=platform,
        title="Huiyin intake",
        version=__version__,
        description=(
            "Registration, numbering, acceptance, confidential identities, portal submission "
            "and tracking of petitions (登记、编号、受理、保密、查询)."
        ),
        routers=[
            build_router(uow, context),
            build_portal_router(uow, reading, context, submissions),
            build_open311_router(uow, reading, context, submissions),
        ],
    )


def _portal_answer(registered: Registered) -> dict[str, Any]:
    return registered_out(registered).model_dump(mode="json")
