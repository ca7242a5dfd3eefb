"""The timer sweep and the calendar recomputation.

Timers are rows: a clock's ``next_fire_at``. A sweep locks the due rows with
``FOR UPDATE SKIP LOCKED`` (several replicas share the work, none acts twice), acts on each
and sets its next moment, all in the transaction that writes the events to the outbox. A
restart loses nothing: what was not committed is simply due again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from huiyin_shared.contracts.events.case import CaseOverdue, CaseReminderSent
from huiyin_supervision import metrics
from huiyin_supervision.case_repository import Case, CaseClock, ClockState
from huiyin_supervision.cases.clocks import next_fire, publish_deadline
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.cases.supervising import escalate
from huiyin_supervision.db import case_clocks, cases
from huiyin_supervision.domain.deadlines import compute
from huiyin_supervision.domain.timers import TimerKind, plan, schedule
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork


async def sweep(
    uow: SupervisionUnitOfWork, ctx: CaseContext, *, now: datetime, limit: int = 500
) -> int:
    """Act on up to ``limit`` due timers; the number of clocks handled.

    A clock whose escalation needs its case while a staff action holds it is left due for
    the next sweep: the sweep never waits for a case lock while holding clock locks, the
    reverse of the order staff actions take them, so the two never deadlock.
    """
    due = await uow.cases.claim_due(now=now, limit=limit)
    handled = 0
    for clock, case in due:
        handled += await _fire(uow, ctx, clock, case, now=now)
    return handled


async def _fire(
    uow: SupervisionUnitOfWork, ctx: CaseContext, clock: CaseClock, case: Case, *, now: datetime
) -> bool:
    moments = schedule(
        ctx.office,
        start=clock.spec.start,
        due=clock.due_date,
        periodic=clock.periodic,
        config=ctx.timers,
    )
    firing = plan(moments, after=clock.last_fired_at, now=now)
    if any(m.kind is TimerKind.ESCALATE for m in firing.fire):
        locked = await uow.cases.try_lock(clock.case_id)
        if locked is None:
            return False
        case = locked
    reminders = clock.reminders_sent
    overdue_at = clock.overdue_at
    for moment in firing.fire:
        uow.on_commit(metrics.TIMERS_FIRED.labels(kind=moment.kind.value).inc)
        if moment.kind.is_reminder:
            reminders += 1
            uow.on_commit(metrics.REMINDERS_SENT.inc)
            await uow.publish(
                CaseReminderSent(
                    case_id=case.case_id,
                    unit=case.unit,
                    clock=clock.clock,
                    due_date=clock.due_date,
                    sequence=reminders,
                    sent_at=now,
                ),
                subject=f"case:{case.case_id}",
            )
        elif moment.kind is TimerKind.OVERDUE:
            overdue_at = overdue_at or now
            await uow.publish(
                CaseOverdue(
                    case_id=case.case_id,
                    unit=case.unit,
                    clock=clock.clock,
                    due_date=clock.due_date,
                    explanation_filed=await _explained(uow, clock),
                    detected_at=now,
                ),
                subject=f"case:{case.case_id}",
            )
        elif moment.level is not None:
            await escalate(
                uow,
                case.case_id,
                to_level=moment.level,
                reason=f"The {clock.clock.value} clock is overdue since {clock.due_date}",
                now=now,
            )
    await uow.cases.update_clock(
        clock.case_id,
        clock.clock,
        reminders_sent=reminders,
        overdue_at=overdue_at,
        last_fired_at=now,
        next_fire_at=firing.next_at,
    )
    return True


async def _explained(uow: SupervisionUnitOfWork, clock: CaseClock) -> bool:
    """A written answer to a supervision notice counts as the explanation of the delay."""
    rows = await uow.cases.notices(clock.case_id)
    return any(row["answered_at"] is not None for row in rows)


@dataclass(frozen=True, slots=True)
class Recomputed:
    examined: int
    changed: int


async def recompute_page(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    *,
    after: tuple[object, str] | None,
    limit: int = 500,
    provisional_only: bool = False,
) -> tuple[Recomputed, tuple[object, str] | None]:
    """Recompute one page of running due dates on the current calendar.

    A due date that moved, or whose provisional flag changed (next year's notice loaded),
    is stored, its timer re-armed and the change published as ``case.deadline_set``.
    Returns the page's figures and the key to continue after (None when done).
    """
    page = await uow.cases.running_clocks_after(
        None if after is None else after[0],  # type: ignore[arg-type]
        None if after is None else after[1],
        limit=limit,
        provisional_only=provisional_only,
    )
    changed = 0
    for clock in page:
        explanation = compute(ctx.office, clock.spec)
        if explanation.due == clock.due_date and explanation.provisional == clock.provisional:
            continue
        changed += 1
        await uow.cases.update_clock(
            clock.case_id,
            clock.clock,
            due_date=explanation.due,
            explanation=explanation,
            provisional=explanation.provisional,
            next_fire_at=next_fire(
                ctx,
                start=clock.spec.start,
                due=explanation.due,
                periodic=clock.periodic,
                after=clock.last_fired_at,
            )
            if clock.state == ClockState.RUNNING
            else None,
        )
        await publish_deadline(uow, clock.case_id, explanation, clock.clock)
    last = page[-1] if len(page) == limit else None
    return Recomputed(len(page), changed), (
        None if last is None else (last.case_id, last.clock.value)
    )


async def refresh_gauges(uow: SupervisionUnitOfWork, *, open_statuses: list[str]) -> None:
    """The business gauges: open and overdue cases per unit, provisional due dates."""
    session = uow.session
    metrics.CASES_OPEN.clear()
    metrics.CASES_OVERDUE.clear()
    rows = await session.execute(
        select(cases.c.unit_id, func.count())
        .where(cases.c.status.in_(open_statuses))
        .group_by(cases.c.unit_id)
    )
    for unit_id, count in rows:
        metrics.CASES_OPEN.labels(unit=unit_id).set(count)
    running = case_clocks.c.state.in_([ClockState.RUNNING, ClockState.PAUSED])
    rows = await session.execute(
        select(cases.c.unit_id, func.count(func.distinct(cases.c.case_id)))
        .join(case_clocks, case_clocks.c.case_id == cases.c.case_id)
        .where(running, case_clocks.c.overdue_at.is_not(None))
        .group_by(cases.c.unit_id)
    )
    for unit_id, count in rows:
        metrics.CASES_OVERDUE.labels(unit=unit_id).set(count)
    provisional = await session.execute(
        select(func.count()).select_from(case_clocks).where(running, case_clocks.c.provisional)
    )
    metrics.DEADLINES_PROVISIONAL.set(provisional.scalar_one())
