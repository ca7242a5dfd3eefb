"""The case state machine: only the legal transitions, each refusal naming its rule."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin_supervision.domain.lifecycle import (
    RULES,
    Action,
    CaseStatus,
    ExtensionState,
    IllegalTransition,
    check,
    check_extension_decision,
    check_extension_request,
)

S = CaseStatus
HAPPY_PATH = [
    (Action.ACCEPT, S.ASSIGNED, S.ACCEPTED),
    (Action.ADD_PROGRESS, S.ACCEPTED, S.IN_PROGRESS),
    (Action.PAUSE, S.IN_PROGRESS, S.PAUSED),
    (Action.RESUME, S.PAUSED, S.IN_PROGRESS),
    (Action.SUBMIT_RESULT, S.IN_PROGRESS, S.RESULT_SUBMITTED),
    (Action.RETURN_FOR_REDO, S.RESULT_SUBMITTED, S.IN_PROGRESS),
    (Action.APPROVE_RESULT, S.RESULT_SUBMITTED, S.RESULT_APPROVED),
    (Action.CLOSE, S.RESULT_APPROVED, S.CLOSED),
    (Action.OPEN_REVIEW, S.CLOSED, S.UNDER_REVIEW),
    (Action.MAKE_FINAL, S.CLOSED, S.FINAL),
    (Action.RETURN_BY_UNIT, S.ASSIGNED, S.RETURNED),
]


@pytest.mark.parametrize(("action", "before", "after"), HAPPY_PATH)
def test_legal_transitions_lead_where_the_lifecycle_says(
    action: Action, before: CaseStatus, after: CaseStatus
) -> None:
    assert check(action, before) is after


def test_every_other_pair_is_refused_with_its_rule() -> None:
    refused = 0
    for action, rule in RULES.items():
        for status in CaseStatus:
            if status in rule.allowed_from:
                continue
            with pytest.raises(IllegalTransition) as caught:
                check(action, status)
            assert caught.value.errors[0]["type"] == rule.slug
            assert status.value in caught.value.detail
            refused += 1
    assert refused > 100


@pytest.mark.parametrize(
    ("action", "status", "slug"),
    [
        (Action.SUBMIT_RESULT, S.CLOSED, "result-while-handling"),
        (Action.PAUSE, S.ACCEPTED, "pause-only-in-progress"),
        (Action.CLOSE, S.RESULT_SUBMITTED, "close-after-approval"),
        (Action.ACCEPT, S.ACCEPTED, "accept-only-when-assigned"),
        (Action.RETURN_BY_UNIT, S.IN_PROGRESS, "return-before-handling"),
        (Action.OPEN_REVIEW, S.FINAL, "review-of-closed-case"),
    ],
)
def test_the_issue_s_bad_inputs_are_refused(action: Action, status: CaseStatus, slug: str) -> None:
    with pytest.raises(IllegalTransition) as caught:
        check(action, status)
    assert caught.value.status == 422
    assert caught.value.errors[0]["type"] == slug


DUE = date(2026, 5, 6)


def test_an_extension_is_at_most_30_days() -> None:
    state = ExtensionState(granted_days=0, pending_days=None, due_date=DUE)
    check_extension_request(state, days=30, today=DUE)
    for days in (0, 31, 90):
        with pytest.raises(IllegalTransition) as caught:
            check_extension_request(state, days=days, today=DUE)
        assert caught.value.errors[0]["type"] == "extension-at-most-30-days"


def test_a_second_extension_is_refused() -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_extension_request(
            ExtensionState(granted_days=10, pending_days=None, due_date=DUE), days=5, today=DUE
        )
    assert caught.value.errors[0]["type"] == "extension-only-once"


def test_an_extension_is_asked_before_expiry_and_not_twice_at_once() -> None:
    with pytest.raises(IllegalTransition) as late:
        check_extension_request(ExtensionState(0, None, DUE), days=5, today=date(2026, 5, 7))
    assert late.value.errors[0]["type"] == "extension-before-expiry"
    with pytest.raises(IllegalTransition) as pending:
        check_extension_request(ExtensionState(0, 5, DUE), days=5, today=DUE)
    assert pending.value.errors[0]["type"] == "extension-pending"


def test_a_decision_needs_a_request() -> None:
    assert check_extension_decision(ExtensionState(0, 12, DUE)) == 12
    with pytest.raises(IllegalTransition) as caught:
        check_extension_decision(ExtensionState(0, None, DUE))
    assert caught.value.errors[0]["type"] == "extension-not-requested"
