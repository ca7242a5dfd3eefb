"""Accountability cases: each step of the procedure, refused with the rule when out of order."""

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.procedure import CaseRecord, Decision, Proposal, Stage
from huiyin_accountability.domain.responsibility import (
    HandlingRecord,
    Responsible,
    responsible_parties,
)
from huiyin_accountability.entrypoints.deps import Approver, Officer, Reader, uow_dependency
from huiyin_accountability.repository.cases import Deadline
from huiyin_accountability.service import procedure
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.contracts.events.accountability import AccountabilityStep, AppealOutcome

Text = Field(min_length=1, max_length=4000)


class DeadlineOut(BaseModel):
    step: AccountabilityStep
    subject_key: str
    due_date: date
    status: str = Field(description="open, met, or overdue (a missed step stays visible).")
    overdue_at: datetime | None

    @classmethod
    def of(cls, deadline: Deadline) -> Self:
        return cls(
            step=deadline.step,
            subject_key=deadline.subject_key,
            due_date=deadline.due_date,
            status=deadline.status,
            overdue_at=deadline.overdue_at,
        )


class CaseOut(BaseModel):
    record: CaseRecord
    deadlines: list[DeadlineOut]

    @classmethod
    def of(cls, record: CaseRecord, deadlines: list[Deadline]) -> Self:
        return cls(record=record, deadlines=[DeadlineOut.of(d) for d in deadlines])


class CaseSummaryOut(BaseModel):
    accountability_case_id: uuid.UUID
    matter_id: uuid.UUID
    stage: Stage
    opened_at: datetime


class OverdueStepOut(DeadlineOut):
    accountability_case_id: uuid.UUID


class TeamIn(BaseModel):
    members: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]] = Field(
        min_length=1, max_length=20
    )
    conflicts: dict[str, Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=dict, description="Member → the conflict of interest that recuses them."
    )


class ExtensionIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class StatementIn(BaseModel):
    subject_key: str = Field(description="kind:id, e.g. staff:handler-1 or unit:unit-7")
    text: str | None = Field(default=None, max_length=4000)
    declined: bool = Field(default=False, description="The subject was heard and declined.")


class ReportIn(BaseModel):
    facts: str = Text
    conclusion: str = Text
    proposals: list[Proposal] = Field(min_length=1, max_length=50)


class DecisionIn(BaseModel):
    decisions: list[Decision] = Field(min_length=1, max_length=50)


class AppealIn(BaseModel):
    subject_key: str


class AppealDecisionIn(BaseModel):
    outcome: AppealOutcome
    amended_decision: Decision | None = None
    reason: str = Field(min_length=1, max_length=500)


class ResponsibleOut(BaseModel):
    kind: str
    id: str
    role: str
    source: str

    @classmethod
    def of(cls, party: Responsible) -> Self:
        return cls(kind=party.kind.value, id=party.id, role=party.role.value, source=party.source)


def cases_router(
    uow_factory: Callable[[], AccountabilityUnitOfWork], *, clock: Clock, office: Office
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["cases"])
    UoW = Annotated[AccountabilityUnitOfWork, Depends(uow_dependency(uow_factory))]  # noqa: N806

    async def answer(uow: AccountabilityUnitOfWork, record: CaseRecord) -> CaseOut:
        deadlines = await uow.cases.deadlines(record.case_id)
        await uow.commit()
        return CaseOut.of(record, deadlines)

    @router.get("/cases", response_model=list[CaseSummaryOut])
    async def list_cases(
        uow: UoW,
        _staff: Reader,
        stage: Stage | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[CaseSummaryOut]:
        found = await uow.cases.summaries(
            stage=stage.value if stage else None, limit=limit, offset=offset
        )
        return [
            CaseSummaryOut(accountability_case_id=c, matter_id=m, stage=Stage(s), opened_at=o)
            for c, m, s, o in found
        ]

    @router.get("/cases/{case_id}", response_model=CaseOut)
    async def get_case(case_id: uuid.UUID, uow: UoW, _staff: Reader) -> CaseOut:
        record, _ = await procedure.load(uow, case_id)
        return CaseOut.of(record, await uow.cases.deadlines(case_id))

    @router.post("/cases/{case_id}/team", response_model=CaseOut)
    async def form_team(case_id: uuid.UUID, body: TeamIn, uow: UoW, _o: Officer) -> CaseOut:
        """Form the investigation team; conflicted members (and subjects) are recused."""
        record = await procedure.apply(
            uow,
            case_id,
            lambda r: r.form_team(members=body.members, conflicts=body.conflicts),
            now=clock.now(),
        )
        return await answer(uow, record)

    @router.post("/cases/{case_id}/extension", response_model=CaseOut)
    async def extend(case_id: uuid.UUID, body: ExtensionIn, uow: UoW, leader: Approver) -> CaseOut:
        """Approve the one extension of 10 working days (a leader approves)."""
        now = clock.now()
        record = await procedure.apply(
            uow,
            case_id,
            lambda r: r.extend_investigation(
                approved_by=leader.staff_id,
                reason=body.reason,
                on=office.local_date(now),
                calendar=office.calendar,
            ),
            now=now,
        )
        return await answer(uow, record)

    @router.post("/cases/{case_id}/statements", response_model=CaseOut)
    async def statement(
        case_id: uuid.UUID, body: StatementIn, uow: UoW, officer: Officer
    ) -> CaseOut:
        """Record a subject's statement and defence (or that they declined to give one)."""
        now = clock.now()
        record = await procedure.apply(
            uow,
            case_id,
            lambda r: r.record_statement(
                subject_key=body.subject_key,
                text=body.text,
                declined=body.declined,
                recorded_by=officer.staff_id,
                on=office.local_date(now),
            ),
            now=now,
        )
        return await answer(uow, record)

    @router.post("/cases/{case_id}/report", response_model=CaseOut)
    async def report(case_id: uuid.UUID, body: ReportIn, uow: UoW, officer: Officer) -> CaseOut:
        """Submit the report: facts, conclusion and the proposal for each subject."""
        record = await procedure.submit_report(
            uow,
            case_id=case_id,
            facts=body.facts,
            conclusion=body.conclusion,
            proposals=body.proposals,
            submitted_by=officer.staff_id,
            now=clock.now(),
            office=office,
        )
        return await answer(uow, record)

    @router.post("/cases/{case_id}/decision", response_model=CaseOut)
    async def decide(case_id: uuid.UUID, body: DecisionIn, uow: UoW, officer: Officer) -> CaseOut:
        """Record the committee's decision; it must be served within 10 working days."""
        record = await procedure.decide(
            uow,
            case_id=case_id,
            decisions=body.decisions,
            decided_by=officer.staff_id,
            now=clock.now(),
            office=office,
        )
        return await answer(uow, record)

    @router.post("/cases/{case_id}/service", response_model=CaseOut)
    async def serve(case_id: uuid.UUID, uow: UoW, _o: Officer) -> CaseOut:
        """The decision was served with the subjects' rights; the appeal window opens."""
        record = await procedure.serve(uow, case_id=case_id, now=clock.now(), office=office)
        return await answer(uow, record)

    @router.post("/cases/{case_id}/appeals", response_model=CaseOut)
    async def appeal(case_id: uuid.UUID, body: AppealIn, uow: UoW, _o: Officer) -> CaseOut:
        """Lodge a subject's appeal (within 15 working days); the decision stays in force."""
        record = await procedure.appeal(
            uow, case_id=case_id, subject_key=body.subject_key, now=clock.now(), office=office
        )
        return await answer(uow, record)

    @router.post("/cases/{case_id}/appeals/{subject_key}/decision", response_model=CaseOut)
    async def decide_appeal(
        case_id: uuid.UUID, subject_key: str, body: AppealDecisionIn, uow: UoW, _o: Officer
    ) -> CaseOut:
        """Decide an appeal: upheld, amended (never heavier) or revoked."""
        record = await procedure.decide_appeal(
            uow,
            case_id=case_id,
            subject_key=subject_key,
            outcome=body.outcome,
            amended=body.amended_decision,
            reason=body.reason,
            now=clock.now(),
            office=office,
        )
        return await answer(uow, record)

    @router.get("/public/overdue-steps", response_model=list[OverdueStepOut], tags=["public"])
    async def overdue_steps(
        uow: UoW, limit: Annotated[int, Query(ge=1, le=1000)] = 200
    ) -> list[OverdueStepOut]:
        """Procedure steps that missed their time limit (published: 003 公开制度)."""
        found = await uow.cases.overdue(limit=limit)
        return [
            OverdueStepOut(accountability_case_id=d.case_id, **DeadlineOut.of(d).model_dump())
            for d in found
        ]

    @router.post("/responsibility", response_model=list[ResponsibleOut])
    async def responsibility(body: HandlingRecord, _staff: Officer) -> list[ResponsibleOut]:
        """Who is responsible for a wrong act, from who handled, reviewed, approved, decided."""
        return [ResponsibleOut.of(p) for p in responsible_parties(body)]

    return router
