"""What handling units do with a case: accept, return, note progress, extend, pause, submit."""

from __future__ import annotations

import uuid
from datetime import datetime

from huiyin_shared.contracts.events.case import (
    CaseAcceptedByUnit,
    CaseExtensionRequested,
    CasePaused,
    CaseResultSubmitted,
    CaseResumed,
    PauseReason,
)
from huiyin_shared.contracts.events.common import ClockName
from huiyin_shared.contracts.events.routing import CaseReturnedByUnit
from huiyin_shared.errors import Forbidden, NotFound
from huiyin_shared.http.auth import Staff, StaffRole
from huiyin_supervision.case_repository import Case, CaseClock, ClockState
from huiyin_supervision.cases.clocks import retime
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.domain.deadlines import paused_days
from huiyin_supervision.domain.lifecycle import (
    Action,
    CaseStatus,
    ExtensionState,
    check,
    check_extension_request,
    refuse,
)
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

OVERSIGHT = frozenset({StaffRole.SUPERVISOR, StaffRole.LEADER})
"""Roles that see and act on every unit's cases."""


class CaseNotFound(NotFound):
    slug = "case-not-found"
    title = "Case not found"


async def load(
    uow: SupervisionUnitOfWork, case_id: uuid.UUID, staff: Staff, *, lock: bool = True
) -> Case:
    """The case, locked for the change; a unit sees only its own cases (others: not found)."""
    case = await uow.cases.get(case_id, lock=lock)
    if case is None or not visible(case, staff):
        raise CaseNotFound(f"no case {case_id}")
    return case


def visible(case: Case, staff: Staff) -> bool:
    return staff.has(*OVERSIGHT) or case.unit.unit_id == staff.unit_id


def require_own_unit(case: Case, staff: Staff) -> None:
    if case.unit.unit_id != staff.unit_id:
        raise Forbidden("only the handling unit acts on its case")


async def resolve_clock(uow: SupervisionUnitOfWork, case: Case) -> CaseClock | None:
    """The clock the unit's result answers (resolve, or a review tier's own), locked."""
    clock = await uow.cases.clock(case.case_id, ClockName.RESOLVE, lock=True)
    if clock is None:
        clock = await uow.cases.clock(case.case_id, ClockName.REVIEW, lock=True)
    if clock is None:
        clock = await uow.cases.clock(case.case_id, ClockName.RE_REVIEW, lock=True)
    return clock


async def move(
    uow: SupervisionUnitOfWork,
    case: Case,
    action: Action,
    *,
    staff: Staff,
    now: datetime,
    detail: dict[str, object] | None = None,
    **values: object,
) -> CaseStatus:
    """Apply a legal transition and record who made it; refused with its rule otherwise."""
    status = check(action, case.status)
    await uow.cases.update_case(case.case_id, status=status.value, **values)
    uow.cases.record(
        case.case_id, at=now, actor=staff.staff_id, action=action.value, detail=detail or {}
    )
    return status


async def accept(
    uow: SupervisionUnitOfWork, case_id: uuid.UUID, *, staff: Staff, now: datetime
) -> None:
    case = await load(uow, case_id, staff)
    require_own_unit(case, staff)
    await move(uow, case, Action.ACCEPT, staff=staff, now=now, handler_id=staff.staff_id)
    await uow.publish(
        CaseAcceptedByUnit(
            case_id=case_id, unit=case.unit, handler_id=staff.staff_id, accepted_at=now
        ),
        subject=f"case:{case_id}",
    )


async def return_by_unit(
    uow: SupervisionUnitOfWork, case_id: uuid.UUID, *, staff: Staff, reason: str, now: datetime
) -> None:
    """Not competent: the case goes back to routing, its clocks stop."""
    case = await load(uow, case_id, staff)
    require_own_unit(case, staff)
    await move(
        uow,
        case,
        Action.RETURN_BY_UNIT,
        staff=staff,
        now=now,
        detail={"reason": reason},
        closed_at=now,
    )
    for clock in await uow.cases.clocks(case_id, lock=True):
        await uow.cases.update_clock(
            case_id, clock.clock, state=ClockState.STOPPED, next_fire_at=None
        )
    await uow.publish(
        CaseReturnedByUnit(
            case_id=case_id,
            petition_id=case.petition_id,
            unit=case.unit,
            reason=reason,
            returned_at=now,
            returned_by=staff.staff_id,
        ),
        subject=f"petition:{case.petition_id}",
    )


async def add_progress(
    uow: SupervisionUnitOfWork, case_id: uuid.UUID, *, staff: Staff, note: str, now: datetime
) -> None:
    case = await load(uow, case_id, staff)
    require_own_unit(case, staff)
    await move(uow, case, Action.ADD_PROGRESS, staff=staff, now=now, detail={"note": note})


async def request_extension(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    days: int,
    reason: str,
    now: datetime,
) -> None:
    case = await load(uow, case_id, staff)
    require_own_unit(case, staff)
    check(Action.REQUEST_EXTENSION, case.status)
    clock = await resolve_clock(uow, case)
    if clock is None:
        raise refuse("extension-needs-a-time-limit", "This case has no time limit to extend.")
    check_extension_request(
        ExtensionState(clock.extension_granted_days, clock.extension_pending_days, clock.due_date),
        days=days,
        today=ctx.office.local_date(now),
    )
    await uow.cases.update_clock(case_id, clock.clock, extension_pending_days=days)
    uow.cases.record(
        case_id,
        at=now,
        actor=staff.staff_id,
        action=Action.REQUEST_EXTENSION.value,
        detail={"days": days, "reason": reason},
    )
    await uow.publish(
        CaseExtensionRequested(
            case_id=case_id,
            clock=clock.clock,
            days=days,
            reason=reason,
            requested_at=now,
            requested_by=staff.staff_id,
        ),
        subject=f"case:{case_id}",
    )


async def pause(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    now: datetime,
) -> None:
    """A hearing stops the clocks (its time is not counted, 001 复查时限)."""
    case = await load(uow, case_id, staff)
    if not staff.has(*OVERSIGHT):
        require_own_unit(case, staff)
    await move(uow, case, Action.PAUSE, staff=staff, now=now, detail={"reason": "hearing"})
    today = ctx.office.local_date(now)
    for clock in await uow.cases.clocks(case_id, lock=True):
        if clock.state == ClockState.RUNNING:
            await uow.cases.update_clock(
                case_id, clock.clock, state=ClockState.PAUSED, paused_on=today, next_fire_at=None
            )
    await uow.publish(
        CasePaused(case_id=case_id, reason=PauseReason.HEARING, paused_at=now),
        subject=f"case:{case_id}",
    )


async def resume(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    now: datetime,
) -> None:
    """The clocks run again, their due dates moved by the days paused."""
    case = await load(uow, case_id, staff)
    if not staff.has(*OVERSIGHT):
        require_own_unit(case, staff)
    await move(uow, case, Action.RESUME, staff=staff, now=now)
    await uow.publish(CaseResumed(case_id=case_id, resumed_at=now), subject=f"case:{case_id}")
    today = ctx.office.local_date(now)
    for clock in await uow.cases.clocks(case_id, lock=True):
        if clock.state != ClockState.PAUSED or clock.paused_on is None:
            continue
        spec = clock.spec.with_pause(
            paused_days(ctx.office, clock.spec, paused=clock.paused_on, resumed=today)
        )
        await retime(uow, ctx, clock, spec, state=ClockState.RUNNING, paused_on=None)


async def submit_result(
    uow: SupervisionUnitOfWork,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    handling_opinion: str,
    now: datetime,
) -> None:
    """The handling opinion (处理意见书) meets the resolve clock, pending review."""
    case = await load(uow, case_id, staff)
    require_own_unit(case, staff)
    await move(
        uow,
        case,
        Action.SUBMIT_RESULT,
        staff=staff,
        now=now,
        detail={"handling_opinion": handling_opinion},
        result_summary=handling_opinion,
    )
    clock = await resolve_clock(uow, case)
    if clock is not None and clock.state == ClockState.RUNNING:
        await uow.cases.update_clock(
            case_id, clock.clock, state=ClockState.MET, met_at=now, next_fire_at=None
        )
    await uow.publish(
        CaseResultSubmitted(
            case_id=case_id,
            petition_id=case.petition_id,
            result_summary=handling_opinion,
            submitted_by=staff.staff_id,
            submitted_at=now,
        ),
        subject=f"case:{case_id}",
    )
