"""Telling the petitioner of the closure or the transfer, on its own 3-day clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from huiyin_shared.contracts.events.common import CaseRole, ClockName
from huiyin_shared.http.auth import Staff
from huiyin_supervision.case_repository import ClockState
from huiyin_supervision.cases.clocks import next_fire, open_clock, publish_deadline
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.cases.handling import OVERSIGHT, load, require_own_unit
from huiyin_supervision.domain.deadlines import NOTIFY_PETITIONER, compute, spec_for
from huiyin_supervision.domain.lifecycle import refuse
from huiyin_supervision.domain.notification import NotifyChannel, Occasion, check_notification
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork


async def start_notify_clock(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    role: str,
    occasion: Occasion,
    at: datetime,
    now: datetime,
) -> None:
    """The lead unit owes the petitioner word within 3 days (003 督办制度(六)); a
    participating unit's part reaches the petitioner through the lead's reply."""
    if role != CaseRole.LEAD.value:
        return
    what = "Case closed" if occasion is Occasion.CLOSURE else "Petition transferred"
    spec = spec_for(
        NOTIFY_PETITIONER,
        start=ctx.office.local_date(at),
        start_basis=ctx.local_start_basis(what, at),
    )
    existing = await uow.cases.clock(case_id, ClockName.NOTIFY_PETITIONER, lock=True)
    if existing is None:
        await open_clock(uow, ctx, case_id=case_id, spec=spec, periodic=False, now=now)
        return
    if existing.state == ClockState.RUNNING:
        return  # word of the transfer is still owed, by an earlier date: that clock stands
    # A transferred petition whose case is later closed: the petitioner, told of the
    # transfer, is now owed word of the closure, on a fresh clock.
    explanation = compute(ctx.office, spec)
    await uow.cases.update_clock(
        case_id,
        ClockName.NOTIFY_PETITIONER,
        spec=spec,
        due_date=explanation.due,
        explanation=explanation,
        provisional=explanation.provisional,
        state=ClockState.RUNNING,
        met_at=None,
        overdue_at=None,
        paused_on=None,
        reminders_sent=0,
        last_fired_at=None,
        next_fire_at=next_fire(
            ctx, start=spec.start, due=explanation.due, periodic=False, after=None
        ),
    )
    await publish_deadline(uow, case_id, explanation, ClockName.NOTIFY_PETITIONER)


@dataclass(frozen=True, slots=True)
class Told:
    due_date: date
    on_time: bool


async def record_told(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    case_id: uuid.UUID,
    *,
    staff: Staff,
    channel: NotifyChannel,
    told_at: datetime,
    note: str | None,
    now: datetime,
) -> Told:
    """The petitioner was told: how, when and by whom; the clock is met (late, if it is)."""
    case = await load(uow, case_id, staff)
    if not staff.has(*OVERSIGHT):
        require_own_unit(case, staff)
    clock = await uow.cases.clock(case_id, ClockName.NOTIFY_PETITIONER, lock=True)
    if clock is None:
        raise refuse(
            "notify-after-closure-or-transfer",
            "The petitioner is told once the case is closed or the petition transferred; "
            "nothing is owed on this case yet.",
        )
    if clock.state != ClockState.RUNNING:
        raise refuse("told-once", "The petitioner's notification is already recorded.")
    occasion = Occasion.TRANSFER if case.closed_at is None else Occasion.CLOSURE
    told_on = ctx.office.local_date(told_at)
    check_notification(
        channel,
        anonymous=case.anonymous,
        collective=case.collective,
        occasion=occasion,
        told_at=told_at,
        told_on=told_on,
        clock_start=clock.spec.start,
        now=now,
    )
    await uow.cases.update_clock(
        case_id,
        ClockName.NOTIFY_PETITIONER,
        state=ClockState.MET,
        met_at=told_at,
        next_fire_at=None,
    )
    on_time = told_on <= clock.due_date
    uow.cases.record(
        case_id,
        at=now,
        actor=staff.staff_id,
        action="petitioner_told",
        detail={
            "occasion": occasion.value,
            "channel": channel.value,
            "told_at": told_at.astimezone(UTC).isoformat(),
            "told_by": staff.staff_id,
            "note": note,
            "on_time": on_time,
        },
    )
    return Told(due_date=clock.due_date, on_time=on_time)
