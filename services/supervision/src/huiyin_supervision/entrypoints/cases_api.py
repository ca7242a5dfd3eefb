"""The staff API on cases: handling units, supervisors and leaders.

A unit's staff see and act on their own unit's cases only (another unit's case is "not
found"); supervisors and leaders see every case. No ``from __future__ import annotations``:
FastAPI must resolve the local ``UoW`` alias.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from huiyin_shared.clock import Clock
from huiyin_shared.contracts.events.common import ClockName
from huiyin_shared.http.auth import Staff, StaffRole, require_roles
from huiyin_supervision.cases import handling, notifying, supervising
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.cases.sweep import sweep
from huiyin_supervision.domain.lifecycle import CaseStatus
from huiyin_supervision.entrypoints.case_schemas import (
    AnswerIn,
    CaseDetailOut,
    CaseOut,
    ClockOut,
    CloseIn,
    DueOut,
    ExtensionDecisionIn,
    ExtensionIn,
    HistoryOut,
    NoteIn,
    NoticeIn,
    NoticeIssuedOut,
    NoticeOut,
    OwnershipIn,
    PetitionerToldIn,
    PetitionerToldOut,
    ReasonIn,
    ResultIn,
    ReviewIn,
    SweepOut,
)
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

R = StaffRole
UNIT = (R.HANDLER, R.UNIT_HEAD)
OVERSIGHT = (R.SUPERVISOR, R.LEADER)


def build_cases_router(  # noqa: PLR0915 (one thin statement pair per route)
    uow_factory: Callable[[], SupervisionUnitOfWork], *, ctx: CaseContext, clock: Clock
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["cases"])

    async def unit_of_work() -> AsyncIterator[SupervisionUnitOfWork]:
        async with uow_factory() as uow:
            yield uow

    UoW = Annotated[SupervisionUnitOfWork, Depends(unit_of_work)]  # noqa: N806 (a type)
    UnitStaff = Annotated[Staff, Depends(require_roles(*UNIT))]  # noqa: N806
    AnyStaff = Annotated[Staff, Depends(require_roles(*UNIT, *OVERSIGHT))]  # noqa: N806
    Supervisor = Annotated[Staff, Depends(require_roles(R.SUPERVISOR))]  # noqa: N806
    UnitOrSupervisor = Annotated[Staff, Depends(require_roles(*UNIT, R.SUPERVISOR))]  # noqa: N806
    Leader = Annotated[Staff, Depends(require_roles(R.LEADER))]  # noqa: N806
    Oversight = Annotated[Staff, Depends(require_roles(*OVERSIGHT))]  # noqa: N806
    done = Response(status_code=204)

    @router.get("/cases", response_model=list[CaseOut])
    async def list_cases(
        *,
        uow: UoW,
        staff: AnyStaff,
        status: CaseStatus | None = None,
        overdue: bool = False,
        unit_id: Annotated[str | None, Query(description="Supervisors: one unit.")] = None,
        petition_id: Annotated[
            uuid.UUID | None, Query(description="The cases of one petition.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[CaseOut]:
        """Cases, oldest first; a unit's staff see only their unit's."""
        unit = unit_id if staff.has(*OVERSIGHT) else staff.unit_id
        found = await uow.cases.search(
            unit_id=unit,
            petition_id=petition_id,
            status=status,
            overdue_only=overdue,
            limit=limit,
            offset=offset,
        )
        return [CaseOut.of(case) for case in found]

    @router.get("/cases/{case_id}", response_model=CaseDetailOut)
    async def get_case(case_id: uuid.UUID, uow: UoW, staff: AnyStaff) -> CaseDetailOut:
        """The case with its clocks (each due date explained), history and notices."""
        case = await handling.load(uow, case_id, staff, lock=False)
        return CaseDetailOut(
            **CaseOut.of(case).model_dump(),
            clocks=[ClockOut.of(c) for c in await uow.cases.clocks(case_id)],
            history=[
                HistoryOut(at=h["at"], actor=h["actor"], action=h["action"], detail=h["detail"])
                for h in await uow.cases.history(case_id)
            ],
            notices=[NoticeOut.model_validate(dict(n)) for n in await uow.cases.notices(case_id)],
        )

    @router.post("/cases/{case_id}/accept", status_code=204)
    async def accept(case_id: uuid.UUID, uow: UoW, staff: UnitStaff) -> Response:
        """The unit accepts the case; the caller becomes its handler."""
        await handling.accept(uow, case_id, staff=staff, now=clock.now())
        await uow.commit()
        return done

    @router.post("/cases/{case_id}/return", status_code=204)
    async def return_case(
        case_id: uuid.UUID, body: ReasonIn, uow: UoW, staff: UnitStaff
    ) -> Response:
        """Not competent: back to routing (case.returned_by_unit)."""
        await handling.return_by_unit(
            uow, case_id, staff=staff, reason=body.reason, now=clock.now()
        )
        await uow.commit()
        return done

    @router.post("/cases/{case_id}/progress", status_code=204)
    async def progress(case_id: uuid.UUID, body: NoteIn, uow: UoW, staff: UnitStaff) -> Response:
        await handling.add_progress(uow, case_id, staff=staff, note=body.note, now=clock.now())
        await uow.commit()
        return done

    @router.post("/cases/{case_id}/extension-request", status_code=204)
    async def request_extension(
        case_id: uuid.UUID, body: ExtensionIn, uow: UoW, staff: UnitStaff
    ) -> Response:
        """At most 30 days, once, before the time limit expires; a leader decides."""
        await handling.request_extension(
            uow, ctx, case_id, staff=staff, days=body.days, reason=body.reason, now=clock.now()
        )
        await uow.commit()
        return done

    @router.post("/cases/{case_id}/extension-decision", response_model=ClockOut)
    async def decide_extension(
        case_id: uuid.UUID, body: ExtensionDecisionIn, uow: UoW, staff: Leader
    ) -> ClockOut:
        """A leader approves (reason published to the petitioner) or refuses."""
        await supervising.decide_extension(
            uow,
            ctx,
            case_id,
            staff=staff,
            approve=body.approve,
            reason=body.reason,
            now=clock.now(),
        )
        await uow.commit()
        return await _resolve_out(uow, case_id)

    @router.post("/cases/{case_id}/pause", status_code=204)
    async def pause(case_id: uuid.UUID, uow: UoW, staff: AnyStaff) -> Response:
        """A hearing starts: the clocks stop (hearing time is not counted)."""
        await handling.pause(uow, ctx, case_id, staff=staff, now=clock.now())
        await uow.commit()
        return done

    @router.post("/cases/{case_id}/resume", response_model=list[ClockOut])
    async def resume(case_id: uuid.UUID, uow: UoW, staff: AnyStaff) -> list[ClockOut]:
        """The hearing ended: clocks run again, due dates moved by the days paused."""
        await handling.resume(uow, ctx, case_id, staff=staff, now=clock.now())
        await uow.commit()
        return [ClockOut.of(c) for c in await uow.cases.clocks(case_id)]

    @router.post("/cases/{case_id}/result", status_code=204)
    async def submit_result(
        case_id: uuid.UUID, body: ResultIn, uow: UoW, staff: UnitStaff
    ) -> Response:
        """The handling opinion goes to review."""
        await handling.submit_result(
            uow, case_id, staff=staff, handling_opinion=body.handling_opinion, now=clock.now()
        )
        await uow.commit()
        return done

    @router.post("/cases/{case_id}/review", response_model=CaseOut)
    async def review(case_id: uuid.UUID, body: ReviewIn, uow: UoW, staff: Supervisor) -> CaseOut:
        """Check the result against §6.3; any failed item returns it for redo."""
        await supervising.review_result(
            uow,
            ctx,
            case_id,
            staff=staff,
            defects=body.checklist.defects(),
            comment=body.comment,
            now=clock.now(),
        )
        await uow.commit()
        return CaseOut.of(await handling.load(uow, case_id, staff, lock=False))

    @router.post("/cases/{case_id}/close", status_code=204)
    async def close(case_id: uuid.UUID, body: CloseIn, uow: UoW, staff: Supervisor) -> Response:
        """Closure; the lead unit then owes the petitioner word within 3 days."""
        await supervising.close(
            uow, ctx, case_id, staff=staff, public_summary=body.public_summary, now=clock.now()
        )
        await uow.commit()
        return done

    @router.post("/cases/{case_id}/petitioner-told", response_model=PetitionerToldOut)
    async def petitioner_told(
        case_id: uuid.UUID, body: PetitionerToldIn, uow: UoW, staff: UnitOrSupervisor
    ) -> PetitionerToldOut:
        """The petitioner was told of the closure or transfer: how, when; meets the clock."""
        told = await notifying.record_told(
            uow,
            ctx,
            case_id,
            staff=staff,
            channel=body.channel,
            told_at=body.told_at,
            note=body.note,
            now=clock.now(),
        )
        await uow.commit()
        return PetitionerToldOut(due_date=told.due_date, on_time=told.on_time)

    @router.post(
        "/cases/{case_id}/supervision-notices", response_model=NoticeIssuedOut, status_code=201
    )
    async def issue_notice(
        case_id: uuid.UUID, body: NoticeIn, uow: UoW, staff: Oversight
    ) -> NoticeIssuedOut:
        """A numbered notice with a new deadline; the unit owes a written answer."""
        number, due = await supervising.issue_notice(
            uow, ctx, case_id, staff=staff, ground=body.ground, days=body.days, now=clock.now()
        )
        await uow.commit()
        return NoticeIssuedOut(notice_number=number, new_due_date=due)

    @router.post("/supervision-notices/{notice_number}/answer", status_code=204)
    async def answer_notice(
        notice_number: str, body: AnswerIn, uow: UoW, staff: UnitStaff
    ) -> Response:
        """The unit's written answer: reasons for the delay and the progress."""
        await supervising.answer_notice(
            uow, notice_number, staff=staff, answer=body.answer, now=clock.now()
        )
        await uow.commit()
        return done

    @router.post("/cases/{case_id}/ownership-request", response_model=DueOut, status_code=201)
    async def request_ownership(case_id: uuid.UUID, uow: UoW, staff: Oversight) -> DueOut:
        """Leader ownership (包案) is decided: the owner is to be named in 5 working days."""
        due = await supervising.request_ownership(uow, ctx, case_id, staff=staff, now=clock.now())
        await uow.commit()
        return DueOut(due_date=due)

    @router.post("/cases/{case_id}/ownership", response_model=CaseOut)
    async def assign_ownership(
        case_id: uuid.UUID, body: OwnershipIn, uow: UoW, staff: Oversight
    ) -> CaseOut:
        """A leader owns the case to the end (包案), on its own 2-month clock."""
        await supervising.assign_ownership(
            uow, ctx, case_id, staff=staff, leader_id=body.leader_id, now=clock.now()
        )
        await uow.commit()
        return CaseOut.of(await handling.load(uow, case_id, staff, lock=False))

    @router.post("/timers/sweep", response_model=SweepOut)
    async def sweep_now(
        uow: UoW, _staff: Annotated[Staff, Depends(require_roles(R.SUPERVISOR, R.ADMIN))]
    ) -> SweepOut:
        """Act on the due timers now (the background sweep does this every few seconds)."""
        fired = await sweep(uow, ctx, now=clock.now())
        await uow.commit()
        return SweepOut(timers_fired=fired)

    async def _resolve_out(uow: SupervisionUnitOfWork, case_id: uuid.UUID) -> ClockOut:
        clocks = await uow.cases.clocks(case_id)
        # The clock an extension applies to: resolve, or a review tier's own.
        side = (ClockName.NAME_OWNER, ClockName.NOTIFY_PETITIONER)
        return ClockOut.of(next(c for c in clocks if c.clock not in side))

    return router
