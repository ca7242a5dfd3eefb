"""The accountability procedure's use cases: load the case, apply a step, save, publish."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.procedure import CaseRecord, Decision, Proposal
from huiyin_accountability.domain.sanctions import Circumstance
from huiyin_accountability.metrics import STEPS_OVERDUE, on_commit
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.contracts.events.accountability import (
    AccountabilityAppealDecided,
    AccountabilityAppealed,
    AccountabilityDecided,
    AccountabilityServed,
    AccountabilityStepOverdue,
    AppealOutcome,
    SubjectDecision,
)
from huiyin_shared.errors import NotFound

ONE_YEAR = timedelta(days=365)


class CaseNotFound(NotFound):
    slug = "accountability-case-not-found"
    title = "Accountability case not found"


def _subject(case_id: uuid.UUID) -> str:
    return f"accountability_case:{case_id}"


async def load(uow: AccountabilityUnitOfWork, case_id: uuid.UUID) -> tuple[CaseRecord, int]:
    found = await uow.cases.get(case_id)
    if found is None:
        raise CaseNotFound(f"no accountability case {case_id}")
    return found


async def apply(
    uow: AccountabilityUnitOfWork,
    case_id: uuid.UUID,
    step: Callable[[CaseRecord], CaseRecord],
    *,
    now: datetime,
) -> CaseRecord:
    """Apply one step; a refused step raises before anything is written."""
    record, version = await load(uow, case_id)
    changed = step(record)
    await uow.cases.save(changed, version=version, now=now)
    return changed


async def detect_repeats(
    uow: AccountabilityUnitOfWork, record: CaseRecord, proposals: list[Proposal], *, now: datetime
) -> list[Proposal]:
    """Add "two or more accountabilities within one year" where the record shows it.

    Counting this case as one, a single earlier sanction within the year makes two.
    """
    result = []
    for proposal in proposals:
        earlier = await uow.cases.accountabilities_since(
            kind=proposal.subject.kind,
            subject_id=proposal.subject.id,
            since=now - ONE_YEAR,
            excluding=record.case_id,
        )
        repeated = Circumstance.REPEATED_WITHIN_ONE_YEAR
        if earlier >= 1 and repeated not in proposal.circumstances:
            extra = (*proposal.circumstances, repeated)
            result.append(proposal.model_copy(update={"circumstances": extra}))
        else:
            result.append(proposal)
    return result


def _contract(decision: Decision) -> SubjectDecision:
    return SubjectDecision(
        subject_kind=decision.subject.kind,
        subject_id=decision.subject.id,
        outcome=decision.outcome,
        severity=decision.severity,
        sanction_codes=list(decision.sanctions),
    )


async def decide(
    uow: AccountabilityUnitOfWork,
    *,
    case_id: uuid.UUID,
    decisions: list[Decision],
    decided_by: str,
    now: datetime,
    office: Office,
) -> CaseRecord:
    on = office.local_date(now)
    record = await apply(
        uow,
        case_id,
        lambda r: r.decide(
            decisions=decisions, decided_by=decided_by, on=on, calendar=office.calendar
        ),
        now=now,
    )
    for decision in record.decisions:
        await uow.cases.record_sanction(
            case_id=case_id,
            kind=decision.subject.kind,
            subject_id=decision.subject.id,
            outcome=decision.outcome,
            severity=decision.severity.value if decision.severity else None,
            decided_at=now,
        )
    assert record.service_due is not None
    await uow.publish(
        AccountabilityDecided(
            accountability_case_id=case_id,
            decisions=[_contract(d) for d in record.decisions],
            decided_at=now,
            service_due=record.service_due,
        ),
        subject=_subject(case_id),
    )
    return record


async def serve(
    uow: AccountabilityUnitOfWork, *, case_id: uuid.UUID, now: datetime, office: Office
) -> CaseRecord:
    on = office.local_date(now)
    record = await apply(uow, case_id, lambda r: r.serve(on=on, calendar=office.calendar), now=now)
    assert record.appeal_due is not None
    await uow.publish(
        AccountabilityServed(
            accountability_case_id=case_id, served_at=now, appeal_due=record.appeal_due
        ),
        subject=_subject(case_id),
    )
    return record


async def appeal(
    uow: AccountabilityUnitOfWork,
    *,
    case_id: uuid.UUID,
    subject_key: str,
    now: datetime,
    office: Office,
) -> CaseRecord:
    on = office.local_date(now)
    record = await apply(
        uow,
        case_id,
        lambda r: r.appeal(subject_key=subject_key, on=on, calendar=office.calendar),
        now=now,
    )
    lodged = record.appeal_of(subject_key)
    assert lodged is not None
    subject = record.subject(subject_key)
    await uow.publish(
        AccountabilityAppealed(
            accountability_case_id=case_id,
            subject_kind=subject.kind,
            subject_id=subject.id,
            appealed_at=now,
            decision_due=lodged.decision_due,
        ),
        subject=_subject(case_id),
    )
    return record


async def decide_appeal(
    uow: AccountabilityUnitOfWork,
    *,
    case_id: uuid.UUID,
    subject_key: str,
    outcome: AppealOutcome,
    amended: Decision | None,
    reason: str,
    now: datetime,
    office: Office,
) -> CaseRecord:
    on = office.local_date(now)
    record = await apply(
        uow,
        case_id,
        lambda r: r.decide_appeal(
            subject_key=subject_key, outcome=outcome, amended=amended, reason=reason, on=on
        ),
        now=now,
    )
    current = record.decision_for(subject_key)
    await uow.cases.record_sanction(
        case_id=case_id,
        kind=current.subject.kind,
        subject_id=current.subject.id,
        outcome=current.outcome,
        severity=current.severity.value if current.severity else None,
        decided_at=now,
    )
    await uow.publish(
        AccountabilityAppealDecided(
            accountability_case_id=case_id,
            subject_kind=current.subject.kind,
            subject_id=current.subject.id,
            outcome=outcome,
            amended_decision=_contract(current) if outcome is AppealOutcome.AMENDED else None,
            decided_at=now,
        ),
        subject=_subject(case_id),
    )
    return record


async def publish_overdue_steps(
    uow: AccountabilityUnitOfWork, *, now: datetime, office: Office, limit: int
) -> int:
    """Mark deadlines whose day has passed as overdue and publish each once."""
    overdue = await uow.cases.claim_overdue(today=office.local_date(now), limit=limit)
    for deadline in overdue:
        await uow.cases.mark_overdue(deadline, now=now)
        await uow.publish(
            AccountabilityStepOverdue(
                accountability_case_id=deadline.case_id,
                step=deadline.step,
                due_date=deadline.due_date,
                detected_at=now,
            ),
            subject=_subject(deadline.case_id),
        )
        on_commit(uow.session, STEPS_OVERDUE.labels(deadline.step.value).inc)
    return len(overdue)


async def submit_report(
    uow: AccountabilityUnitOfWork,
    *,
    case_id: uuid.UUID,
    facts: str,
    conclusion: str,
    proposals: list[Proposal],
    submitted_by: str,
    now: datetime,
    office: Office,
) -> CaseRecord:
    """Submit the investigation report; earlier sanctions within a year are found here."""
    record, _ = await load(uow, case_id)
    completed = await detect_repeats(uow, record, proposals, now=now)
    on = office.local_date(now)
    return await apply(
        uow,
        case_id,
        lambda r: r.submit_report(
            facts=facts,
            conclusion=conclusion,
            proposals=completed,
            submitted_by=submitted_by,
            on=on,
        ),
        now=now,
    )
