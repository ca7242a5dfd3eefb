"""Screening and statistics for supervisors and leaders.

No ``from __future__ import annotations``: FastAPI must resolve the local ``UoW`` alias.
"""

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from huiyin_shared.clock import Clock
from huiyin_shared.errors import RuleViolation
from huiyin_shared.http.auth import Staff, StaffRole, require_roles
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.cases.screening import run_screening
from huiyin_supervision.domain.screening import ScreeningRules
from huiyin_supervision.domain.statistics import parse_period, summarise, to_csv
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork


class ScreeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    owner_id: str = Field(
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$", description="The leader who owns the flags."
    )
    due_working_days: int = Field(default=10, ge=1, le=60)
    reason: str = Field(min_length=1, max_length=200, examples=["before the Spring Festival"])


class FlagOut(BaseModel):
    flag_id: uuid.UUID
    category: str
    office_id: str
    summary: str
    petitioner_ref: str | None
    subject_category: str | None
    petition_ids: list[uuid.UUID]
    case_ids: list[uuid.UUID]
    owner_id: str
    due_date: dt.date
    flagged_at: dt.datetime


class ScreeningOut(BaseModel):
    run_key: str
    flagged: int


class BadPeriod(RuleViolation):
    slug = "bad-period"
    title = "Unknown report period"


def build_oversight_router(
    uow_factory: Callable[[], SupervisionUnitOfWork],
    *,
    ctx: CaseContext,
    clock: Clock,
    rules: ScreeningRules,
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["screening and statistics"])

    async def unit_of_work() -> AsyncIterator[SupervisionUnitOfWork]:
        async with uow_factory() as uow:
            yield uow

    UoW = Annotated[SupervisionUnitOfWork, Depends(unit_of_work)]  # noqa: N806 (a type)
    Oversight = Annotated[  # noqa: N806
        Staff, Depends(require_roles(StaffRole.SUPERVISOR, StaffRole.LEADER))
    ]

    @router.post("/screening/runs", response_model=ScreeningOut, status_code=201)
    async def screen_now(body: ScreeningIn, uow: UoW, staff: Oversight) -> ScreeningOut:
        """Screen on demand (before major meetings and holidays, §6.5)."""
        now = clock.now()
        run_key = f"D{now.strftime('%Y%m%dT%H%M%S')}"
        found = await run_screening(
            uow,
            ctx,
            now=now,
            run_key=run_key,
            owner_id=body.owner_id,
            due_working_days=body.due_working_days,
            rules=rules,
        )
        await uow.commit()
        return ScreeningOut(run_key=run_key, flagged=len(found))

    @router.get("/screening/flags", response_model=list[FlagOut])
    async def list_flags(
        uow: UoW,
        _staff: Oversight,
        days: Annotated[int, Query(ge=1, le=366, description="Flags of the last N days.")] = 30,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> list[FlagOut]:
        since = clock.now() - dt.timedelta(days=days)
        return [
            FlagOut.model_validate(dict(row))
            for row in await uow.screening.flags(since=since, limit=limit)
        ]

    @router.get("/reports/{period}", response_model=None)
    async def report(
        period: str,
        uow: UoW,
        _staff: Oversight,
        format: Literal["json", "csv"] = "json",
    ) -> Any:
        """Monthly (``2026-03``), quarterly (``2026-Q1``) or annual (``2026``) statistics,
        as JSON or CSV:
        cases by unit, kind, status and overdue state; time-to-close percentiles in days."""
        try:
            span = parse_period(period)
        except ValueError as exc:
            raise BadPeriod(
                str(exc), errors=[{"field": "path.period", "message": str(exc), "type": "format"}]
            ) from None
        zone = ctx.office.timezone
        start = dt.datetime.combine(span.first_day, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(span.end_day, dt.time(), tzinfo=zone)
        rows = await uow.screening.cases_between(start, end)
        body = {"period": span.label, **summarise(rows, start=start, end=end)}
        if format == "csv":
            return Response(
                to_csv(body),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="cases-{span.label}.csv"'},
            )
        return body

    return router
