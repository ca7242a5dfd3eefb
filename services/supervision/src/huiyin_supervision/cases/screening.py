"""Screening runs: periodic (every 15 days, once across replicas) and on demand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from huiyin_shared.calendar import CountingMode
from huiyin_shared.contracts.events.case import ScreeningFlagged
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.domain.screening import (
    SCREENING_PERIOD_DAYS,
    Finding,
    ScreeningRules,
    screen,
)
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

_EPOCH = date(2026, 1, 1)


def period_key(today: date) -> str:
    """The 15-day period ``today`` falls in: the periodic run's once-only key."""
    index = (today - _EPOCH).days // SCREENING_PERIOD_DAYS
    return f"P{(_EPOCH + timedelta(days=index * SCREENING_PERIOD_DAYS)).isoformat()}"


async def run_screening(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    *,
    now: datetime,
    run_key: str,
    owner_id: str,
    due_working_days: int,
    rules: ScreeningRules,
) -> list[Finding]:
    """Flag what the rules find; each new flag gets an owner and deadline and is published.

    A long-pending case goes to its leader in charge when routing named one.
    """
    petitions = await uow.screening.petitions_since(now - timedelta(days=rules.repeat_window_days))
    cases = await uow.screening.open_cases(
        opened_before=now - timedelta(days=rules.long_pending_days)
    )
    today = ctx.office.local_date(now)
    due = ctx.office.due_date(today, due_working_days, CountingMode.WORKING_DAYS).due
    flagged = []
    for finding in screen(petitions, cases, now=now, rules=rules, run_key=run_key):
        owner = finding.suggested_owner or owner_id
        stored = await uow.screening.add_flag(
            {
                "flag_id": finding.flag_id,
                "run_key": run_key,
                "category": finding.category.value,
                "office_id": finding.office_id,
                "summary": finding.summary,
                "petitioner_ref": finding.petitioner_ref,
                "subject_category": finding.subject_category,
                "petition_ids": [str(p) for p in finding.petition_ids],
                "case_ids": [str(c) for c in finding.case_ids],
                "owner_id": owner,
                "due_date": due,
                "flagged_at": now,
            }
        )
        if not stored:
            continue
        flagged.append(finding)
        await uow.publish(
            ScreeningFlagged(
                flag_id=finding.flag_id,
                category=finding.category,
                office_id=finding.office_id,
                summary=finding.summary,
                petitioner_ref=finding.petitioner_ref,
                subject_category=finding.subject_category,
                petition_ids=list(finding.petition_ids),
                case_ids=list(finding.case_ids),
                owner_id=owner,
                due_date=due,
                flagged_at=now,
            ),
            subject=f"screening:{finding.flag_id}",
        )
    return flagged


async def periodic_screening(
    uow: SupervisionUnitOfWork,
    ctx: CaseContext,
    *,
    now: datetime,
    owner_id: str,
    due_working_days: int,
    rules: ScreeningRules,
) -> int | None:
    """Run this period's screening if no replica has; the number flagged, or None."""
    key = period_key(ctx.office.local_date(now))
    if not await uow.screening.claim_run(key, at=now):
        return None
    found = await run_screening(
        uow,
        ctx,
        now=now,
        run_key=key,
        owner_id=owner_id,
        due_working_days=due_working_days,
        rules=rules,
    )
    return len(found)
