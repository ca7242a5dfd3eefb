"""Supervision's HTTP API: parse, call a use case or repository read, shape the answer.

No ``from __future__ import annotations`` here: FastAPI resolves string annotations in the
module's globals, so the ``UoW`` dependency defined inside :func:`build_router` would not be
found and would be taken for a required query parameter ``uow``.
"""

import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BeforeValidator

from huiyin_shared.calendar import CountingMode
from huiyin_shared.clock import Clock
from huiyin_supervision.domain.calculator import MAX_DAYS, MIN_DAYS, calculate_due_date
from huiyin_supervision.domain.clocks import met_on_time, status_of
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.entrypoints.schemas import ClockOut, DueDateOut, ExplanationOut
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    # Lax parsing would read "0" or "1700000000" as a Unix time: accept YYYY-MM-DD only.
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("expected a date like 2026-02-01 (YYYY-MM-DD)")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def build_router(
    uow_factory: Callable[[], SupervisionUnitOfWork], *, office: OfficeCalendar, clock: Clock
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["supervision"])

    async def unit_of_work() -> AsyncIterator[SupervisionUnitOfWork]:
        async with uow_factory() as uow:
            yield uow

    UoW = Annotated[SupervisionUnitOfWork, Depends(unit_of_work)]  # noqa: N806 (a type)

    @router.get("/clocks", response_model=list[ClockOut])
    async def list_clocks(petition_id: uuid.UUID, uow: UoW) -> list[ClockOut]:
        """The petition's time-limit clocks, with their status as of today (office time)."""
        now = clock.now()
        return [
            ClockOut.of(
                item,
                status=status_of(item, now=now, office=office),
                met_on_time=met_on_time(item, office=office),
            )
            for item in await uow.clocks.list_for_petition(petition_id=petition_id)
        ]

    @router.get("/calendar/due-date", response_model=DueDateOut)
    async def due_date(
        start: Annotated[IsoDate, Query(description="The start day (not counted), YYYY-MM-DD.")],
        days: Annotated[int, Query(ge=MIN_DAYS, le=MAX_DAYS, description="Length of the period.")],
        mode: Annotated[
            CountingMode, Query(description="calendar_days or working_days.")
        ] = CountingMode.CALENDAR_DAYS,
    ) -> DueDateOut:
        """The due date of a period on the business calendar, explained.

        Calendar days: start + days, moved to the next working day if that is a day off.
        Working days: the days-th working day after the start (make-up days count).
        """
        explanation = calculate_due_date(office, start=start, days=days, mode=mode)
        return DueDateOut(due_date=explanation.due, explanation=ExplanationOut.of(explanation))

    return router
