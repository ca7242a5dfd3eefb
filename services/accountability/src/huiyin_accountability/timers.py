"""The timers: judge due trigger checks and publish missed procedure steps.

Each round is one transaction per batch; rows are claimed with FOR UPDATE SKIP LOCKED, so
any number of replicas can run the timers and each check or deadline is handled once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.service import procedure, triggers
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock

log = structlog.get_logger(__name__)


class Timers:
    def __init__(
        self,
        uow_factory: Callable[[], AccountabilityUnitOfWork],
        *,
        rules: RuleSet,
        office: Office,
        clock: Clock,
        interval_seconds: float,
        batch_size: int,
    ) -> None:
        self._uow = uow_factory
        self._rules = rules
        self._office = office
        self._clock = clock
        self._interval = interval_seconds
        self._batch = batch_size

    async def run_once(self) -> int:
        """One round: every due check and every passed deadline, batch by batch."""
        handled = 0
        while True:
            async with self._uow() as uow:
                count = await triggers.judge_due_checks(
                    uow,
                    rules=self._rules,
                    zone=self._office.zone,
                    now=self._clock.now(),
                    limit=self._batch,
                )
                count += await procedure.publish_overdue_steps(
                    uow, now=self._clock.now(), office=self._office, limit=self._batch
                )
                await uow.commit()
            handled += count
            if count == 0:
                return handled

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("timers.round_failed")
            await asyncio.sleep(self._interval)
