"""Tiers and circumstances (domain §7.3–7.4)."""

from __future__ import annotations

import pytest

from huiyin_accountability.domain.sanctions import (
    Circumstance,
    SanctionError,
    allowed_outcomes,
    check_decision,
)
from huiyin_shared.contracts.events.accountability import (
    DecisionOutcome,
    SanctionCode,
    Severity,
    SubjectKind,
)

C = Circumstance


@pytest.mark.parametrize(
    ("base", "circumstances", "tiers", "exemption"),
    [
        (Severity.SERIOUS, [], {Severity.SERIOUS}, False),
        (Severity.SERIOUS, [C.REPEATED_WITHIN_ONE_YEAR], {Severity.VERY_SERIOUS}, False),
        (Severity.VERY_SERIOUS, [C.OBSTRUCTED_INVESTIGATION], {Severity.VERY_SERIOUS}, False),
        (Severity.SERIOUS, [C.ADMITTED_AND_CORRECTED], {Severity.MINOR}, True),
        (Severity.MINOR, [C.MINOR_WITHOUT_CONSEQUENCE], set(), True),
        (
            Severity.SERIOUS,
            [C.RETALIATED_AGAINST_REPORTER, C.ACCIDENT_OR_NATURAL_CAUSE],
            {Severity.SERIOUS},
            False,
        ),
    ],
)
def test_circumstances_move_the_tier(
    base: Severity, circumstances: list[Circumstance], tiers: set[Severity], exemption: bool
) -> None:
    allowed = allowed_outcomes(base, circumstances)
    assert allowed.tiers == tiers
    assert allowed.exemption is exemption
    assert allowed.answerable


def test_overruled_adviser_is_not_answerable() -> None:
    allowed = allowed_outcomes(Severity.SERIOUS, [C.ADVISED_AGAINST_AND_OVERRULED])
    assert not allowed.answerable
    with pytest.raises(SanctionError) as refused:
        check_decision(
            subject_kind=SubjectKind.STAFF,
            outcome=DecisionOutcome.SANCTIONED,
            severity=Severity.MINOR,
            sanctions=[SanctionCode.ADMONISHMENT_TALK],
            allowed=allowed,
        )
    assert "第十一条5" in refused.value.rule
    check_decision(
        subject_kind=SubjectKind.STAFF,
        outcome=DecisionOutcome.NOT_RESPONSIBLE,
        severity=None,
        sanctions=[],
        allowed=allowed,
    )


def test_each_tier_admits_exactly_its_own_sanctions() -> None:
    allowed = allowed_outcomes(Severity.MINOR, [])
    for code in (
        SanctionCode.ADMONISHMENT_TALK,
        SanctionCode.NO_HONOURS_THIS_YEAR,
        SanctionCode.WRITTEN_SELF_CRITICISM,
    ):
        check_decision(
            subject_kind=SubjectKind.STAFF,
            outcome=DecisionOutcome.SANCTIONED,
            severity=Severity.MINOR,
            sanctions=[code],
            allowed=allowed,
        )
    with pytest.raises(SanctionError, match="public_apology"):
        check_decision(
            subject_kind=SubjectKind.STAFF,
            outcome=DecisionOutcome.SANCTIONED,
            severity=Severity.MINOR,
            sanctions=[SanctionCode.PUBLIC_APOLOGY],
            allowed=allowed,
        )


def test_exemption_needs_lighter_circumstances() -> None:
    with pytest.raises(SanctionError, match="exemption needs lighter"):
        check_decision(
            subject_kind=SubjectKind.STAFF,
            outcome=DecisionOutcome.EXEMPTED,
            severity=None,
            sanctions=[],
            allowed=allowed_outcomes(Severity.MINOR, []),
        )
