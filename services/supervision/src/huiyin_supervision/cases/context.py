"""What every case use case needs besides the unit of work: calendar, policy, timer rules."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from huiyin_supervision.domain.deadlines import OfficePolicy
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.domain.timers import TimerConfig


@dataclass(frozen=True)
class CaseContext:
    office: OfficeCalendar
    timers: TimerConfig = field(default_factory=TimerConfig)
    commitment_offices: Collection[str] = ()
    """Offices that apply the service-commitment limits instead of the statutory ones."""

    def policy_of(self, office_id: str) -> OfficePolicy:
        if office_id in self.commitment_offices:
            return OfficePolicy.COMMITMENT
        return OfficePolicy.STATUTORY

    def local_start_basis(self, what: str, at: datetime) -> str:
        day = self.office.local_date(at)
        return (
            f"{what} at {at.isoformat()}, which is {day.isoformat()} in {self.office.timezone.key}."
        )
