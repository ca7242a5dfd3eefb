"""After closure (domain §6.4): satisfaction evaluation, then review (复查), then re-review
(复核), each within its window; after re-review the matter is final.

The state is read off the timeline (closures, reviews opened, requests made) so that it is
right whatever order supervision's events arrived in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from huiyin_intake.domain.errors import NotYetClosed, ReviewNotAllowed, ReviewRequestLate
from huiyin_intake.domain.tracking import Milestone, MilestoneKind
from huiyin_shared.contracts.events.common import ReviewTier

_NEXT: dict[str | None, ReviewTier] = {
    None: ReviewTier.REVIEW,
    ReviewTier.REVIEW.value: ReviewTier.RE_REVIEW,
}


@dataclass(frozen=True)
class Lifecycle:
    last_closed_at: datetime | None
    last_closed_tier: str | None
    """None: the original handling; else the tier of the review case that closed."""
    final: bool
    requested: frozenset[str]
    rated_tiers: frozenset[str | None]

    @classmethod
    def of(cls, milestones: Iterable[Milestone]) -> Lifecycle:
        items = list(milestones)
        tier_of_case: dict[uuid.UUID | None, str] = {
            m.case_id: str(m.details["tier"])
            for m in items
            if m.kind is MilestoneKind.REVIEW_OPENED and m.case_id is not None
        }
        closed = sorted(
            (m for m in items if m.kind is MilestoneKind.CLOSED), key=lambda m: m.occurred_at
        )
        last = closed[-1] if closed else None
        return cls(
            last_closed_at=None if last is None else last.occurred_at,
            last_closed_tier=None if last is None else tier_of_case.get(last.case_id),
            final=any(m.kind is MilestoneKind.FINAL for m in items),
            requested=frozenset(
                str(m.details["tier"]) for m in items if m.kind is MilestoneKind.REVIEW_REQUESTED
            ),
            rated_tiers=frozenset(
                m.details.get("tier") for m in items if m.kind is MilestoneKind.FEEDBACK_RECEIVED
            ),
        )

    def check_feedback(self) -> str | None:
        """The tier being rated (None for the original result); refuses before closure."""
        if self.last_closed_at is None:
            raise NotYetClosed("the petition has no result to evaluate yet")
        if self.last_closed_tier in self.rated_tiers:
            raise ReviewNotAllowed("this result has already been evaluated")
        return self.last_closed_tier

    def check_review(self, tier: ReviewTier, *, now: datetime, window: timedelta) -> None:
        if self.final:
            raise ReviewNotAllowed("the matter is final: no further review is possible")
        if self.last_closed_at is None:
            raise NotYetClosed("the petition has no result to review yet")
        expected = _NEXT.get(self.last_closed_tier)
        if expected is not tier or tier.value in self.requested:
            raise ReviewNotAllowed(
                f"a {tier.value} request is not possible now"
                + ("" if expected is None else f"; the next step is {expected.value}")
            )
        if now > self.last_closed_at + window:
            raise ReviewRequestLate(
                f"the {tier.value} request window of {window.days} days has passed"
            )
