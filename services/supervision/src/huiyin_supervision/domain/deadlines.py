"""The clocks of a case (domain §6.1) and their due dates, with pauses and extension.

A clock's due date is always recomputed from the same inputs: the start day, the period of
its policy line, the days of an approved extension and the days spent paused (a hearing's
time is not counted, 001 复查时限). Pause and extension days are counted in the clock's own
mode, so adding either never makes a due date earlier.
"""

from __future__ import annotations

import calendar as _months
import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from huiyin_shared.calendar import CountingMode
from huiyin_shared.contracts.events.common import ClockName, DeadlineClass, ReviewTier
from huiyin_supervision.domain.explanation import Explanation, RuleRef, explain
from huiyin_supervision.domain.office import OfficeCalendar


class OfficePolicy(StrEnum):
    """Which resolution limits an office applies (selectable per office)."""

    STATUTORY = "statutory"
    """60 days from acceptance (002 五.3; 003)."""
    COMMITMENT = "commitment"
    """The service commitment: general 30 days, important 90 days (000 服务承诺办法)."""


@dataclass(frozen=True, slots=True)
class CaseClockPolicy:
    """One line of the table: a period of ``days`` or ``months`` counted in ``counting_mode``."""

    clock: ClockName
    description: str
    source: str
    counting_mode: CountingMode
    days: int = 0
    months: int = 0

    def period_days(self, start: date) -> int:
        """The period in days from ``start``: months are calendar months (3 months from
        31 May end on 31 August; from 30 November on 28 or 29 February)."""
        if self.months:
            return (add_months(start, self.months) - start).days
        return self.days


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _months.monthrange(year, month)[1]))


_CAL = CountingMode.CALENDAR_DAYS

_RESOLVE: dict[tuple[OfficePolicy, DeadlineClass], CaseClockPolicy] = {}
for _policy in OfficePolicy:
    _RESOLVE[(_policy, DeadlineClass.SUPERIOR_ASSIGNED)] = CaseClockPolicy(
        ClockName.RESOLVE,
        "Superior-assigned case with report (纪群字): 3 months",
        "000 交办案件 二㈠",
        _CAL,
        months=3,
    )
    _RESOLVE[(_policy, DeadlineClass.SUPERIOR_ASSIGNED_LETTER)] = CaseClockPolicy(
        ClockName.RESOLVE,
        "Superior-assigned letter (组织部): 2 months, explain if late",
        "002 五.8",
        _CAL,
        months=2,
    )
    _RESOLVE[(_policy, DeadlineClass.LEADER_OWNED)] = CaseClockPolicy(
        ClockName.RESOLVE,
        "Leader-owned complex case (包案): 2 months",
        "000 第十九条",
        _CAL,
        months=2,
    )
_STATUTORY_RESOLVE = CaseClockPolicy(
    ClockName.RESOLVE, "Resolution: 60 days from acceptance", "002 五.3; 003", _CAL, days=60
)
_RESOLVE[(OfficePolicy.STATUTORY, DeadlineClass.GENERAL)] = _STATUTORY_RESOLVE
_RESOLVE[(OfficePolicy.STATUTORY, DeadlineClass.IMPORTANT)] = _STATUTORY_RESOLVE
_RESOLVE[(OfficePolicy.COMMITMENT, DeadlineClass.GENERAL)] = CaseClockPolicy(
    ClockName.RESOLVE,
    "Service commitment, general matter: 30 days",
    "000 服务承诺办法",
    _CAL,
    days=30,
)
_RESOLVE[(OfficePolicy.COMMITMENT, DeadlineClass.IMPORTANT)] = CaseClockPolicy(
    ClockName.RESOLVE,
    "Service commitment, important matter: 90 days",
    "000 服务承诺办法",
    _CAL,
    days=90,
)

LEADER_OWNED = _RESOLVE[(OfficePolicy.STATUTORY, DeadlineClass.LEADER_OWNED)]

NAME_OWNER = CaseClockPolicy(
    ClockName.NAME_OWNER,
    "Leader-owned case: name the owning leader within 5 working days",
    "000 第十九条",
    CountingMode.WORKING_DAYS,
    days=5,
)

NOTIFY_PETITIONER = CaseClockPolicy(
    ClockName.NOTIFY_PETITIONER,
    "Tell the petitioner of the closure or the transfer within 3 days",
    "003 督办制度(六)",
    _CAL,
    days=3,
)

REVIEW_POLICIES: dict[ReviewTier, CaseClockPolicy] = {
    ReviewTier.REVIEW: CaseClockPolicy(
        ClockName.REVIEW,
        "Review (复查) opinion: 15 days from accepting the request",
        "001 复查时限",
        _CAL,
        days=15,
    ),
    ReviewTier.RE_REVIEW: CaseClockPolicy(
        ClockName.RE_REVIEW,
        "Re-review (复核) opinion: 30 days from receiving the request",
        "000 第二十四条",
        _CAL,
        days=30,
    ),
}


def resolve_policy(policy: OfficePolicy, deadline_class: DeadlineClass) -> CaseClockPolicy | None:
    """The resolve clock for a routing's deadline class; None when no result is owed."""
    return _RESOLVE.get((policy, deadline_class))


def starts_at_acceptance(deadline_class: DeadlineClass) -> bool:
    """General and important matters count from the petition's acceptance; assigned and
    leader-owned ones from the assignment itself."""
    return deadline_class in (DeadlineClass.GENERAL, DeadlineClass.IMPORTANT)


@dataclass(frozen=True, slots=True)
class ClockSpec:
    """Everything a due date is computed from; stored with the clock."""

    clock: ClockName
    start: date
    base_days: int
    counting_mode: CountingMode
    description: str
    source: str
    start_basis: str
    extension_days: int = 0
    paused_days: int = 0

    @property
    def total_days(self) -> int:
        return self.base_days + self.extension_days + self.paused_days

    def with_extension(self, days: int) -> ClockSpec:
        return dataclasses.replace(self, extension_days=self.extension_days + days)

    def with_pause(self, days: int) -> ClockSpec:
        return dataclasses.replace(self, paused_days=self.paused_days + max(0, days))


def spec_for(policy: CaseClockPolicy, *, start: date, start_basis: str) -> ClockSpec:
    return ClockSpec(
        clock=policy.clock,
        start=start,
        base_days=policy.period_days(start),
        counting_mode=policy.counting_mode,
        description=policy.description,
        source=policy.source,
        start_basis=start_basis,
    )


def paused_days(office: OfficeCalendar, spec: ClockSpec, *, paused: date, resumed: date) -> int:
    """The days a pause from ``paused`` to ``resumed`` (local dates) adds, in the clock's mode.

    A pause that began and ended on the same day adds nothing; otherwise every day from the
    pause day up to the day before the resumption is given back.
    """
    if resumed <= paused:
        return 0
    if spec.counting_mode is CountingMode.CALENDAR_DAYS:
        return (resumed - paused).days
    # Working days d with paused <= d < resumed.
    return (
        office.calendar.working_days_between(paused, resumed)
        + (1 if office.calendar.is_working_day(paused) else 0)
        - (1 if office.calendar.is_working_day(resumed) else 0)
    )


def compute(office: OfficeCalendar, spec: ClockSpec) -> Explanation:
    """The clock's due date on the office calendar, explained."""
    result = office.due_date(spec.start, spec.total_days, spec.counting_mode)
    explanation = explain(result, start_basis=spec.start_basis)
    parts = [f"{spec.description} ({spec.source})."]
    if spec.counting_mode is CountingMode.CALENDAR_DAYS and spec.base_days != spec.total_days:
        parts.append(f"Period {spec.base_days} days.")
    if spec.extension_days:
        parts.append(f"Extended by {spec.extension_days} days (approved).")
    if spec.paused_days:
        parts.append(f"Paused {spec.paused_days} days for a hearing (not counted).")
    parts.append(explanation.text)
    return dataclasses.replace(
        explanation,
        text=" ".join(parts),
        rule=RuleRef(clock=spec.clock.value, description=spec.description, source=spec.source),
    )


def spec_to_json(spec: ClockSpec) -> dict[str, object]:
    return {
        "clock": spec.clock.value,
        "start": spec.start.isoformat(),
        "base_days": spec.base_days,
        "counting_mode": spec.counting_mode.value,
        "description": spec.description,
        "source": spec.source,
        "start_basis": spec.start_basis,
        "extension_days": spec.extension_days,
        "paused_days": spec.paused_days,
    }


def spec_from_json(data: dict[str, object]) -> ClockSpec:
    return ClockSpec(
        clock=ClockName(str(data["clock"])),
        start=date.fromisoformat(str(data["start"])),
        base_days=int(str(data["base_days"])),
        counting_mode=CountingMode(str(data["counting_mode"])),
        description=str(data["description"]),
        source=str(data["source"]),
        start_basis=str(data["start_basis"]),
        extension_days=int(str(data["extension_days"])),
        paused_days=int(str(data["paused_days"])),
    )
