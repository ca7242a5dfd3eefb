"""What supervisors and leaders do: decide extensions, review results, close, supervise."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection
from datetime import date, datetime

from huiyin_shared.calendar import CountingMode
from huiyin_shared.contracts.events.case import (
    CaseClosed,
    CaseEscalated,
    CaseExtended,
    CaseExtensionRefused,
    CaseResultApproved,
    CaseReturnedForRedo,
    CaseSupervisionNoticeIssued,
    EscalationLevel,
    FinalBasis,
    ResultDefect,
    SupervisionGround,
)
from huiyin_shared.contracts.events.common import ClockName, ReviewTier
from huiyin_shared.errors import NotFound
from huiyin_shared.http.auth import Staff
from huiyin_supervision import metrics
from huiyin_supervision.case_repository import ClockState
from huiyin_supervision.cases.clocks import open_clock, retime
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.cases.handling import load, move, require_own_unit, resolve_clock
from huiyin_supervision.cases.notifying import start_notify_clock
from huiyin_supervision.cases.opening import make_final
from huiyin_supervision.domain.deadlines import LEADER_OWNED, NAME_OWNER, compute, spec_for
from huiyin_supervision.domain.lifecycle import (
    Action,
    CaseStatus,
    ExtensionState,
    check,
    check_extension_decision,
    refuse,
)
from huiyin_supervision.domain.notification import Occasion
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

LADDER = list(EscalationLevel)


async def decide_extension(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    approve: bool,
    reason: str,
    now: datetime,
) -> date:
    """A leader approves (the reason is told to the petitioner) or refuses; the due date."""
    case = await load(uow, case_id, staff)
    check(Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION, case.status)
    clock = await resolve_clock(uow, case)
    if clock is None:
        raise refuse("extension-not-requested", "No extension request is waiting for a decision.")
    days = check_extension_decision(
        ExtensionState(clock.extension_granted_days, clock.extension_pending_days, clock.due_date)
    )
    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    uow.cases.record(
        case_id,
        at=now,
        actor=staff.staff_id,
        action=action.value,
        detail={"days": days, "reason": reason},
    )
    if not approve:
        await uow.cases.update_clock(case_id, clock.clock, extension_pending_days=None)
        await uow.publish(
            CaseExtensionRefused(
                case_id=case_id,
                clock=clock.clock,
                reason=reason,
                refused_by=staff.staff_id,
                refused_at=now,
            ),
            subject=f"case:{case_id}",
        )
        return clock.due_date
    explanation = await retime(
        uow,
        ctx,
        clock,
        clock.spec.with_extension(days),
        extension_pending_days=None,
        extension_granted_days=days,
    )
    await uow.publish(
        CaseExtended(
            case_id=case_id,
            clock=clock.clock,
            days=days,
            new_due_date=explanation.due,
            reason_public=reason,
            approved_by=staff.staff_id,
            approved_at=now,
        ),
        subject=f"case:{case_id}",
    )
    return explanation.due


async def review_result(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    defects: Collection[ResultDefect],
    comment: str | None,
    now: datetime,
) -> bool:
    """The §6.3 checklist: no defect approves; any defect returns the result for redo."""
    case = await load(uow, case_id, staff)
    if not defects:
        await move(uow, case, Action.APPROVE_RESULT, staff=staff, now=now)
        await uow.publish(
            CaseResultApproved(case_id=case_id, reviewer_id=staff.staff_id, approved_at=now),
            subject=f"case:{case_id}",
        )
        return True
    found = sorted(defects)
    await move(
        uow,
        case,
        Action.RETURN_FOR_REDO,
        staff=staff,
        now=now,
        detail={"defects": [d.value for d in found], "comment": comment},
    )
    clock = await resolve_clock(uow, case)
    if clock is not None and clock.state == ClockState.MET:
        # The redo runs on the same time limit: the clock was met only provisionally.
        await retime(uow, ctx, clock, clock.spec, state=ClockState.RUNNING, met_at=None)
    await uow.publish(
        CaseReturnedForRedo(
            case_id=case_id,
            defects=found,
            comment=comment,
            reviewer_id=staff.staff_id,
            returned_at=now,
        ),
        subject=f"case:{case_id}",
    )
    return False


async def close(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    public_summary: str,
    now: datetime,
) -> None:
    """Closure (办结); a concluded re-review makes the matter final at once. The petitioner
    is then owed word within 3 days, on the notify_petitioner clock."""
    case = await load(uow, case_id, staff)
    status = await move(
        uow,
        case,
        Action.CLOSE,
        staff=staff,
        now=now,
        detail={"public_summary": public_summary},
        closed_at=now,
    )
    for clock in await uow.cases.clocks(case_id, lock=True):
        handling_clock = clock.clock is not ClockName.NOTIFY_PETITIONER
        if handling_clock and clock.state in (ClockState.RUNNING, ClockState.PAUSED):
            await uow.cases.update_clock(
                case_id, clock.clock, state=ClockState.MET, met_at=now, next_fire_at=None
            )
    await start_notify_clock(
        uow, ctx, case_id, role=case.role, occasion=Occasion.CLOSURE, at=now, now=now
    )
    seconds = (now - case.opened_at).total_seconds()
    uow.on_commit(lambda: metrics.TIME_TO_CLOSE.observe(seconds))
    await uow.publish(
        CaseClosed(
            case_id=case_id,
            petition_id=case.petition_id,
            closed_at=now,
            result_summary_public=public_summary,
        ),
        subject=f"case:{case_id}",
    )
    if case.review_tier == ReviewTier.RE_REVIEW.value:
        closed = dataclasses.replace(case, status=status)
        await make_final(uow, closed, basis=FinalBasis.RE_REVIEW_CONCLUDED, at=now)


async def issue_notice(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    ground: SupervisionGround,
    days: int,
    now: datetime,
) -> tuple[str, date]:
    """A numbered supervision notice (督办告知书) with a new deadline; a written answer is owed.

    The new deadline is ``days`` working days from today, on the case's resolve clock.
    """
    case = await load(uow, case_id, staff)
    check(Action.ISSUE_NOTICE, case.status)
    today = ctx.office.local_date(now)
    number = await uow.cases.next_notice_number(case.office_id, today.year)
    notice_number = f"DB-{case.office_id}-{today.year}-{number:04d}"
    clock = await resolve_clock(uow, case)
    if clock is not None:
        spec = dataclasses.replace(
            clock.spec,
            start=today,
            base_days=days,
            counting_mode=CountingMode.WORKING_DAYS,
            description=f"Supervision notice {notice_number}: new deadline, {days} working days",
            source="003 督办制度(四)(八)",
            start_basis=ctx.local_start_basis("Supervision notice issued", now),
            extension_days=0,
            paused_days=0,
        )
        explanation = compute(ctx.office, spec)
        # The new deadline replaces the missed one: the case is no longer overdue until it
        # passes too.
        await retime(uow, ctx, clock, spec, explanation=explanation, overdue_at=None)
        new_due = explanation.due
    else:
        new_due = ctx.office.due_date(today, days, CountingMode.WORKING_DAYS).due
    await uow.cases.add_notice(
        {
            "notice_number": notice_number,
            "case_id": case_id,
            "unit_id": case.unit.unit_id,
            "ground": ground.value,
            "new_due_date": new_due,
            "issued_at": now,
            "issued_by": staff.staff_id,
        }
    )
    uow.cases.record(
        case_id,
        at=now,
        actor=staff.staff_id,
        action=Action.ISSUE_NOTICE.value,
        detail={"notice_number": notice_number, "ground": ground.value},
    )
    uow.on_commit(metrics.NOTICES_ISSUED.inc)
    await uow.publish(
        CaseSupervisionNoticeIssued(
            notice_number=notice_number,
            case_id=case_id,
            unit=case.unit,
            ground=ground,
            new_due_date=new_due,
            issued_at=now,
            issued_by=staff.staff_id,
        ),
        subject=f"case:{case_id}",
    )
    return notice_number, new_due


class NoticeNotFound(NotFound):
    slug = "notice-not-found"
    title = "Supervision notice not found"


async def answer_notice(
    uow: SupervisionUnitOfWork, notice_number: str, *, staff: Staff, answer: str, now: datetime
) -> None:
    """The unit's written answer: reasons for the delay and the progress (003 督办制度(八))."""
    notice = await uow.cases.notice(notice_number)
    if notice is None:
        raise NoticeNotFound(f"no supervision notice {notice_number}")
    case = await load(uow, notice["case_id"], staff)
    require_own_unit(case, staff)
    if not await uow.cases.answer_notice(notice_number, answer=answer, at=now):
        raise refuse("notice-answered-once", "This supervision notice has already been answered.")
    uow.cases.record(
        case.case_id,
        at=now,
        actor=staff.staff_id,
        action="answer_notice",
        detail={"notice_number": notice_number, "answer": answer},
    )


async def escalate(
    uow: SupervisionUnitOfWork,
    case_id: uuid.UUID,
    *,
    to_level: EscalationLevel,
    reason: str,
    now: datetime,
    owner_id: str | None = None,
) -> bool:
    """Move responsibility up the ladder; never down, never twice to the same step."""
    case = await uow.cases.get(case_id, lock=True)
    if case is None or case.status not in _ESCALATABLE:
        return False
    current = EscalationLevel(case.escalation_level)
    if LADDER.index(to_level) <= LADDER.index(current):
        return False
    contacts = case.escalation
    if owner_id is None and contacts is not None:
        owner_id = {
            EscalationLevel.UNIT_HEAD: contacts.unit_head_id,
            EscalationLevel.LEADER_IN_CHARGE: contacts.leader_in_charge_id,
            EscalationLevel.LEADER_OWNERSHIP: case.owner_leader_id or contacts.top_leader_id,
        }.get(to_level)
    await uow.cases.update_case(case_id, escalation_level=to_level.value)
    uow.cases.record(
        case_id,
        at=now,
        actor="system",
        action="escalated",
        detail={"from": current.value, "to": to_level.value, "owner_id": owner_id},
    )
    await uow.publish(
        CaseEscalated(
            case_id=case_id,
            from_level=current,
            to_level=to_level,
            owner_id=owner_id,
            reason=reason,
            escalated_at=now,
        ),
        subject=f"case:{case_id}",
    )
    return True


_ESCALATABLE = frozenset(
    {
        CaseStatus.ASSIGNED,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.PAUSED,
        CaseStatus.RESULT_SUBMITTED,
        CaseStatus.RESULT_APPROVED,
    }
)


async def request_ownership(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    now: datetime,
) -> date:
    """Leader ownership is decided: the owner must be named within 5 working days."""
    case = await load(uow, case_id, staff)
    check(Action.REQUEST_OWNERSHIP, case.status)
    existing = await uow.cases.clock(case_id, ClockName.NAME_OWNER)
    if existing is not None:
        raise refuse("ownership-requested-once", "Leader ownership was already requested.")
    uow.cases.record(
        case_id, at=now, actor=staff.staff_id, action=Action.REQUEST_OWNERSHIP.value, detail={}
    )
    spec = spec_for(
        NAME_OWNER,
        start=ctx.office.local_date(now),
        start_basis=ctx.local_start_basis("Leader ownership decided", now),
    )
    explanation = await open_clock(uow, ctx, case_id=case_id, spec=spec, periodic=False, now=now)
    return explanation.due


async def assign_ownership(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    leader_id: str,
    now: datetime,
) -> date | None:
    """A leader owns the case to the end (包案): its resolve clock restarts on the
    leader-owned line (2 months, 000 第十九条)."""
    case = await load(uow, case_id, staff)
    check(Action.ASSIGN_OWNERSHIP, case.status)
    await uow.cases.update_case(case_id, owner_leader_id=leader_id)
    await escalate(
        uow,
        case_id,
        to_level=EscalationLevel.LEADER_OWNERSHIP,
        reason=f"Leader ownership (包案) assigned by {staff.staff_id}",
        now=now,
        owner_id=leader_id,
    )
    uow.cases.record(
        case_id,
        at=now,
        actor=staff.staff_id,
        action=Action.ASSIGN_OWNERSHIP.value,
        detail={"leader_id": leader_id},
    )
    naming = await uow.cases.clock(case_id, ClockName.NAME_OWNER, lock=True)
    if naming is not None and naming.state == ClockState.RUNNING:
        await uow.cases.update_clock(
            case_id, ClockName.NAME_OWNER, state=ClockState.MET, met_at=now, next_fire_at=None
        )
    clock = await resolve_clock(uow, case)
    if clock is None or clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
        return None
    spec = spec_for(
        LEADER_OWNED,
        start=ctx.office.local_date(now),
        start_basis=ctx.local_start_basis("Leader ownership assigned", now),
    )
    explanation = await retime(uow, ctx, clock, spec, extension_granted_days=0)
    return explanation.due
