"""Assessment (domain §7.6; 004 规范行政权力运行考核制度 三–四; 001 责任追究制度 三).

Each staff member is assessed on ten items. Two are computed from the events of the year
(time limits met on the cases they handled; no dissatisfaction recorded on them); the rest
are entered by the assessors. Nine or more met: excellent; seven or eight: qualified; six:
basically qualified; fewer: unqualified. A verified complaint of rude treatment caps the
grade at basically qualified; one reported in the press makes it unqualified. An item not
yet entered counts as not met and leaves the assessment incomplete.

A unit that fails its annual petition target is vetoed (一票否决) from all honours and its
head is to be adjusted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from huiyin_shared.contracts.events.accountability import AssessmentGrade


class Item(StrEnum):
    RECORDS_KEPT = "records_kept"
    MEETING_DECISIONS_CARRIED_OUT = "meeting_decisions_carried_out"
    NO_DISSATISFACTION_RECORDS = "no_dissatisfaction_records"
    LAWFUL_PROCEDURE = "lawful_procedure"
    ONE_TIME_NOTIFICATION = "one_time_notification"
    TIME_LIMITS_MET = "time_limits_met"
    DISCLOSURES_ON_TIME = "disclosures_on_time"
    INTEGRITY_PLEDGE_SIGNED = "integrity_pledge_signed"
    SATISFACTION_OF_PEOPLE_SERVED = "satisfaction_of_people_served"
    IMPORTANT_POWER_EXERCISES_REGISTERED = "important_power_exercises_registered"


COMPUTED = frozenset({Item.TIME_LIMITS_MET, Item.NO_DISSATISFACTION_RECORDS})
"""Items the service computes from the year's events; the others are entered."""


Grade = AssessmentGrade


_ORDER = (Grade.UNQUALIFIED, Grade.BASICALLY_QUALIFIED, Grade.QUALIFIED, Grade.EXCELLENT)


@dataclass(frozen=True)
class RudeComplaint:
    """A verified complaint of rude treatment; ``reported_in_press`` when it was published."""

    reported_in_press: bool


@dataclass(frozen=True)
class StaffAssessment:
    staff_id: str
    year: int
    items: Mapping[Item, bool | None]
    met: int
    grade: Grade
    grade_before_caps: Grade
    cap: str | None
    complete: bool


def grade_for(met: int) -> Grade:
    if met >= 9:
        return Grade.EXCELLENT
    if met >= 7:
        return Grade.QUALIFIED
    if met == 6:
        return Grade.BASICALLY_QUALIFIED
    return Grade.UNQUALIFIED


def assess_staff(
    *,
    staff_id: str,
    year: int,
    entered: Mapping[Item, bool],
    computed: Mapping[Item, bool],
    complaints: Iterable[RudeComplaint],
) -> StaffAssessment:
    items: dict[Item, bool | None] = {}
    for item in Item:
        source = computed if item in COMPUTED else entered
        items[item] = source.get(item)
    met = sum(1 for value in items.values() if value)
    before = grade_for(met)
    grade, cap = before, None
    found = list(complaints)
    if any(c.reported_in_press for c in found):
        grade, cap = Grade.UNQUALIFIED, "rude treatment reported in the press: unqualified"
    elif found and _ORDER.index(before) > _ORDER.index(Grade.BASICALLY_QUALIFIED):
        grade, cap = (
            Grade.BASICALLY_QUALIFIED,
            "verified rude treatment: at most basically qualified",
        )
    return StaffAssessment(
        staff_id=staff_id,
        year=year,
        items=items,
        met=met,
        grade=grade,
        grade_before_caps=before,
        cap=cap,
        complete=all(v is not None for v in items.values()),
    )


@dataclass(frozen=True)
class UnitAssessment:
    unit_id: str
    year: int
    target_met: bool

    @property
    def vetoed(self) -> bool:
        """一票否决: no honours for the unit this year, and its head is to be adjusted."""
        return not self.target_met


def computed_items(
    *,
    accepted: Iterable[tuple[str, str]],
    overdue_cases: Iterable[str],
    dissatisfied_cases: Iterable[str],
) -> dict[str, dict[Item, bool]]:
    """The computed items per handler, from (handler, case) pairs and the year's events.

    Time limits are met when no case the handler accepted went overdue in the year; there
    is no dissatisfaction record when no petitioner was dissatisfied with one of their cases.
    """
    cases: dict[str, set[str]] = {}
    for handler, case in accepted:
        cases.setdefault(handler, set()).add(case)
    late, unhappy = set(overdue_cases), set(dissatisfied_cases)
    return {
        handler: {
            Item.TIME_LIMITS_MET: not (handled & late),
            Item.NO_DISSATISFACTION_RECORDS: not (handled & unhappy),
        }
        for handler, handled in cases.items()
    }
