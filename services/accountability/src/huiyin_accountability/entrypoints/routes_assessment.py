"""The annual assessment: enter items, complaints and unit targets; grades; CSV; publication."""

from collections.abc import Callable
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Path, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from huiyin_accountability.domain.assessment import Item, StaffAssessment, UnitAssessment
from huiyin_accountability.domain.office import Office
from huiyin_accountability.entrypoints.deps import Officer, Reader, uow_dependency
from huiyin_accountability.service import assessment
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.contracts.events.accountability import AssessmentGrade, AssessmentPublished

Year = Annotated[int, Path(ge=2000, le=2200)]
Id = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class ItemIn(BaseModel):
    met: bool
    note: str | None = Field(default=None, max_length=500)


class ComplaintIn(BaseModel):
    reported_in_press: bool = Field(description="Reported in a publication at city level or up.")
    note: str = Field(min_length=1, max_length=500)


class TargetIn(BaseModel):
    target_met: bool
    note: str | None = Field(default=None, max_length=500)


class StaffAssessmentOut(BaseModel):
    staff_id: str
    year: int
    items: dict[Item, bool | None] = Field(description="null: not entered yet.")
    items_met: int
    grade: AssessmentGrade
    grade_before_caps: AssessmentGrade
    cap: str | None
    complete: bool

    @classmethod
    def of(cls, a: StaffAssessment) -> Self:
        return cls(
            staff_id=a.staff_id,
            year=a.year,
            items=dict(a.items),
            items_met=a.met,
            grade=a.grade,
            grade_before_caps=a.grade_before_caps,
            cap=a.cap,
            complete=a.complete,
        )


class UnitAssessmentOut(BaseModel):
    unit_id: str
    year: int
    target_met: bool
    vetoed: bool

    @classmethod
    def of(cls, u: UnitAssessment) -> Self:
        return cls(unit_id=u.unit_id, year=u.year, target_met=u.target_met, vetoed=u.vetoed)


def assessment_router(
    uow_factory: Callable[[], AccountabilityUnitOfWork], *, clock: Clock, office: Office
) -> APIRouter:
    router = APIRouter(prefix="/v1/assessments/{year}", tags=["assessment"])
    UoW = Annotated[AccountabilityUnitOfWork, Depends(uow_dependency(uow_factory))]  # noqa: N806

    @router.put("/staff/{staff_id}/items/{item}", status_code=status.HTTP_204_NO_CONTENT)
    async def enter_item(
        year: Year, staff_id: Id, item: Item, body: ItemIn, *, uow: UoW, officer: Officer
    ) -> None:
        """Enter one of the entered items (time limits and dissatisfaction are computed)."""
        await assessment.enter_item(
            uow,
            year=year,
            staff_id=staff_id,
            item=item,
            met=body.met,
            note=body.note,
            by=officer.staff_id,
            now=clock.now(),
        )
        await uow.commit()

    @router.post("/staff/{staff_id}/rude-treatment", status_code=status.HTTP_201_CREATED)
    async def add_complaint(
        year: Year, staff_id: Id, body: ComplaintIn, uow: UoW, officer: Officer
    ) -> dict[str, str]:
        """Record a verified complaint of rude treatment (it caps the grade)."""
        complaint_id = await uow.assessment.add_complaint(
            year=year,
            staff_id=staff_id,
            reported_in_press=body.reported_in_press,
            note=body.note,
            by=officer.staff_id,
            at=clock.now(),
        )
        await uow.commit()
        return {"complaint_id": str(complaint_id)}

    @router.put("/units/{unit_id}/target", status_code=status.HTTP_204_NO_CONTENT)
    async def set_target(
        year: Year, unit_id: Id, body: TargetIn, uow: UoW, officer: Officer
    ) -> None:
        """Whether the unit met its annual petition target (failing it is a one-vote veto)."""
        await uow.assessment.set_unit_target(
            year=year,
            unit_id=unit_id,
            target_met=body.target_met,
            note=body.note,
            by=officer.staff_id,
            at=clock.now(),
        )
        await uow.commit()

    @router.get("/staff", response_model=list[StaffAssessmentOut])
    async def staff(year: Year, uow: UoW, _r: Reader) -> list[StaffAssessmentOut]:
        found = await assessment.staff_assessments(uow, year=year, office=office)
        return [StaffAssessmentOut.of(a) for a in found]

    @router.get("/staff.csv", response_class=PlainTextResponse)
    async def staff_csv(year: Year, uow: UoW, _r: Reader) -> PlainTextResponse:
        found = await assessment.staff_assessments(uow, year=year, office=office)
        return PlainTextResponse(assessment.staff_csv(found), media_type="text/csv")

    @router.get("/units", response_model=list[UnitAssessmentOut])
    async def units(year: Year, uow: UoW, _r: Reader) -> list[UnitAssessmentOut]:
        return [UnitAssessmentOut.of(u) for u in await uow.assessment.units(year=year)]

    @router.get("/units.csv", response_class=PlainTextResponse)
    async def units_csv(year: Year, uow: UoW, _r: Reader) -> PlainTextResponse:
        found = await uow.assessment.units(year=year)
        return PlainTextResponse(assessment.units_csv(found), media_type="text/csv")

    @router.post("/publication", response_model=AssessmentPublished)
    async def publish(year: Year, uow: UoW, officer: Officer) -> AssessmentPublished:
        """Publish the year's grades and vetoes (assessment.published)."""
        event = await assessment.publish(
            uow, year=year, by=officer.staff_id, now=clock.now(), office=office
        )
        await uow.commit()
        return event

    return router
