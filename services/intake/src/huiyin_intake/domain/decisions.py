"""The acceptance decision (受理 / 不予受理 / 告知) and the due date it sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from huiyin_intake.domain.deadlines import acceptance_notice_due, local_date
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.contracts.events.common import NotAcceptedReason


class DecisionOutcome(StrEnum):
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    REFER_OUT = "refer_out"


@dataclass(frozen=True)
class Accept:
    """The clerk accepts the petition."""

    decided_by: str


@dataclass(frozen=True)
class NotAccept:
    """The clerk declines on one of the six grounds and names the proper channel."""

    decided_by: str
    reason: NotAcceptedReason
    proper_channel: str


@dataclass(frozen=True)
class ReferOut:
    """Outside the office's authority: the petitioner is told which authority to address."""

    decided_by: str
    authority: str
    reason: str


DecisionCommand = Accept | NotAccept | ReferOut


@dataclass(frozen=True)
class Decision:
    """A decision as recorded: who, when, and what follows from it.

    ``proper_channel`` is where a declined petitioner should go, or for a referral the
    competent authority; ``referral_reason`` explains a referral.
    """

    outcome: DecisionOutcome
    decided_by: str
    decided_at: datetime
    acceptance_notice_due: date
    reason: NotAcceptedReason | None = None
    proper_channel: str | None = None
    referral_reason: str | None = None

    def __post_init__(self) -> None:
        if self.decided_at.tzinfo is None:
            raise ValueError("decided_at must be timezone-aware")
        declined = self.outcome is DecisionOutcome.NOT_ACCEPT
        referred = self.outcome is DecisionOutcome.REFER_OUT
        if declined != (self.reason is not None):
            raise ValueError("exactly a non-acceptance carries one of the six reasons")
        if (declined or referred) != (self.proper_channel is not None):
            raise ValueError("a non-acceptance or referral names where to go instead")
        if referred != (self.referral_reason is not None):
            raise ValueError("exactly a referral carries a referral reason")

    def within_window(self, zone: ZoneInfo) -> bool:
        """Decided by the day the acceptance notice is due (15 days from receipt)."""
        return local_date(self.decided_at, zone) <= self.acceptance_notice_due


def make_decision(
    command: DecisionCommand,
    *,
    received_at: datetime,
    decided_at: datetime,
    zone: ZoneInfo,
    calendar: BusinessCalendar,
) -> Decision:
    """Record ``command``. Every outcome is owed to the petitioner within 15 days of receipt;
    a late decision is still recorded (lateness is accountability's to judge, §7.1)."""
    due = acceptance_notice_due(received_at, zone=zone, calendar=calendar).due
    if isinstance(command, Accept):
        return Decision(
            outcome=DecisionOutcome.ACCEPT,
            decided_by=command.decided_by,
            decided_at=decided_at,
            acceptance_notice_due=due,
        )
    if isinstance(command, NotAccept):
        return Decision(
            outcome=DecisionOutcome.NOT_ACCEPT,
            decided_by=command.decided_by,
            decided_at=decided_at,
            acceptance_notice_due=due,
            reason=command.reason,
            proper_channel=command.proper_channel,
        )
    return Decision(
        outcome=DecisionOutcome.REFER_OUT,
        decided_by=command.decided_by,
        decided_at=decided_at,
        acceptance_notice_due=due,
        proper_channel=command.authority,
        referral_reason=command.reason,
    )
