"""The time-limit policy table (domain §6.1): which clocks exist and how long they run.

Only the acceptance-notice clock is implemented so far; the other lines of §6.1 are added
here, one entry each, as the supervision service grows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from huiyin_shared.calendar import CountingMode


class ClockKind(StrEnum):
    """The clocks supervision runs."""

    ACCEPTANCE_NOTICE = "acceptance_notice"
    """Written acceptance notice (or refusal) to the petitioner."""


@dataclass(frozen=True, slots=True)
class ClockPolicy:
    """One line of the policy table: a limit of ``days`` counted from ``starts_from``."""

    clock: ClockKind
    description: str
    days: int
    counting_mode: CountingMode
    source: str
    starts_from: str

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"{self.clock}: a time limit needs at least one day")


POLICIES: Mapping[ClockKind, ClockPolicy] = MappingProxyType(
    {
        ClockKind.ACCEPTANCE_NOTICE: ClockPolicy(
            clock=ClockKind.ACCEPTANCE_NOTICE,
            description="Acceptance notice to the petitioner: 15 days from receipt",
            days=15,
            counting_mode=CountingMode.CALENDAR_DAYS,
            source="002 五.1; 003",
            starts_from="the day the petition was received (office time zone)",
        ),
    }
)
"""The default policy table, keyed by clock."""


def policy_for(clock: ClockKind) -> ClockPolicy:
    return POLICIES[clock]
