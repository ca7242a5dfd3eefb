"""The timers: judge due trigger checks, publish missed procedure steps, verify the ledger.

Each round is one transaction per batch; rows are claimed with FOR UPDATE SKIP LOCKED, so
any number of replicas can run the timers and each check or deadline is handled once. The
periodic chain verification only reads: each replica keeps its own gauge current.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import structlog

from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.metrics import LEDGER_CHAIN_INTACT
from huiyin_accountability.service import procedure, triggers, verify_ledger
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
        verify_interval_seconds: float = 0,
        verify_page_size: int = 1000,
    ) -> None:
        self._uow = uow_factory
        self._rules = rules
        self._office = office
        self._clock = clock
        self._interval = interval_seconds
        self._batch = batch_size
        self._verify_interval = verify_interval_seconds
        self._verify_page = verify_page_size
        self._verified_at: float | None = None

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

    async def verify_chain(self) -> bool:
        """Verify the whole ledger and publish the verdict as ``huiyin_ledger_chain_intact``."""
        async with self._uow() as uow:
            result = await verify_ledger(uow, page_size=self._verify_page)
        LEDGER_CHAIN_INTACT.set(1 if result.intact else 0)
        if not result.intact:
            log.error(
                "ledger.chain_broken", sequence=result.first_broken_sequence, reason=result.reason
            )
        return result.intact

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
                if self._verification_due():
                    self._verified_at = time.monotonic()
                    await self.verify_chain()
            except Exception:
                log.exception("timers.round_failed")
            await asyncio.sleep(self._interval)

    def _verification_due(self) -> bool:
        if self._verify_interval <= 0:
            return False
        last = self._verified_at
        return last is None or time.monotonic() - last >= self._verify_interval
