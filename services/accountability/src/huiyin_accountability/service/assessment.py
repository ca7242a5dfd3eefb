"""The annual assessment: computed items from the year's facts, entered items, grades."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from huiyin_accountability.domain.assessment import (
    COMPUTED,
    Item,
    StaffAssessment,
    UnitAssessment,
    assess_staff,
    computed_items,
)
from huiyin_accountability.domain.office import Office
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.contracts.events.accountability import (
    AssessmentPublished,
    StaffGrade,
    UnitResult,
)
from huiyin_shared.errors import RuleViolation

# Cases accepted up to this long before the year can still go overdue within it.
_LOOKBACK = timedelta(days=3 * 366)


class ComputedItem(RuleViolation):
    slug = "assessment-item-computed"
    title = "This item is computed from the record, not entered"


def year_bounds(year: int, office: Office) -> tuple[datetime, datetime]:
    start = datetime(year, 1, 1, tzinfo=office.zone)
    return start, datetime(year + 1, 1, 1, tzinfo=office.zone)


async def enter_item(
    uow: AccountabilityUnitOfWork,
    *,
    year: int,
    staff_id: str,
    item: Item,
    met: bool,
    note: str | None,
    by: str,
    now: datetime,
) -> None:
    if item in COMPUTED:
        raise ComputedItem(
            f"{item.value} is computed from the year's events",
            errors=[{"field": "item", "message": "computed item", "type": "value"}],
        )
    await uow.assessment.enter_item(
        year=year, staff_id=staff_id, item=item, met=met, note=note, by=by, at=now
    )


async def staff_assessments(
    uow: AccountabilityUnitOfWork, *, year: int, office: Office
) -> list[StaffAssessment]:
    start, end = year_bounds(year, office)
    accepted = await uow.triggers.facts_of_types(
        ["case.accepted_by_unit"], since=start - _LOOKBACK, until=end
    )
    during = await uow.triggers.facts_of_types(
        ["case.overdue", "petition.feedback_received"], since=start, until=end
    )
    computed = computed_items(
        accepted=[(str(f.data["handler_id"]), str(f.case_id)) for f in accepted],
        overdue_cases=[str(f.case_id) for f in during if f.event_type == "case.overdue"],
        dissatisfied_cases=[
            str(f.case_id)
            for f in during
            if f.event_type == "petition.feedback_received" and f.data.get("satisfied") is False
        ],
    )
    entered = await uow.assessment.entries(year=year)
    complaints = await uow.assessment.complaints(year=year)
    staff = sorted(set(computed) | set(entered) | set(complaints))
    return [
        assess_staff(
            staff_id=s,
            year=year,
            entered=entered.get(s, {}),
            computed=computed.get(s, {}),
            complaints=complaints.get(s, []),
        )
        for s in staff
    ]


def staff_csv(assessments: list[StaffAssessment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["year", "staff_id", *[i.value for i in Item], "items_met", "grade", "cap", "complete"]
    )
    for a in assessments:
        cells = ["" if a.items[i] is None else ("yes" if a.items[i] else "no") for i in Item]
        writer.writerow([a.year, a.staff_id, *cells, a.met, a.grade.value, a.cap or "", a.complete])
    return out.getvalue()


def units_csv(units: list[UnitAssessment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["year", "unit_id", "target_met", "vetoed"])
    for u in units:
        writer.writerow([u.year, u.unit_id, u.target_met, u.vetoed])
    return out.getvalue()


async def publish(
    uow: AccountabilityUnitOfWork, *, year: int, by: str, now: datetime, office: Office
) -> AssessmentPublished:
    staff = await staff_assessments(uow, year=year, office=office)
    units = await uow.assessment.units(year=year)
    event = AssessmentPublished(
        year=year,
        staff=[
            StaffGrade(staff_id=a.staff_id, items_met=a.met, grade=a.grade, complete=a.complete)
            for a in staff
        ],
        units=[
            UnitResult(unit_id=u.unit_id, target_met=u.target_met, vetoed=u.vetoed) for u in units
        ],
        published_by=by,
        published_at=now,
    )
    await uow.publish(event, subject=f"assessment:{year}")
    return event
