"""The background loop: timers, calendar changes and the business gauges.

Every replica runs it (the platform starts :meth:`Sweeper.run` as background work); the row
locks of the sweep share the due timers between them.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.clock import Clock
from huiyin_shared.logging import describe_error
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.cases.screening import periodic_screening
from huiyin_supervision.cases.sweep import recompute_page, refresh_gauges, sweep
from huiyin_supervision.domain.lifecycle import CaseStatus, is_open
from huiyin_supervision.domain.screening import ScreeningRules
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ScreeningSchedule:
    owner_id: str
    due_working_days: int
    rules: ScreeningRules


GAUGES_INTERVAL_SECONDS = 60.0

_OPEN = [status.value for status in CaseStatus if is_open(status)]


class Sweeper:
    def __init__(
        self,
        uow_factory: Callable[[], SupervisionUnitOfWork],
        ctx: CaseContext,
        clock: Clock,
        *,
        interval: float,
        batch: int,
        calendar_file: Path | None,
        screening: ScreeningSchedule,
    ) -> None:
        self._screening = screening
        self._gauges_at = float("-inf")
        self._uow = uow_factory
        self._ctx = ctx
        self._clock = clock
        self._interval = interval
        self._batch = batch
        self._calendar_file = calendar_file
        self._calendar_version = self._version()

    async def run(self) -> None:
        # Once at start: the chinese_calendar package may have been upgraded (a provisional
        # year became official), which a running process cannot otherwise notice. Only the
        # provisional due dates can change that way, so only they are read.
        await self._guard(self.recompute_provisional)
        while True:
            await self._guard(self._tick)
            await asyncio.sleep(self._interval)

    async def _guard(self, step: Callable[[], object]) -> None:
        try:
            await step()  # type: ignore[misc]
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the loop must outlive a database hiccup
            log.warning("supervision.sweep_failed", error=describe_error(exc))

    async def _tick(self) -> None:
        if self._calendar_changed():
            self._ctx.office.replace_calendar(BusinessCalendar.from_file(self._calendar_file))
            log.info("supervision.calendar_reloaded", file=str(self._calendar_file))
            await self.recompute_all()
        await self.sweep_all()
        async with self._uow() as uow:
            flagged = await periodic_screening(
                uow,
                self._ctx,
                now=self._clock.now(),
                owner_id=self._screening.owner_id,
                due_working_days=self._screening.due_working_days,
                rules=self._screening.rules,
            )
            await uow.commit()
        if flagged is not None:
            log.info("supervision.screening_done", flagged=flagged)
        # The gauges count every open case: refreshed at a slower pace than timers fire.
        if time.monotonic() - self._gauges_at >= GAUGES_INTERVAL_SECONDS:
            async with self._uow() as uow:
                await refresh_gauges(uow, open_statuses=_OPEN)
            self._gauges_at = time.monotonic()

    async def sweep_all(self) -> int:
        total = 0
        while True:
            async with self._uow() as uow:
                fired = await sweep(uow, self._ctx, now=self._clock.now(), limit=self._batch)
                await uow.commit()
            total += fired
            if fired < self._batch:
                return total

    async def recompute_provisional(self) -> int:
        return await self.recompute_all(provisional_only=True)

    async def recompute_all(self, *, provisional_only: bool = False) -> int:
        """Every running due date on the current calendar; the number changed."""
        after = None
        changed = 0
        while True:
            async with self._uow() as uow:
                page, after = await recompute_page(
                    uow,
                    self._ctx,
                    after=after,
                    limit=self._batch,
                    provisional_only=provisional_only,
                )
                await uow.commit()
            changed += page.changed
            if after is None:
                if changed:
                    log.info("supervision.deadlines_recomputed", changed=changed)
                return changed

    def _version(self) -> tuple[int, int] | None:
        if self._calendar_file is None:
            return None
        try:
            stat = os.stat(self._calendar_file)
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def _calendar_changed(self) -> bool:
        version = self._version()
        if version == self._calendar_version or version is None:
            return False
        self._calendar_version = version
        return True
