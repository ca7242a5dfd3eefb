"""What a trigger rule is, and what judging it can give."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Rule:
    """One configured rule: which evaluator (``kind``), its parameters and its source."""

    id: str
    kind: str
    title: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Watch:
    """An event touched a rule's check for one subject (``key``).

    ``due_at`` is the deadline a time-based rule must be judged at; None judges it as soon as
    the events have settled.
    """

    rule_id: str
    key: str
    petition_id: uuid.UUID | None
    case_id: uuid.UUID | None
    due_at: datetime | None = None

    def check_at(self, now: datetime, settle: timedelta) -> datetime:
        """When to judge: the deadline (or now, if passed or none) plus the settling time."""
        due = self.due_at if self.due_at is not None and self.due_at > now else now
        return due + settle


@dataclass(frozen=True)
class Finding:
    """A rule matched: the evidence events and who may be answerable."""

    summary: str
    evidence: tuple[uuid.UUID, ...]
    unit_ids: tuple[str, ...] = ()
    staff_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.evidence:
            raise ValueError("a finding carries its evidence")
        if not (self.unit_ids or self.staff_ids):
            raise ValueError("a finding names at least one subject")


@dataclass(frozen=True)
class Clear:
    """Nothing to answer for (yet): judged again only if new facts arrive."""

    reason: str


@dataclass(frozen=True)
class Wait:
    """Not decidable before ``until`` (a deadline not yet reached)."""

    until: datetime


Verdict = Finding | Clear | Wait
