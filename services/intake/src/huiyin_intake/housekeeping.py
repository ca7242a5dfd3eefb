"""Housekeeping: drop portal answers and rate-limit windows past their retention.

Run by every process that relays the outbox (``serve`` and ``worker``), so a deployment
needs no cron job for it; ``huiyin-intake purge-expired`` does the same once, on demand.
Two replicas purging at once only delete the same rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import structlog

from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.clock import Clock

log = structlog.get_logger(__name__)

RATE_WINDOW_RETENTION = timedelta(hours=2)
"""Rate-limit windows are an hour at most; older ones count for nothing."""


async def purge_expired(
    uow_factory: Callable[[], IntakeUnitOfWork], *, clock: Clock, idempotency_retention: timedelta
) -> int:
    """Delete what is past retention, in one transaction; returns the idempotency records
    deleted. A retry of a purged answer's request is then a new submission."""
    async with uow_factory() as uow:
        now = clock.now()
        purged = await uow.idempotency.purge(before=now - idempotency_retention)
        await uow.rate_limits.purge(before=now - RATE_WINDOW_RETENTION)
        await uow.commit()
    return purged


class Housekeeping:
    def __init__(
        self,
        uow_factory: Callable[[], IntakeUnitOfWork],
        *,
        clock: Clock,
        idempotency_retention: timedelta,
        interval_seconds: float,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._retention = idempotency_retention
        self._interval = interval_seconds

    async def run(self) -> None:
        """Purge now and then every interval, until cancelled (the platform restarts it if
        a round fails)."""
        while True:
            purged = await purge_expired(
                self._uow, clock=self._clock, idempotency_retention=self._retention
            )
            if purged:
                log.info("intake.purged_expired", idempotency_records=purged)
            await asyncio.sleep(self._interval)
