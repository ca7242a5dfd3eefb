"""Matters: list, read, open by hand, dismiss with a reason, confirm into a case."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from huiyin_accountability.domain.matters import Matter, MatterStatus
from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.procedure import Subject
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.entrypoints.deps import Officer, Reader, uow_dependency
from huiyin_accountability.entrypoints.routes_cases import CaseOut
from huiyin_accountability.service import matters
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.contracts.events.accountability import MatterSource

Id = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")


class MatterOut(BaseModel):
    matter_id: uuid.UUID
    status: MatterStatus
    source: MatterSource
    rule_id: str | None
    rule_source: str | None
    title: str
    summary: str
    petition_id: uuid.UUID | None
    case_id: uuid.UUID | None
    subject_unit_ids: list[str]
    subject_staff_ids: list[str]
    evidence_event_ids: list[uuid.UUID] = Field(
        description="The events that matched; read them in the power-operation record."
    )
    opened_at: datetime
    opened_by: str | None
    decided_by: str | None
    decided_at: datetime | None
    dismissal_reason: str | None
    accountability_case_id: uuid.UUID | None = Field(
        default=None, description="The case opened when the matter was confirmed."
    )

    @classmethod
    def of(cls, matter: Matter, case_id: uuid.UUID | None = None) -> Self:
        return cls(
            matter_id=matter.matter_id,
            status=matter.status,
            source=matter.source,
            rule_id=matter.rule_id,
            rule_source=matter.rule_source,
            title=matter.title,
            summary=matter.summary,
            petition_id=matter.petition_id,
            case_id=matter.case_id,
            subject_unit_ids=list(matter.subject_unit_ids),
            subject_staff_ids=list(matter.subject_staff_ids),
            evidence_event_ids=list(matter.evidence_event_ids),
            opened_at=matter.opened_at,
            opened_by=matter.opened_by,
            decided_by=matter.decided_by,
            decided_at=matter.decided_at,
            dismissal_reason=matter.dismissal_reason,
            accountability_case_id=case_id,
        )


class MatterIn(BaseModel):
    source: MatterSource = Field(description="Any source but system_trigger (003 问责程序 5).")
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=4000)
    subject_unit_ids: list[Annotated[str, Id]] = Field(default_factory=list, max_length=50)
    subject_staff_ids: list[Annotated[str, Id]] = Field(default_factory=list, max_length=50)


class DismissalIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ConfirmationIn(BaseModel):
    subjects: list[Subject] = Field(
        default_factory=list,
        max_length=50,
        description="Who answers, when the preliminary check found others than the matter named.",
    )


class RuleOut(BaseModel):
    id: str
    kind: str
    title: str
    source: str
    params: dict[str, object]


def matters_router(
    uow_factory: Callable[[], AccountabilityUnitOfWork],
    *,
    clock: Clock,
    office: Office,
    rules: RuleSet,
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["matters"])
    UoW = Annotated[AccountabilityUnitOfWork, Depends(uow_dependency(uow_factory))]  # noqa: N806

    @router.get("/trigger-rules", response_model=list[RuleOut])
    async def list_rules(_staff: Reader) -> list[RuleOut]:
        """The trigger rules in force, each with its source document and article."""
        return [
            RuleOut(id=r.id, kind=r.kind, title=r.title, source=r.source, params=r.params)
            for r in rules.rules
        ]

    @router.get("/matters", response_model=list[MatterOut])
    async def list_matters(
        uow: UoW,
        _staff: Reader,
        status_: Annotated[MatterStatus | None, Query(alias="status")] = None,
        rule_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[MatterOut]:
        found = await uow.matters.list(status=status_, rule_id=rule_id, limit=limit, offset=offset)
        cases = await uow.cases.cases_of_matters([m.matter_id for m in found])
        return [MatterOut.of(m, cases.get(m.matter_id)) for m in found]

    @router.get("/matters/{matter_id}", response_model=MatterOut)
    async def get_matter(matter_id: uuid.UUID, uow: UoW, _staff: Reader) -> MatterOut:
        matter = await uow.matters.get(matter_id)
        if matter is None:
            raise matters.MatterNotFound(f"no matter {matter_id}")
        cases = await uow.cases.cases_of_matters([matter_id])
        return MatterOut.of(matter, cases.get(matter_id))

    @router.post("/matters", response_model=MatterOut, status_code=status.HTTP_201_CREATED)
    async def open_matter(body: MatterIn, uow: UoW, officer: Officer) -> MatterOut:
        """Enter a matter from another source (instruction, report, complaint, media…)."""
        matter = await matters.open_matter(
            uow,
            source=body.source,
            title=body.title,
            summary=body.summary,
            unit_ids=body.subject_unit_ids,
            staff_ids=body.subject_staff_ids,
            opened_by=officer.staff_id,
            now=clock.now(),
        )
        await uow.commit()
        return MatterOut.of(matter)

    @router.post("/matters/{matter_id}/dismissal", response_model=MatterOut)
    async def dismiss(
        matter_id: uuid.UUID, body: DismissalIn, uow: UoW, officer: Officer
    ) -> MatterOut:
        """The preliminary check found nothing to answer for; the reason is kept."""
        matter = await matters.dismiss_matter(
            uow, matter_id=matter_id, by=officer.staff_id, reason=body.reason, now=clock.now()
        )
        await uow.commit()
        return MatterOut.of(matter)

    @router.post(
        "/matters/{matter_id}/confirmation",
        response_model=CaseOut,
        status_code=status.HTTP_201_CREATED,
    )
    async def confirm(
        matter_id: uuid.UUID, uow: UoW, officer: Officer, body: ConfirmationIn | None = None
    ) -> CaseOut:
        """Open an accountability case on the matter; the investigation clock starts."""
        record = await matters.confirm_matter(
            uow,
            matter_id=matter_id,
            by=officer.staff_id,
            now=clock.now(),
            office=office,
            subjects=body.subjects if body else None,
        )
        deadlines = await uow.cases.deadlines(record.case_id)
        await uow.commit()
        return CaseOut.of(record, deadlines)

    return router
