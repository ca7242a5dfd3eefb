"""Matters: opened by staff, dismissed with a reason, or confirmed into a case."""

from __future__ import annotations

import uuid
from datetime import datetime

from huiyin_accountability.domain.matters import Matter
from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.procedure import CaseRecord, Subject
from huiyin_accountability.metrics import MATTERS_OPENED, on_commit
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.contracts.events.accountability import (
    AccountabilityCaseOpened,
    AccountabilityMatterDismissed,
    AccountabilityMatterOpened,
    MatterSource,
    SubjectKind,
)
from huiyin_shared.errors import NotFound, RuleViolation


class MatterNotFound(NotFound):
    slug = "matter-not-found"
    title = "Matter not found"


async def open_matter(
    uow: AccountabilityUnitOfWork,
    *,
    source: MatterSource,
    title: str,
    summary: str,
    unit_ids: list[str],
    staff_ids: list[str],
    opened_by: str,
    now: datetime,
) -> Matter:
    """A matter from any source but the system's own triggers (003 问责程序 5)."""
    if source is MatterSource.SYSTEM_TRIGGER:
        raise RuleViolation(
            "system-triggered matters are opened by the trigger rules only",
            errors=[{"field": "source", "message": "not allowed", "type": "value"}],
        )
    matter = Matter(
        matter_id=uuid.uuid4(),
        source=source,
        title=title,
        summary=summary,
        subject_unit_ids=tuple(unit_ids),
        subject_staff_ids=tuple(staff_ids),
        evidence_event_ids=(),
        opened_at=now,
        opened_by=opened_by,
    )
    await uow.matters.add(matter)
    await uow.publish(
        AccountabilityMatterOpened(
            matter_id=matter.matter_id,
            source=source,
            subject_unit_ids=unit_ids,
            subject_staff_ids=staff_ids,
            opened_at=now,
        ),
        subject=f"matter:{matter.matter_id}",
    )
    on_commit(uow.session, MATTERS_OPENED.labels("manual").inc)
    return matter


async def _open_matter(uow: AccountabilityUnitOfWork, matter_id: uuid.UUID) -> Matter:
    matter = await uow.matters.get(matter_id, for_update=True)
    if matter is None:
        raise MatterNotFound(f"no matter {matter_id}")
    return matter


async def dismiss_matter(
    uow: AccountabilityUnitOfWork, *, matter_id: uuid.UUID, by: str, reason: str, now: datetime
) -> Matter:
    matter = (await _open_matter(uow, matter_id)).dismiss(by=by, reason=reason, at=now)
    await uow.matters.save_decision(matter)
    await uow.publish(
        AccountabilityMatterDismissed(
            matter_id=matter_id, reason=reason, dismissed_by=by, dismissed_at=now
        ),
        subject=f"matter:{matter_id}",
    )
    return matter


async def confirm_matter(
    uow: AccountabilityUnitOfWork,
    *,
    matter_id: uuid.UUID,
    by: str,
    now: datetime,
    office: Office,
    subjects: list[Subject] | None = None,
) -> CaseRecord:
    """The preliminary check found a case to answer: open it (investigation clock starts).

    The subjects are the matter's unless the check named others (e.g. from the responsibility
    rules: the approver rather than the handler).
    """
    matter = (await _open_matter(uow, matter_id)).confirm(by=by, at=now)
    await uow.matters.save_decision(matter)
    if not subjects:
        subjects = [Subject(kind=SubjectKind.STAFF, id=s) for s in matter.subject_staff_ids]
        subjects += [Subject(kind=SubjectKind.UNIT, id=u) for u in matter.subject_unit_ids]
    record = CaseRecord.open(
        case_id=uuid.uuid4(),
        matter_id=matter_id,
        subjects=subjects,
        on=office.local_date(now),
        calendar=office.calendar,
    )
    await uow.cases.add(record, now=now)
    await uow.publish(
        AccountabilityCaseOpened(
            accountability_case_id=record.case_id,
            matter_id=matter_id,
            opened_at=now,
            investigation_due=record.investigation_due,
        ),
        subject=f"accountability_case:{record.case_id}",
    )
    return record
