"""Opening and re-timing a case's clocks; every new due date is published."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from huiyin_shared.contracts.events.case import CaseDeadlineSet
from huiyin_shared.contracts.events.common import ClockName
from huiyin_supervision.case_repository import CaseClock, ClockState
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.domain.deadlines import ClockSpec, compute
from huiyin_supervision.domain.explanation import Explanation
from huiyin_supervision.domain.timers import schedule
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork


def next_fire(
    ctx: CaseContext,
    *,
    start: date,
    due: date,
    periodic: bool,
    after: datetime | None,
) -> datetime | None:
    """The clock's first timer moment after what already fired; the sweep acts on it once
    it has passed (at once, if it already has)."""
    moments = schedule(ctx.office, start=start, due=due, periodic=periodic, config=ctx.timers)
    pending = [m for m in moments if after is None or m.at > after]
    return pending[0].at if pending else None


async def publish_deadline(
    uow: SupervisionUnitOfWork, case_id: uuid.UUID, explanation: Explanation, clock: ClockName
) -> None:
    await uow.publish(
        CaseDeadlineSet(
            case_id=case_id,
            clock=clock,
            due_date=explanation.due,
            counting_mode=explanation.counting_mode,
            provisional=explanation.provisional,
            rule_source=explanation.rule.source if explanation.rule else "calculator",
        ),
        subject=f"case:{case_id}",
    )


async def open_clock(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    *,
    case_id: uuid.UUID,
    spec: ClockSpec,
    periodic: bool,
    now: datetime,
) -> Explanation:
    explanation = compute(ctx.office, spec)
    uow.cases.add_clock(
        case_id=case_id,
        spec=spec,
        explanation=explanation,
        periodic=periodic,
        next_fire_at=next_fire(
            ctx, start=spec.start, due=explanation.due, periodic=periodic, after=None
        ),
    )
    await publish_deadline(uow, case_id, explanation, spec.clock)
    return explanation


async def retime(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    clock: CaseClock,
    spec: ClockSpec,
    *,
    explanation: Explanation | None = None,
    **values: object,
) -> Explanation:
    """Store a clock's new spec and due date, re-arm its timer, publish the new due date."""
    explanation = explanation or compute(ctx.office, spec)
    running = values.get("state", clock.state) == ClockState.RUNNING
    await uow.cases.update_clock(
        clock.case_id,
        clock.clock,
        spec=spec,
        due_date=explanation.due,
        explanation=explanation,
        provisional=explanation.provisional,
        next_fire_at=next_fire(
            ctx,
            start=spec.start,
            due=explanation.due,
            periodic=clock.periodic,
            after=clock.last_fired_at,
        )
        if running
        else None,
        **values,
    )
    await publish_deadline(uow, clock.case_id, explanation, clock.clock)
    return explanation
