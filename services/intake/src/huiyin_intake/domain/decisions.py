"""The acceptance decision (受理 / 不予受理) and the due date it sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from huiyin_intake.domain.deadlines import acceptance_notice_due
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.contracts.events.common import NotAcceptedReason


class DecisionOutcome(StrEnum):
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"


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


DecisionCommand = Accept | NotAccept


@dataclass(frozen=True)
class Decision:
    """A decision as recorded: who, when, and what follows from it."""

    outcome: DecisionOutcome
    decided_by: str
    decided_at: datetime
    acceptance_notice_due: date | None = None
    reason: NotAcceptedReason | None = None
    proper_channel: str | None = None

    def __post_init__(self) -> None:
        if self.decided_at.tzinfo is None:
            raise ValueError("decided_at must be timezone-aware")
        accepted = self.outcome is DecisionOutcome.ACCEPT
        if accepted != (self.acceptance_notice_due is not None):
            raise ValueError("exactly an acceptance carries an acceptance notice due date")
        has_reason = self.reason is not None
        if has_reason != (self.proper_channel is not None) or accepted == has_reason:
            raise ValueError("exactly a non-acceptance carries a reason and a proper channel")


def make_decision(
    command: DecisionCommand,
    *,
    received_at: datetime,
    decided_at: datetime,
    zone: ZoneInfo,
    calendar: BusinessCalendar,
) -> Decision:
    """Record ``command``; an acceptance owes the petitioner a notice 15 days from receipt."""
    if isinstance(command, Accept):
        due = acceptance_notice_due(received_at, zone=zone, calendar=calendar)
        return Decision(
            outcome=DecisionOutcome.ACCEPT,
            decided_by=command.decided_by,
            decided_at=decided_at,
            acceptance_notice_due=due.due,
        )
    return Decision(
        outcome=DecisionOutcome.NOT_ACCEPT,
        decided_by=command.decided_by,
        decided_at=decided_at,
        reason=command.reason,
        proper_channel=command.proper_channel,
    )
