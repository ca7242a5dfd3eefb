from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from huiyin_intake.domain.errors import NotYetClosed, ReviewNotAllowed, ReviewRequestLate
from huiyin_intake.domain.portal import (
    QUERY_CODE_PATTERN,
    new_api_key,
    new_query_code,
    normalise_query_code,
    parse_api_key,
)
from huiyin_intake.domain.reviews import Lifecycle
from huiyin_intake.domain.tracking import (
    Milestone,
    MilestoneKind,
    PublicStatus,
    ordered,
    public_status,
)
from huiyin_shared.contracts.events.common import ReviewTier

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
WINDOW = timedelta(days=30)
CASE, REVIEW_CASE = uuid.uuid4(), uuid.uuid4()


def m(
    kind: MilestoneKind, hours: float, case_id: uuid.UUID | None = None, **details: object
) -> Milestone:
    return Milestone(
        key=f"{kind}:{hours}",
        kind=kind,
        occurred_at=T0 + timedelta(hours=hours),
        case_id=case_id,
        details=details,
    )


def test_status_follows_when_things_happened_not_when_they_arrived() -> None:
    arrived = [
        m(MilestoneKind.CLOSED, 50, CASE),
        m(MilestoneKind.REGISTERED, 0),
        m(MilestoneKind.TRANSFERRED, 5),
        m(MilestoneKind.ACCEPTED, 1),
    ]
    assert [x.kind for x in ordered(arrived)] == [
        MilestoneKind.REGISTERED,
        MilestoneKind.ACCEPTED,
        MilestoneKind.TRANSFERRED,
        MilestoneKind.CLOSED,
    ]
    assert public_status(arrived) is PublicStatus.CLOSED
    assert public_status([]) is PublicStatus.REGISTERED


def test_a_terminal_fact_wins_over_later_noise() -> None:
    timeline = [
        m(MilestoneKind.REGISTERED, 0),
        m(MilestoneKind.FINAL, 10, CASE),
        m(MilestoneKind.REPLY_DUE, 11, CASE),
    ]
    assert public_status(timeline) is PublicStatus.FINAL


def test_feedback_needs_a_result_and_is_given_once_per_result() -> None:
    with pytest.raises(NotYetClosed):
        Lifecycle.of([m(MilestoneKind.REGISTERED, 0)]).check_feedback()
    closed = [m(MilestoneKind.CLOSED, 10, CASE)]
    assert Lifecycle.of(closed).check_feedback() is None
    rated = [*closed, m(MilestoneKind.FEEDBACK_RECEIVED, 11, tier=None)]
    with pytest.raises(ReviewNotAllowed):
        Lifecycle.of(rated).check_feedback()


def test_review_then_re_review_each_within_the_window() -> None:
    closed = [m(MilestoneKind.CLOSED, 10, CASE)]
    after = T0 + timedelta(days=5)
    with pytest.raises(NotYetClosed):
        Lifecycle.of([]).check_review(ReviewTier.REVIEW, now=after, window=WINDOW)
    Lifecycle.of(closed).check_review(ReviewTier.REVIEW, now=after, window=WINDOW)
    with pytest.raises(ReviewNotAllowed, match="next step is review"):
        Lifecycle.of(closed).check_review(ReviewTier.RE_REVIEW, now=after, window=WINDOW)
    with pytest.raises(ReviewRequestLate):
        Lifecycle.of(closed).check_review(
            ReviewTier.REVIEW, now=T0 + timedelta(days=31), window=WINDOW
        )
    requested = [*closed, m(MilestoneKind.REVIEW_REQUESTED, 20, tier="review")]
    with pytest.raises(ReviewNotAllowed):
        Lifecycle.of(requested).check_review(ReviewTier.REVIEW, now=after, window=WINDOW)
    # the review case's closure arrived before the event saying it was a review case
    reviewed = [
        *requested,
        m(MilestoneKind.CLOSED, 300, REVIEW_CASE),
        m(MilestoneKind.REVIEW_OPENED, 30, REVIEW_CASE, tier="review"),
    ]
    Lifecycle.of(reviewed).check_review(
        ReviewTier.RE_REVIEW, now=T0 + timedelta(days=20), window=WINDOW
    )
    final = [*reviewed, m(MilestoneKind.FINAL, 400, CASE, basis="re_review_concluded")]
    with pytest.raises(ReviewNotAllowed, match="final"):
        Lifecycle.of(final).check_review(
            ReviewTier.RE_REVIEW, now=T0 + timedelta(days=20), window=WINDOW
        )


def test_query_codes_and_api_keys() -> None:
    code = new_query_code()
    assert QUERY_CODE_PATTERN.match(code)
    assert normalise_query_code(code.lower().replace("-", " ")) == code
    key_id, secret, full = new_api_key()
    assert parse_api_key(full) == (key_id, secret)
    assert parse_api_key("hyk_short_x") is None
