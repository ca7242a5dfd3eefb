"""Moving the shared test clock over HTTP; mounted only with a :class:`ControlledClock`.

Every process naming the same control file sees the move. Time only moves forward.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, Field

from huiyin_shared.clock import ControlledClock

CLOCK_CONTROL_PREFIX = "/_control/clock"


class ClockState(BaseModel):
    now: datetime
    offset_seconds: float


class AdvanceClock(BaseModel):
    seconds: float = Field(ge=0, allow_inf_nan=False, description="How far to move forward.")


def clock_control_router(clock: ControlledClock) -> APIRouter:
    router = APIRouter(prefix=CLOCK_CONTROL_PREFIX, include_in_schema=False)

    def state() -> ClockState:
        offset = clock.offset()
        return ClockState(now=clock.now(), offset_seconds=offset.total_seconds())

    # Plain functions: the clock reads and writes a small file, so they run in a thread.
    @router.get("")
    def read_clock() -> ClockState:
        return state()

    @router.post("/advance")
    def advance_clock(body: AdvanceClock) -> ClockState:
        clock.advance(timedelta(seconds=body.seconds))
        return state()

    return router
