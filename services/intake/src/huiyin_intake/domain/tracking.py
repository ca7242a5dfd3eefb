"""The petitioner-facing timeline: public milestones only, never internal notes (§8).

Milestones come from intake's own decisions and from routing's and supervision's events,
which may arrive in any order and more than once: each has a stable key (one milestone per
source fact) and the timeline is ordered by when things happened, not when they arrived.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class MilestoneKind(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    REFERRED_OUT = "referred_out"
    REPEAT_LINKED = "repeat_linked"
    TRANSFERRED = "transferred"
    UNIT_ACCEPTED = "unit_accepted"
    REPLY_DUE = "reply_due"
    EXTENDED = "extended"
    PAUSED = "paused"
    RESUMED = "resumed"
    CLOSED = "closed"
    FEEDBACK_RECEIVED = "feedback_received"
    REVIEW_REQUESTED = "review_requested"
    REVIEW_OPENED = "review_opened"
    FINAL = "final"


class PublicStatus(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    REFERRED_OUT = "referred_out"
    LINKED_TO_ORIGINAL = "linked_to_original"
    TRANSFERRED = "transferred"
    IN_HANDLING = "in_handling"
    CLOSED = "closed"
    REVIEW_REQUESTED = "review_requested"
    UNDER_REVIEW = "under_review"
    FINAL = "final"


_STATUS: Mapping[MilestoneKind, PublicStatus] = {
    MilestoneKind.REGISTERED: PublicStatus.REGISTERED,
    MilestoneKind.ACCEPTED: PublicStatus.ACCEPTED,
    MilestoneKind.NOT_ACCEPTED: PublicStatus.NOT_ACCEPTED,
    MilestoneKind.REFERRED_OUT: PublicStatus.REFERRED_OUT,
    MilestoneKind.REPEAT_LINKED: PublicStatus.LINKED_TO_ORIGINAL,
    MilestoneKind.TRANSFERRED: PublicStatus.TRANSFERRED,
    MilestoneKind.UNIT_ACCEPTED: PublicStatus.IN_HANDLING,
    MilestoneKind.REPLY_DUE: PublicStatus.IN_HANDLING,
    MilestoneKind.EXTENDED: PublicStatus.IN_HANDLING,
    MilestoneKind.PAUSED: PublicStatus.IN_HANDLING,
    MilestoneKind.RESUMED: PublicStatus.IN_HANDLING,
    MilestoneKind.CLOSED: PublicStatus.CLOSED,
    MilestoneKind.FEEDBACK_RECEIVED: PublicStatus.CLOSED,
    MilestoneKind.REVIEW_REQUESTED: PublicStatus.REVIEW_REQUESTED,
    MilestoneKind.REVIEW_OPENED: PublicStatus.UNDER_REVIEW,
    MilestoneKind.FINAL: PublicStatus.FINAL,
}

_TERMINAL = frozenset({MilestoneKind.FINAL, MilestoneKind.NOT_ACCEPTED, MilestoneKind.REFERRED_OUT})


@dataclass(frozen=True)
class Milestone:
    """One public fact. ``key`` is unique per source fact (e.g. ``closed:<case id>``)."""

    key: str
    kind: MilestoneKind
    occurred_at: datetime
    petition_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


def ordered(milestones: Iterable[Milestone]) -> list[Milestone]:
    """By when it happened; simultaneous facts in lifecycle order."""
    order = list(MilestoneKind)
    return sorted(milestones, key=lambda m: (m.occurred_at, order.index(m.kind)))


def public_status(milestones: Iterable[Milestone]) -> PublicStatus:
    """The status the petitioner sees: a terminal fact wins, else the latest one."""
    timeline = ordered(milestones)
    if not timeline:
        return PublicStatus.REGISTERED
    terminal = [m for m in timeline if m.kind in _TERMINAL]
    return _STATUS[(terminal or timeline)[-1].kind]
